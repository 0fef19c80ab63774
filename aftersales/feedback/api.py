"""REST endpoints of feedback: scores with their intervals, the word-of-mouth estimate, recovery cases, imports."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from ninja import File, Query, Router, Schema, UploadedFile
from ninja.pagination import paginate

from aftersales.core.api import ErrorOut
from aftersales.core.errors import FieldError, NotFound, ValidationFailed, one_of
from aftersales.core.models import User
from aftersales.core.pagination import Paged
from aftersales.core.permissions import require_perm
from aftersales.feedback import selectors, services
from aftersales.feedback.models import RecoveryCase
from aftersales.feedback.schemas import (
    FeedbackImportOut,
    NoteIn,
    ReassignIn,
    RecoveryCaseDetailOut,
    RecoveryCaseOut,
    ResolveIn,
    ScoreRowOut,
    ScoresOut,
    TrendOut,
    WordOfMouthOut,
)
from aftersales.feedback.services.imports import feedback_import

router = Router(tags=["feedback"])
SCORES = "feedback.view_feedback_scores"
WORK = "feedback.work_recoverycase"


class PeriodFilter(Schema):
    start: dt.date | None = None
    end: dt.date | None = None


class WordOfMouthFilter(PeriodFilter):
    satisfied_low: float | None = None
    satisfied_high: float | None = None
    dissatisfied: float | None = None


class CaseFilter(Schema):
    status: str = ""
    overdue: bool = False


def _period(filters: PeriodFilter) -> selectors.Period | None:
    if filters.start is None and filters.end is None:
        return None
    start = filters.start or dt.date(2000, 1, 1)
    end = filters.end or dt.date.today()  # noqa: DTZ011 - a calendar day, compared with local dates
    if end < start:
        raise ValidationFailed(errors=[FieldError(field="end", reason=_("must not be before start"))])
    return selectors.Period(start, end)


def _case(request: HttpRequest, case_id: int) -> RecoveryCase:
    case = selectors.recovery_case_with_history(queryset=selectors.recovery_cases_visible_to(request.user), case_id=case_id)
    if case is None:
        raise NotFound(_("No such recovery case."))
    return case


@router.get("/feedback/scores", response=ScoresOut)
def feedback_scores(request: HttpRequest, filters: Query[PeriodFilter]) -> Any:
    """Return NPS, CSAT, effort, buy-again and response rate of a period, each with its 95% interval."""
    require_perm(request.user, SCORES)
    return selectors.scores_for(period=_period(filters))


@router.get("/feedback/scores/by/{dimension}", response=list[ScoreRowOut])
def feedback_scores_by(request: HttpRequest, dimension: str, filters: Query[PeriodFilter]) -> Any:
    """Return the scores per product, category, sales_rep, agent, technician, department or trigger."""
    require_perm(request.user, SCORES)
    if dimension not in selectors.DIMENSIONS:
        raise ValidationFailed(errors=[FieldError(field="dimension", reason=one_of(list(selectors.DIMENSIONS)))])
    return selectors.scores_by(dimension=dimension, period=_period(filters), language=get_language() or "en")


@router.get("/feedback/trend", response=list[TrendOut])
def feedback_trend(request: HttpRequest, months: int = 12) -> Any:
    """Return the scores of each of the last months (at most 36), oldest first."""
    require_perm(request.user, SCORES)
    return [{"month": month, "scores": scores} for month, scores in selectors.scores_trend(months=max(1, min(months, 36)))]


@router.get("/feedback/word-of-mouth", response=WordOfMouthOut)
def feedback_word_of_mouth(request: HttpRequest, filters: Query[WordOfMouthFilter]) -> Any:
    """Estimate how many people heard about us from satisfied and from dissatisfied customers."""
    require_perm(request.user, SCORES)
    return selectors.word_of_mouth(
        period=_period(filters),
        satisfied_low=filters.satisfied_low,
        satisfied_high=filters.satisfied_high,
        dissatisfied=filters.dissatisfied,
    )


@router.get("/feedback/recovery-cases", response=list[RecoveryCaseOut])
@paginate(Paged)
def recovery_case_list(request: HttpRequest, filters: Query[CaseFilter]) -> Any:
    """List the recovery cases the caller may see (managers: all; others: theirs), newest first."""
    require_perm(request.user, WORK)
    cases = selectors.recovery_cases_visible_to(request.user)
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.overdue:
        cases = cases.filter(first_contact_at__isnull=True, first_contact_due_at__lt=dt.datetime.now(dt.UTC))
    return cases


@router.get("/feedback/recovery-cases/{int:case_id}", response=RecoveryCaseDetailOut)
def recovery_case_detail(request: HttpRequest, case_id: int) -> Any:
    """Return a recovery case with its history."""
    require_perm(request.user, WORK)
    return _case(request, case_id)


@router.post("/feedback/recovery-cases/{int:case_id}/contact", response={200: RecoveryCaseOut, 409: ErrorOut})
def recovery_case_contact(request: HttpRequest, case_id: int, payload: NoteIn) -> Any:
    """Record that the customer was contacted (stops the first-contact clock)."""
    require_perm(request.user, WORK)
    return services.recovery_case_contact(actor=request.user, case=_case(request, case_id), note=payload.note)  # type: ignore[arg-type]


@router.post("/feedback/recovery-cases/{int:case_id}/notes", response={200: RecoveryCaseOut, 400: ErrorOut})
def recovery_case_note(request: HttpRequest, case_id: int, payload: NoteIn) -> Any:
    """Add a note about what was done."""
    require_perm(request.user, WORK)
    return services.recovery_case_note(actor=request.user, case=_case(request, case_id), note=payload.note)  # type: ignore[arg-type]


@router.post("/feedback/recovery-cases/{int:case_id}/resolve", response={200: RecoveryCaseOut, 400: ErrorOut, 409: ErrorOut})
def recovery_case_resolve(request: HttpRequest, case_id: int, payload: ResolveIn) -> Any:
    """Log the outcome, close the case and send the customer a follow-up survey."""
    require_perm(request.user, WORK)
    case = _case(request, case_id)
    return services.recovery_case_resolve(actor=request.user, case=case, outcome=payload.outcome, note=payload.note)  # type: ignore[arg-type]


@router.post("/feedback/recovery-cases/{int:case_id}/reassign", response={200: RecoveryCaseOut, 400: ErrorOut})
def recovery_case_reassign(request: HttpRequest, case_id: int, payload: ReassignIn) -> Any:
    """Hand a case to another staff member (managers only)."""
    require_perm(request.user, selectors.MANAGE)
    assignee = User.objects.filter(pk=payload.assignee_id).first()
    if assignee is None:
        raise ValidationFailed(errors=[FieldError(field="assignee_id", reason=_("no such staff member"))])
    return services.recovery_case_reassign(actor=request.user, case=_case(request, case_id), assignee=assignee)  # type: ignore[arg-type]


@router.post("/feedback/imports", response={200: FeedbackImportOut, 400: ErrorOut})
def feedback_import_file(request: HttpRequest, file: File[UploadedFile]) -> Any:
    """Import earlier survey or review results (CSV, multipart field ``file``); 400 lists every bad row, nothing written."""
    require_perm(request.user, "feedback.import_responses")
    report = feedback_import(actor=request.user, source=file)  # type: ignore[arg-type]
    if not report.ok:
        message = ngettext(
            "%(count)d error in %(rows)d rows; nothing was imported.",
            "%(count)d errors in %(rows)d rows; nothing was imported.",
            len(report.errors),
        ) % {"count": len(report.errors), "rows": report.rows}
        raise ValidationFailed(errors=report.errors, message=message)
    return report
