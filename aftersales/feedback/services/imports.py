"""Import of earlier survey or review results from CSV, read and validated like the sales import.

Columns: ``date`` (YYYY-MM-DD, not in the future), ``score``, ``kind`` (csat, nps, effort or buy_again; csat
when empty), ``comment``, and one way to find the customer: ``customer_email``, ``customer_ref`` (their
external reference) or ``order_number`` (a sale number). Every bad row is reported with its line; when any
row is bad nothing is written. A row already imported (same customer, date, kind, score and comment) is
skipped, so importing a file twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import FieldError, ValidationFailed, interpolate, one_of
from aftersales.core.models import User
from aftersales.customers.models import Customer
from aftersales.feedback.models import SCALES, Invitation, InvitationStatus, QuestionKind, ResponseChannel, Trigger
from aftersales.feedback.services.surveys import COMMENT_MAX, response_record, survey_for
from aftersales.sales.import_files import Unreadable, csv_table
from aftersales.sales.models import Sale

COLUMNS = ("date", "kind", "score", "comment", "customer_email", "customer_ref", "order_number")
REQUIRED = ("date", "score")
MAX_ERRORS_KEPT = 1000


@dataclass
class FeedbackImportReport:
    """What an import read and wrote; when ``errors`` is not empty nothing was written."""

    rows: int = 0
    imported: int = 0
    skipped: int = 0
    errors: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _Row:
    line: int
    customer: Customer
    sale: Sale | None
    answered_on: dt.date
    kind: str
    score: int
    comment: str


def _customer(row: dict[str, str], line: int, errors: list[FieldError]) -> tuple[Customer | None, Sale | None]:
    if row["order_number"]:
        sale = Sale.objects.select_related("customer").filter(number=row["order_number"]).first()
        if sale is None:
            errors.append(FieldError(field="order_number", reason=_("no sale has this number"), line=line, code="unknown"))
            return None, None
        return sale.customer, sale
    if row["customer_email"]:
        customer = Customer.objects.filter(email__iexact=row["customer_email"]).first()
        if customer is None:
            errors.append(FieldError(field="customer_email", reason=_("no customer has this email"), line=line, code="unknown"))
        return customer, None
    if row["customer_ref"]:
        customer = Customer.objects.filter(external_ref=row["customer_ref"]).first()
        if customer is None:
            errors.append(FieldError(field="customer_ref", reason=_("no customer has this reference"), line=line, code="unknown"))
        return customer, None
    errors.append(
        FieldError(
            field="customer_email", reason=_("give customer_email, customer_ref or order_number"), line=line, code="required"
        )
    )
    return None, None


def _row_clean(line: int, row: dict[str, str], errors: list[FieldError]) -> _Row | None:
    found = len(errors)
    kind = row["kind"].lower() or QuestionKind.CSAT
    if kind not in SCALES:
        errors.append(FieldError(field="kind", reason=one_of(list(SCALES)), line=line))
    day = None
    try:
        day = dt.date.fromisoformat(row["date"])
    except ValueError:
        errors.append(
            FieldError(field="date", reason=interpolate(_("%(value)r is not a date as YYYY-MM-DD"), value=row["date"]), line=line)
        )
    if day is not None and day > timezone.localdate():
        errors.append(FieldError(field="date", reason=_("is in the future"), line=line))
    score = int(row["score"]) if row["score"].lstrip("-").isdigit() else -1
    if kind in SCALES and score not in SCALES[kind]:
        scale = SCALES[kind]
        reason = interpolate(_("must be a whole number from %(low)s to %(high)s"), low=scale[0], high=scale[-1])
        errors.append(FieldError(field="score", reason=reason, line=line, code="out_of_range"))
    if len(row["comment"]) > COMMENT_MAX:
        errors.append(
            FieldError(
                field="comment", reason=interpolate(_("is longer than %(limit)s characters"), limit=COMMENT_MAX), line=line
            )
        )
    customer, sale = _customer(row, line, errors)
    if len(errors) > found or customer is None or day is None:
        return None
    return _Row(line=line, customer=customer, sale=sale, answered_on=day, kind=kind, score=score, comment=row["comment"])


def feedback_import(*, actor: User | None, source: Any) -> FeedbackImportReport:
    """Import a CSV of survey or review results in one transaction; write nothing when any row is invalid."""
    report = FeedbackImportReport()
    rows: list[_Row] = []
    try:
        for line, row, problems in csv_table(source, columns=COLUMNS, required=REQUIRED):
            report.rows += 1
            report.errors.extend(problems)
            if row is not None:
                cleaned = _row_clean(line, row, report.errors)
                if cleaned is not None:
                    rows.append(cleaned)
    except Unreadable as unreadable:
        report.errors.extend(unreadable.errors)
    del report.errors[MAX_ERRORS_KEPT:]
    if report.errors:
        return report
    survey = survey_for(Trigger.IMPORT)
    if survey is None:
        raise ValidationFailed(errors=[FieldError(field="survey", reason=_("the imported-results survey is missing"))])
    with transaction.atomic():
        for item in rows:
            digest = hashlib.sha256(f"{item.answered_on}|{item.kind}|{item.score}|{item.comment}".encode()).hexdigest()[:32]
            subject_key = f"import:{digest}"
            if Invitation.objects.filter(customer=item.customer, subject_key=subject_key).exists():
                report.skipped += 1
                continue
            answered_at = timezone.make_aware(dt.datetime.combine(item.answered_on, dt.time(12)))
            invitation = Invitation.objects.create(
                survey=survey,
                customer=item.customer,
                trigger=Trigger.IMPORT,
                subject_key=subject_key,
                status=InvitationStatus.IMPORTED,
                language=item.customer.language,
                sale=item.sale,
                sales_rep=item.sale.sales_rep if item.sale is not None else None,
                created_at=answered_at,
                expires_at=answered_at,
            )
            response_record(
                invitation=invitation,
                channel=ResponseChannel.IMPORT,
                scores={item.kind: item.score},
                comment=item.comment,
                answered_at=answered_at,
            )
            report.imported += 1
    return report
