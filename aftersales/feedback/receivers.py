"""Surveys caused by lower capabilities: a resolved ticket, a completed work order, a follow-up playbook step."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import receiver
from django.utils import translation
from django.utils.translation import gettext as _

from aftersales.feedback.models import Trigger
from aftersales.feedback.services import invitation_send, survey_for
from aftersales.fieldwork.signals import work_order_completed
from aftersales.followup.signals import survey_requested
from aftersales.service.models import Ticket
from aftersales.service.signals import Change, ticket_committed

logger = logging.getLogger(__name__)


def _resolved(change: str, data: dict[str, Any]) -> bool:
    if change == Change.STATUS:
        return data.get("to") == "resolved"
    return change == Change.PUBLIC_REPLY and data.get("status") == "resolved"


@receiver(ticket_committed, sender=Ticket, dispatch_uid="aftersales.feedback.ticket_resolved")
def ticket_resolved(sender: Any, ticket: Ticket, change: str, actor: Any, data: dict[str, Any], **kwargs: Any) -> None:
    if not _resolved(change, data or {}):
        return
    survey = survey_for(Trigger.TICKET_RESOLVED)
    if survey is None:
        return
    with translation.override(ticket.customer.language):
        about = _("your request %(reference)s “%(subject)s”") % {"reference": ticket.reference, "subject": ticket.subject}
    try:
        invitation_send(
            actor=None,
            survey=survey,
            customer=ticket.customer,
            # A ticket reopened and resolved again is still one subject: the customer is asked once.
            subject_key=f"ticket:{ticket.pk}",
            unit=ticket.unit,
            agent=ticket.assignee,
            department=ticket.department,
            ticket_id=ticket.pk,
            about=about,
        )
    except Exception:
        # The ticket is resolved whatever happens here; a survey that could not go out is logged.
        logger.exception("Could not send the survey for ticket %s", ticket.pk)


@receiver(work_order_completed, dispatch_uid="aftersales.feedback.work_order_completed")
def work_order_done(sender: Any, work_order_id: int, **kwargs: Any) -> None:
    from aftersales.fieldwork.models import WorkOrder

    order = WorkOrder.objects.select_related("customer", "assignee", "sale").filter(pk=work_order_id).first()
    survey = survey_for(Trigger.WORK_ORDER)
    if order is None or survey is None:
        return
    technician = order.assignee
    with translation.override(order.customer.language):
        about = _("the visit %(reference)s") % {"reference": order.reference}
    try:
        with transaction.atomic():
            invitation_send(
                actor=None,
                survey=survey,
                customer=order.customer,
                subject_key=f"work_order:{order.pk}",
                unit=order.units.select_related("product__category", "sale_line__sale").first(),
                sale=order.sale,
                technician=technician,
                department=technician.department if technician is not None else None,
                work_order_id=order.pk,
                about=about,
            )
    except Exception:
        logger.exception("Could not send the survey for work order %s", order.pk)


@receiver(survey_requested, dispatch_uid="aftersales.feedback.survey_requested")
def playbook_survey(sender: Any, touch: Any, customer: Any, unit: Any, step: Any, **kwargs: Any) -> bool:
    """Send the after-delivery survey for a playbook step; answer True, since the request was handled.

    An invitation skipped by the fatigue rule or refused by the outbox is recorded on the invitation.
    """
    survey = survey_for(Trigger.DELIVERY)
    if survey is None:
        return False
    invitation_send(actor=None, survey=survey, customer=customer, subject_key=f"touch:{touch.pk}", unit=unit)
    return True
