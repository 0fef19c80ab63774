"""Periodic sweeps of feedback, run by ``aftersales tick``."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from aftersales.core.dates import add_months
from aftersales.core.tick import sweep_register
from aftersales.customers.models import Customer
from aftersales.feedback.models import Invitation, InvitationStatus, Response, Trigger
from aftersales.feedback.services import invitation_send, recovery_cases_escalate_overdue, response_evaluate, survey_for
from aftersales.sales.models import Sale


def relationship_surveys_send(*, today: dt.date | None = None, limit: int | None = None) -> int:
    """Send the relationship survey to customers who bought at least the period ago and were not asked in it."""
    months = settings.FEEDBACK_RELATIONSHIP_MONTHS
    survey = survey_for(Trigger.RELATIONSHIP)
    if months <= 0 or survey is None:
        return 0
    today = today or timezone.localdate()
    since = add_months(today, -months)
    start_of_period = timezone.make_aware(dt.datetime.combine(since, dt.time()))
    asked = Invitation.objects.filter(
        customer=OuterRef("pk"),
        trigger=Trigger.RELATIONSHIP,
        created_at__gte=start_of_period,
        status__in=[InvitationStatus.SENT, InvitationStatus.ANSWERED, InvitationStatus.SUPPRESSED],
    )
    bought = Sale.objects.filter(customer=OuterRef("pk"), sold_on__lte=since)
    due = (
        Customer.objects.filter(Exists(bought))
        .exclude(Exists(asked))
        .exclude(email="")
        .order_by("pk")[: limit if limit is not None else settings.FEEDBACK_RELATIONSHIP_LIMIT]
    )
    sent = 0
    for customer in due:
        invitation = invitation_send(actor=None, survey=survey, customer=customer, subject_key=f"relationship:{today:%Y-%m}")
        sent += invitation.status == InvitationStatus.SENT
    return sent


def responses_evaluate_forgotten(*, limit: int = 200) -> int:
    """Evaluate responses whose task never ran (the queue refused it or a worker died)."""
    stale = timezone.now() - dt.timedelta(minutes=10)
    ids = list(
        Response.objects.filter(evaluated_at__isnull=True, answered_at__lt=stale)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for response_id in ids:
        response_evaluate(response_id=response_id)
    return len(ids)


@sweep_register("feedback.relationship_surveys", every=dt.timedelta(hours=6))
def relationship_surveys() -> int:
    """Send the periodic relationship survey to the customers due for it."""
    return relationship_surveys_send()


@sweep_register("feedback.recovery_overdue", every=dt.timedelta(minutes=15))
def recovery_overdue() -> int:
    """Escalate recovery cases whose first contact is late to the service managers."""
    return recovery_cases_escalate_overdue()


@sweep_register("feedback.responses_forgotten", every=dt.timedelta(minutes=10))
def responses_forgotten() -> int:
    """Evaluate answers the workers never got to."""
    return responses_evaluate_forgotten()
