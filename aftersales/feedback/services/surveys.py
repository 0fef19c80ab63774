"""Sending surveys (once per subject, never more often than the fatigue rule allows) and recording answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import Conflict, FieldError, ValidationFailed, interpolate, one_of
from aftersales.core.models import Department, User
from aftersales.core.tasks import task_enqueue_on_commit
from aftersales.core.timeline import timeline_record
from aftersales.customers.models import Customer
from aftersales.feedback.models import (
    SCALES,
    Answer,
    Invitation,
    InvitationStatus,
    Question,
    QuestionKind,
    RecoveryCase,
    Response,
    ResponseChannel,
    Survey,
)
from aftersales.feedback.signing import answer_url, form_url
from aftersales.messaging.models import MessageChannel, MessageStatus, Purpose
from aftersales.messaging.services import message_enqueue
from aftersales.sales.models import Sale, Unit

TEMPLATE_CODE = "feedback_survey"
COMMENT_MAX = 4000

# The words under each one-click value in the email.
VALUE_LABELS: dict[str, dict[int, Any]] = {
    QuestionKind.CSAT: {
        1: _("1 · Very dissatisfied"),
        2: _("2 · Dissatisfied"),
        3: _("3 · Neither"),
        4: _("4 · Satisfied"),
        5: _("5 · Very satisfied"),
    },
    QuestionKind.EFFORT: {1: _("1 · Very hard"), 4: _("4 · Neither"), 7: _("7 · Very easy")},
    QuestionKind.BUY_AGAIN: {1: _("Yes"), 0: _("No")},
    QuestionKind.NPS: {0: _("0 · Not at all likely"), 10: _("10 · Extremely likely")},
}


def value_label(kind: str, value: int) -> str:
    """Return how a value of a kind of question reads (its number when it has no words)."""
    return str(VALUE_LABELS.get(kind, {}).get(value, value))


def survey_for(trigger: str) -> Survey | None:
    """Return the active survey sent on a trigger."""
    return Survey.objects.filter(trigger=trigger, active=True).order_by("code").first()


def first_question(survey: Survey) -> Question | None:
    """Return the question answered with one click from the email: the survey's first scored one."""
    return survey.questions.exclude(kind=QuestionKind.TEXT).order_by("position", "pk").first()


def _selling_rep(customer: Customer, sale: Sale | None) -> User | None:
    if sale is not None and sale.sales_rep_id:
        return sale.sales_rep
    latest = Sale.objects.filter(customer=customer, sales_rep__isnull=False).select_related("sales_rep")
    found = latest.order_by("-sold_on", "-pk").first()
    return found.sales_rep if found else None


def _recently_surveyed(customer: Customer, now: dt.datetime) -> bool:
    since = now - dt.timedelta(days=settings.FEEDBACK_FATIGUE_DAYS)
    sent = [InvitationStatus.SENT, InvitationStatus.ANSWERED]
    return Invitation.objects.filter(customer=customer, status__in=sent, created_at__gte=since).exists()


def _links(invitation: Invitation, question: Question, language: str) -> list[dict[str, Any]]:
    values = list(SCALES[question.kind])
    if question.kind == QuestionKind.BUY_AGAIN:
        values = [1, 0]
    with translation.override(language):
        return [
            {
                "value": value,
                "label": value_label(question.kind, value),
                "url": answer_url(invitation_id=invitation.pk, value=value),
            }
            for value in values
        ]


@transaction.atomic
def invitation_send(
    *,
    actor: User | None,
    survey: Survey,
    customer: Customer,
    subject_key: str,
    unit: Unit | None = None,
    sale: Sale | None = None,
    agent: User | None = None,
    technician: User | None = None,
    department: Department | None = None,
    ticket_id: int | None = None,
    work_order_id: int | None = None,
    recovery_case: RecoveryCase | None = None,
    about: str = "",
) -> Invitation:
    """Ask a customer a survey about one subject once; skip it when they were surveyed within the fatigue period.

    Recovery follow-up surveys are exempt from the fatigue rule: they measure whether the case helped.
    """
    existing = Invitation.objects.filter(customer=customer, subject_key=subject_key).first()
    if existing is not None:
        return existing
    now = timezone.now()
    if sale is None and unit is not None and unit.sale_line_id:
        sale = unit.sale_line.sale if unit.sale_line else None
    product = unit.product if unit is not None else None
    invitation = Invitation(
        survey=survey,
        customer=customer,
        trigger=survey.trigger,
        subject_key=subject_key,
        language=customer.language,
        unit=unit,
        sale=sale,
        product=product,
        category=product.category if product is not None else None,
        sales_rep=_selling_rep(customer, sale),
        agent=agent,
        technician=technician,
        department=department,
        ticket_id=ticket_id,
        work_order_id=work_order_id,
        recovery_case=recovery_case,
        created_at=now,
        expires_at=now + dt.timedelta(days=settings.FEEDBACK_LINK_DAYS),
    )
    if recovery_case is None and _recently_surveyed(customer, now):
        invitation.status = InvitationStatus.FATIGUE
    try:
        with transaction.atomic():
            invitation.save(force_insert=True)
    except IntegrityError:
        # Another process asked the same customer about the same subject a moment ago.
        return Invitation.objects.get(customer=customer, subject_key=subject_key)
    if invitation.status == InvitationStatus.SENT:
        _message_send(invitation, actor=actor, about=about)
    timeline_record(
        customer=customer,
        unit=None if invitation.status != InvitationStatus.SENT else unit,
        kind="feedback_invited",
        actor=actor,
        data={
            "survey": survey.display_name(customer.language),
            "trigger": survey.trigger,
            "status": invitation.status,
            "invitation_id": invitation.pk,
        },
    )
    return invitation


def _message_send(invitation: Invitation, *, actor: User | None, about: str) -> None:
    survey = invitation.survey
    question = first_question(survey)
    if question is None:
        raise ValidationFailed(errors=[FieldError(field="survey", reason=_("has no scored question"))])
    language = invitation.language
    message = message_enqueue(
        actor=actor,
        customer=invitation.customer,
        template_code=TEMPLATE_CODE,
        channel=MessageChannel.EMAIL,
        idempotency_key=f"feedback:invitation:{invitation.pk}",
        # The relationship survey is marketing: it needs consent and carries an unsubscribe link.
        purpose=Purpose.MARKETING if survey.marketing else None,
        unit=invitation.unit,
        context={
            "survey": survey.display_name(language),
            "about": about,
            "question": question.display_text(language),
            "answers": _links(invitation, question, language),
            "survey_url": form_url(invitation_id=invitation.pk),
            "expires_on": timezone.localtime(invitation.expires_at).date(),
        },
    )
    invitation.message = message
    if message.status == MessageStatus.SUPPRESSED:
        invitation.status = InvitationStatus.SUPPRESSED
    invitation.save(update_fields=["message", "status"])


def _scores_clean(survey: Survey | None, values: Mapping[str, Any]) -> tuple[dict[str, int], list[FieldError]]:
    kinds = set(survey.questions.values_list("kind", flat=True)) if survey is not None else set(SCALES)
    cleaned: dict[str, int] = {}
    errors: list[FieldError] = []
    for kind, raw in values.items():
        if raw is None or raw == "":
            continue
        if kind not in SCALES or kind not in kinds:
            errors.append(FieldError(field=kind, reason=one_of(sorted(kind for kind in kinds if kind in SCALES))))
            continue
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = -1
        scale = SCALES[kind]
        if value not in scale:
            reason = interpolate(_("must be a whole number from %(low)s to %(high)s"), low=scale[0], high=scale[-1])
            errors.append(FieldError(field=kind, reason=reason, code="out_of_range"))
            continue
        cleaned[kind] = value
    return cleaned, errors


def _evaluate_task() -> Any:
    from aftersales.feedback.tasks import evaluate_response

    return evaluate_response


@transaction.atomic
def response_record(
    *,
    invitation: Invitation,
    channel: str,
    scores: Mapping[str, Any],
    comment: str = "",
    answered_at: dt.datetime | None = None,
) -> Response:
    """Record a customer's answers to an invitation; an answer once given stays, a comment is added to.

    The response is then evaluated by a worker (comment analysis, recovery case, review request).
    """
    invitation = Invitation.objects.select_for_update().select_related("survey", "customer").get(pk=invitation.pk)
    if channel != ResponseChannel.IMPORT and not invitation.is_open:
        raise Conflict(_("This survey can no longer be answered."))
    cleaned, errors = _scores_clean(invitation.survey, scores)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        errors.append(
            FieldError(field="comment", reason=interpolate(_("is longer than %(limit)s characters"), limit=COMMENT_MAX))
        )
    if errors:
        raise ValidationFailed(errors=errors)
    response = Response.objects.filter(invitation=invitation).first()
    created = response is None
    if response is None:
        if not cleaned and not comment:
            raise ValidationFailed(errors=[FieldError(field="scores", reason=_("answer at least one question"), code="required")])
        response = Response.objects.create(invitation=invitation, channel=channel, answered_at=answered_at or timezone.now())
    given = set(response.answers.values_list("kind", flat=True))
    new = [Answer(response=response, kind=kind, value=value) for kind, value in cleaned.items() if kind not in given]
    questions = {question.kind: question for question in invitation.survey.questions.all()}
    for answer in new:
        answer.question = questions.get(answer.kind)
    Answer.objects.bulk_create(new)
    changed = bool(new)
    if comment:
        response.comment = f"{response.comment}\n\n{comment}" if response.comment else comment
        response.save(update_fields=["comment"])
        changed = True
    if created:
        invitation.status = InvitationStatus.IMPORTED if channel == ResponseChannel.IMPORT else InvitationStatus.ANSWERED
        invitation.answered_at = response.answered_at
        invitation.save(update_fields=["status", "answered_at"])
    if changed:
        scores_text = ", ".join(f"{answer.kind.upper()} {answer.value}" for answer in new) or _t("comment")
        timeline_record(
            customer=invitation.customer,
            kind="feedback_answered",
            data={
                "survey": invitation.survey.display_name(invitation.customer.language),
                "scores": scores_text,
                "invitation_id": invitation.pk,
                "response_id": response.pk,
            },
        )
        task_enqueue_on_commit(_evaluate_task, record=Response, pk=response.pk)
    return response
