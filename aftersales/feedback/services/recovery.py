"""Closing the loop: every unhappy answer opens a recovery case with a first contact due within one business day.

A detractor (NPS 0–6), a CSAT of 1–2 or a comment read as negative opens one case per response, assigned to the
rep who sold the unit concerned (else the rep of the customer's latest sale), else to a service manager. The
first-contact deadline is one working day of the default business calendar (its hours, holidays and closed
days) after the case opens; a late case is escalated to the service managers by a sweep. Resolving a case logs
its outcome and sends a follow-up survey; its answer is compared with the score that opened the case.
A promoter (9–10) gets a review request, and ``promoter_answered`` is sent for loyalty's referral invitation.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from aftersales.core import business_time
from aftersales.core.calendars import calendar_default, calendar_value
from aftersales.core.errors import Conflict, FieldError, ValidationFailed, one_of
from aftersales.core.models import User
from aftersales.core.roles import Role
from aftersales.core.services import notification_send
from aftersales.core.timeline import timeline_record
from aftersales.feedback.models import (
    QuestionKind,
    RecoveryCase,
    RecoveryEvent,
    RecoveryEventKind,
    RecoveryOutcome,
    RecoveryReason,
    RecoveryStatus,
    Response,
    Trigger,
)
from aftersales.feedback.scoring import is_detractor, is_dissatisfied_csat, is_promoter
from aftersales.feedback.sentiment import comment_analyse
from aftersales.feedback.services.surveys import invitation_send, survey_for
from aftersales.feedback.signals import promoter_answered, survey_completed
from aftersales.messaging.models import MessageChannel, Purpose
from aftersales.messaging.services import message_enqueue

logger = logging.getLogger(__name__)

REVIEW_TEMPLATE_CODE = "feedback_review_request"
CASE_PATH = "/feedback/recovery/{pk}/"


def service_managers() -> list[User]:
    """Return the active staff members who hold the service manager role, oldest account first."""
    managers = User.objects.filter(is_active=True, is_staff=True, groups__name=Role.SERVICE_MANAGER).distinct()
    return list(managers.order_by("pk"))


def first_contact_due(opened_at: dt.datetime) -> dt.datetime:
    """Return when first contact is due: one working day of the default calendar after the case opens."""
    stored = calendar_default()
    calendar = calendar_value(stored) if stored is not None else business_time.always_open("UTC")
    # "One working day" is the working time of the first day the case can be worked on (nine hours on a
    # 9:00–18:00 weekday): opened Friday at 16:00, it is due Monday at 16:00; opened on Sunday, Monday at 18:00.
    start = business_time.next_open(calendar, opened_at)
    day = start.astimezone(calendar.zone).date()
    intervals = business_time.day_intervals(calendar, day)
    working_day = sum((closes - opens for opens, closes in intervals), dt.timedelta()) or dt.timedelta(hours=24)
    return business_time.business_add(calendar, opened_at, working_day)


def _holder(case: RecoveryCase) -> str:
    return str(case.assignee) if case.assignee else "—"


def _case_assignee(response: Response) -> User | None:
    rep = response.invitation.sales_rep
    if rep is not None and rep.is_active and rep.is_staff:
        return rep
    managers = service_managers()
    if not managers:
        return None
    # The manager holding the fewest open cases, so that the load spreads.
    load = dict(
        RecoveryCase.objects.filter(assignee__in=managers)
        .exclude(status=RecoveryStatus.RESOLVED)
        .values_list("assignee")
        .annotate(count=Count("pk"))
        .values_list("assignee", "count")
    )
    return min(managers, key=lambda manager: (load.get(manager.pk, 0), manager.pk))


def _event(
    case: RecoveryCase, kind: str, *, actor: User | None = None, note: str = "", data: dict[str, Any] | None = None
) -> None:
    RecoveryEvent.objects.create(
        case=case, kind=kind, actor=actor if actor and actor.is_authenticated else None, note=note, data=dict(data or {})
    )


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _primary_score(response: Response) -> tuple[str, int | None]:
    for kind in (QuestionKind.NPS, QuestionKind.CSAT):
        value = response.value_of(kind)
        if value is not None:
            return kind, value
    return "", None


def recovery_reason(response: Response) -> str:
    """Return why a response calls for a recovery case ("" when it does not)."""
    nps = response.value_of(QuestionKind.NPS)
    if nps is not None and is_detractor(nps):
        return RecoveryReason.DETRACTOR
    csat = response.value_of(QuestionKind.CSAT)
    if csat is not None and is_dissatisfied_csat(csat):
        return RecoveryReason.LOW_CSAT
    if response.sentiment == "negative":
        return RecoveryReason.NEGATIVE_COMMENT
    return ""


@transaction.atomic
def recovery_case_open(*, response: Response, reason: str) -> RecoveryCase:
    """Open the recovery case of an unhappy response (once), assign it and tell the assignee."""
    existing = RecoveryCase.objects.filter(response=response).first()
    if existing is not None:
        return existing
    now = timezone.now()
    assignee = _case_assignee(response)
    kind, score = _primary_score(response)
    case = RecoveryCase.objects.create(
        response=response,
        customer=response.invitation.customer,
        reason=reason,
        assignee=assignee,
        department=assignee.department if assignee is not None else None,
        opened_at=now,
        first_contact_due_at=first_contact_due(now),
        initial_kind=kind,
        initial_score=score,
    )
    _event(case, RecoveryEventKind.OPENED, data={"reason": reason, "assignee_id": assignee.pk if assignee else None})
    timeline_record(
        customer=case.customer,
        kind="feedback_recovery_opened",
        data={"reference": case.reference, "reason": reason, "assignee": _holder(case), "case_id": case.pk},
    )
    if assignee is not None:
        _notify(assignee, "feedback_recovery_assigned", case)
    return case


def _notify(user: User, kind: str, case: RecoveryCase) -> None:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        data = {
            "reference": case.reference,
            "customer": case.customer.name,
            "reason": str(RecoveryReason(case.reason).label),
            "due": _local(case.first_contact_due_at),
            "holder": _holder(case),
        }
    notification_send(user=user, kind=kind, data=data, link=CASE_PATH.format(pk=case.pk))


def _case_for_update(case: RecoveryCase) -> RecoveryCase:
    return RecoveryCase.objects.select_for_update(of=("self",)).select_related("customer", "assignee").get(pk=case.pk)


@transaction.atomic
def recovery_case_contact(*, actor: User, case: RecoveryCase, note: str = "") -> RecoveryCase:
    """Record that the customer was contacted (the first time stops the first-contact clock)."""
    case = _case_for_update(case)
    if case.status == RecoveryStatus.RESOLVED:
        raise Conflict(_("This recovery case is already resolved."))
    now = timezone.now()
    if case.first_contact_at is None:
        case.first_contact_at = now
    case.status = RecoveryStatus.CONTACTED
    case.save(update_fields=["first_contact_at", "status", "updated_at"])
    _event(case, RecoveryEventKind.CONTACTED, actor=actor, note=note.strip()[:4000])
    return case


@transaction.atomic
def recovery_case_note(*, actor: User, case: RecoveryCase, note: str) -> RecoveryCase:
    """Add a note about what was done to a recovery case's history."""
    if not note.strip():
        raise ValidationFailed(errors=[FieldError(field="note", reason=_("is required"), code="required")])
    case = _case_for_update(case)
    _event(case, RecoveryEventKind.NOTE, actor=actor, note=note.strip()[:4000])
    return case


@transaction.atomic
def recovery_case_reassign(*, actor: User, case: RecoveryCase, assignee: User) -> RecoveryCase:
    """Hand a recovery case to another staff member and tell them."""
    if not (assignee.is_active and assignee.is_staff):
        raise ValidationFailed(errors=[FieldError(field="assignee", reason=_("must be an active staff member"))])
    case = _case_for_update(case)
    previous = case.assignee_id
    case.assignee = assignee
    case.department = assignee.department
    case.save(update_fields=["assignee", "department", "updated_at"])
    _event(case, RecoveryEventKind.REASSIGNED, actor=actor, data={"from": previous, "to": assignee.pk})
    _notify(assignee, "feedback_recovery_assigned", case)
    return case


@transaction.atomic
def recovery_case_resolve(*, actor: User, case: RecoveryCase, outcome: str, note: str = "") -> RecoveryCase:
    """Log a recovery case's outcome, close it and send the customer a follow-up survey."""
    choices = [value for value in RecoveryOutcome.values if value]
    if outcome not in choices:
        raise ValidationFailed(errors=[FieldError(field="outcome", reason=one_of(choices))])
    case = _case_for_update(case)
    if case.status == RecoveryStatus.RESOLVED:
        raise Conflict(_("This recovery case is already resolved."))
    now = timezone.now()
    if case.first_contact_at is None and outcome != RecoveryOutcome.UNREACHABLE:
        case.first_contact_at = now  # an outcome other than "unreachable" means someone spoke to the customer
    case.status = RecoveryStatus.RESOLVED
    case.outcome = outcome
    case.outcome_note = note.strip()[:4000]
    case.resolved_at = now
    case.save(update_fields=["status", "outcome", "outcome_note", "resolved_at", "first_contact_at", "updated_at"])
    _event(case, RecoveryEventKind.RESOLVED, actor=actor, note=case.outcome_note, data={"outcome": outcome})
    timeline_record(
        customer=case.customer,
        kind="feedback_recovery_resolved",
        actor=actor,
        data={"reference": case.reference, "outcome": outcome, "case_id": case.pk},
    )
    survey = survey_for(Trigger.RECOVERY_FOLLOW_UP)
    if survey is not None:
        original = case.response.invitation
        invitation_send(
            actor=actor,
            survey=survey,
            customer=case.customer,
            subject_key=f"recovery:{case.pk}",
            unit=original.unit,
            sale=original.sale,
            agent=original.agent,
            technician=original.technician,
            department=original.department,
            recovery_case=case,
        )
    return case


@transaction.atomic
def recovery_cases_escalate_overdue(*, limit: int = 500) -> int:
    """Tell the service managers about cases whose first contact is late, once per case."""
    now = timezone.now()
    late = list(
        RecoveryCase.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("customer", "assignee")
        .filter(first_contact_at__isnull=True, escalated_at__isnull=True, first_contact_due_at__lt=now)
        .exclude(status=RecoveryStatus.RESOLVED)
        .order_by("first_contact_due_at", "pk")[:limit]
    )
    managers = service_managers()
    for case in late:
        case.escalated_at = now
        case.save(update_fields=["escalated_at", "updated_at"])
        _event(case, RecoveryEventKind.ESCALATED, data={"assignee": _holder(case)})
        for manager in managers:
            _notify(manager, "feedback_recovery_overdue", case)
    return len(late)


@transaction.atomic
def response_evaluate(*, response_id: int) -> dict[str, Any]:
    """Analyse a response's comment, open its recovery case if it is unhappy and thank a promoter with a review request."""
    response = (
        Response.objects.select_for_update(of=("self",))
        .select_related("invitation__customer", "invitation__sales_rep", "invitation__recovery_case")
        .filter(pk=response_id)
        .first()
    )
    if response is None:
        return {}
    now = timezone.now()
    done: dict[str, Any] = {}
    if response.comment:
        analysis = comment_analyse(response.comment, language=response.invitation.language)
        response.sentiment, response.sentiment_score = analysis.sentiment, analysis.score
        response.topics, response.comment_language, response.analysed_at = analysis.topics, analysis.language, now
        done["sentiment"] = analysis.sentiment
    response.evaluated_at = now
    response.save(update_fields=["sentiment", "sentiment_score", "topics", "comment_language", "analysed_at", "evaluated_at"])
    invitation = response.invitation
    if invitation.trigger == Trigger.IMPORT:
        return done  # results of an earlier survey or a review site: scored and analysed, not acted on again
    if invitation.recovery_case is not None:
        _follow_up_answered(invitation.recovery_case, response)
    else:
        reason = recovery_reason(response)
        if reason:
            done["case"] = recovery_case_open(response=response, reason=reason).pk
    nps = response.value_of(QuestionKind.NPS)
    if nps is not None and is_promoter(nps) and response.promoted_at is None:
        _promoter_thank(response)
        done["promoter"] = True
    ids = {"response_id": response.pk, "customer_id": invitation.customer_id, "invitation_id": invitation.pk}
    transaction.on_commit(lambda: survey_completed.send(sender=Response, **ids))
    return done


def _follow_up_answered(case: RecoveryCase, response: Response) -> None:
    after = response.value_of(case.initial_kind) if case.initial_kind else None
    if after is None or case.events.filter(kind=RecoveryEventKind.FOLLOW_UP_ANSWERED).exists():
        return
    _event(
        case,
        RecoveryEventKind.FOLLOW_UP_ANSWERED,
        data={"kind": case.initial_kind, "before": case.initial_score, "after": after, "response_id": response.pk},
    )


def _promoter_thank(response: Response) -> None:
    invitation = response.invitation
    message_enqueue(
        actor=None,
        customer=invitation.customer,
        template_code=REVIEW_TEMPLATE_CODE,
        channel=MessageChannel.EMAIL,
        idempotency_key=f"feedback:review:{response.pk}",
        purpose=Purpose.MARKETING,
        unit=invitation.unit,
        context={"review_url": settings.FEEDBACK_REVIEW_URL},
    )
    response.promoted_at = timezone.now()
    response.save(update_fields=["promoted_at"])
    ids = {"response_id": response.pk, "customer_id": invitation.customer_id, "invitation_id": invitation.pk}
    transaction.on_commit(lambda: promoter_answered.send(sender=Response, **ids))
