"""Booking visits: schedule, reschedule, unassign, cancel, no-show, the customer's confirmation, reminders.

Never two visits at once for one person: every booking locks the assignee's user row (``SELECT … FOR
UPDATE``) before it looks for clashes, so two requests for the same person run one after the other and
the second sees the first one's visit. The work order's own row is locked too, so two moves of one
order cannot interleave.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import Conflict, FieldError, ValidationFailed, interpolate
from aftersales.core.models import User
from aftersales.core.services import notification_send
from aftersales.core.timeline import timeline_record
from aftersales.fieldwork import invites, slots
from aftersales.fieldwork.models import BOOKED_STATUSES, CLOSED_STATUSES, WorkOrder, WorkOrderKind, WorkOrderStatus
from aftersales.fieldwork.services.orders import work_order_event
from aftersales.messaging.models import MessageChannel
from aftersales.messaging.services import message_enqueue

if TYPE_CHECKING:
    from collections.abc import Mapping

BOOKED_TEMPLATE = "fieldwork_visit_booked"
CANCELLED_TEMPLATE = "fieldwork_visit_cancelled"
REMINDER_TEMPLATE = "fieldwork_visit_reminder"
# Statuses from which an order can be given a date.
SCHEDULABLE = (WorkOrderStatus.PROPOSED, WorkOrderStatus.NO_SHOW)
# Who asked for a move, as stored in the history.
REQUESTERS = ("staff", "customer")


def _lock(order: WorkOrder) -> WorkOrder:
    return (
        WorkOrder.objects.select_for_update(of=("self",)).select_related("customer", "sale", "zone", "assignee").get(pk=order.pk)
    )


def _timeline(order: WorkOrder, kind: str, *, actor: User | None, data: Mapping[str, Any]) -> None:
    payload = {"reference": order.reference, "work_order_id": order.pk, **data}
    units = list(order.units.all())
    timeline_record(customer=order.customer, unit=units[0] if len(units) == 1 else None, kind=kind, actor=actor, data=payload)


def _iso(at: dt.datetime | None) -> str | None:
    return at.astimezone(dt.UTC).isoformat() if at else None


def _kind_label(order: WorkOrder) -> str:
    with translation.override(order.customer.language):
        return str(order.get_kind_display())


def _visit_context(order: WorkOrder) -> dict[str, Any]:
    customer = order.customer
    assert order.scheduled_start is not None
    return {
        "visit": {
            "reference": order.reference,
            "kind": order.kind,
            "kind_label": _kind_label(order),
            "when": invites.when_text(order.scheduled_start, language=customer.language, time_zone=customer.time_zone),
            "duration_minutes": order.duration_minutes,
            "with": order.assignee.get_full_name() if order.assignee else "",
            "address": order.address,
            "confirmed": order.status == WorkOrderStatus.CONFIRMED,
            "rescheduled": order.ics_sequence > 1,
        },
        "visit_url": invites.visit_url(order),
    }


def _tell_customer(order: WorkOrder, *, actor: User | None, cancel: bool = False) -> None:
    """Queue the booking (or cancellation) email with its .ics; one message per booking revision."""
    customer = order.customer
    if not customer.email:
        return
    attachment = invites.invitation_store(order, cancel=cancel)
    message_enqueue(
        actor=actor,
        customer=customer,
        template_code=CANCELLED_TEMPLATE if cancel else BOOKED_TEMPLATE,
        channel=MessageChannel.EMAIL,
        context=_visit_context(order),
        idempotency_key=f"fieldwork:visit:{order.pk}:{order.ics_sequence}",
        attachments=[attachment],
    )


def _check_start(start: dt.datetime) -> list[FieldError]:
    if timezone.is_naive(start):
        return [FieldError("start", _("must include a time zone, e.g. 2026-06-01T09:00:00+02:00"), code="naive")]
    if start < timezone.now():
        return [FieldError("start", _("is in the past"), code="past")]
    return []


def _book(
    *,
    actor: User | None,
    order: WorkOrder,
    assignee: User,
    start: dt.datetime,
    event: str,
    data: Mapping[str, Any],
    duration_minutes: int | None = None,
) -> WorkOrder:
    """Lock the assignee, check eligibility and clashes, then write the booking and tell the customer."""
    # The assignee's row first, always: two bookings for one person queue here (a deadlock-free order,
    # since every booking takes the person's lock before the order's).
    person = User.objects.select_for_update().get(pk=assignee.pk)
    order = _lock(order)
    minutes = duration_minutes or order.duration_minutes
    end = start + dt.timedelta(minutes=minutes)
    problems = slots.assignment_problems(order, person, start, end)
    if problems:
        raise ValidationFailed(errors=[FieldError("assignee", problem, code="not_eligible") for problem in problems])
    clash = slots.clash_find(person.pk, order.zone_id, start, end, exclude=order.pk)
    if clash is not None:
        raise Conflict(slots.clash_reason(person, clash, order.zone_id, start, end))
    order.assignee = person
    order.scheduled_start = start
    order.scheduled_end = end
    order.duration_minutes = minutes
    order.status = WorkOrderStatus.SCHEDULED
    order.confirmed_at = None
    order.reschedule_requested_at = None
    order.ics_sequence += 1
    order.save()
    history = {"assignee": person.pk, "assignee_name": str(person), "start": _iso(start), "end": _iso(end), **data}
    work_order_event(order, event, actor=actor, data=history)
    _timeline(
        order,
        "work_order_booked",
        actor=actor,
        data={"when": invites.when_text(start, language=settings.LANGUAGE_CODE), "assignee": str(person)},
    )
    _tell_customer(order, actor=actor)
    return order


@transaction.atomic
def work_order_schedule(*, actor: User | None, work_order: WorkOrder, assignee: User, start: dt.datetime) -> WorkOrder:
    """Book an order with someone eligible and free (travel buffer included) in their working hours."""
    errors = _check_start(start)
    if errors:
        raise ValidationFailed(errors=errors)
    current = WorkOrder.objects.get(pk=work_order.pk)
    if current.status not in SCHEDULABLE:
        raise Conflict(
            interpolate(
                _("%(reference)s is %(status)s; reschedule it instead."),
                reference=current.reference,
                status=current.get_status_display(),
            )
        )
    return _book(actor=actor, order=current, assignee=assignee, start=start, event="scheduled", data={})


@transaction.atomic
def work_order_reschedule(
    *,
    actor: User | None,
    work_order: WorkOrder,
    start: dt.datetime,
    assignee: User | None = None,
    requested_by: str = "staff",
    reason: str = "",
) -> WorkOrder:
    """Move a booked visit to another time (or person), keeping the old and new times and who asked."""
    errors = _check_start(start)
    if requested_by not in REQUESTERS:
        errors.append(FieldError("requested_by", interpolate(_("must be one of %(codes)s"), codes=", ".join(REQUESTERS))))
    if len(reason) > 500:
        errors.append(FieldError("reason", interpolate(_("is longer than %(limit)s characters"), limit=500)))
    if errors:
        raise ValidationFailed(errors=errors)
    current = WorkOrder.objects.get(pk=work_order.pk)
    if current.status not in (WorkOrderStatus.SCHEDULED, WorkOrderStatus.CONFIRMED):
        raise Conflict(
            interpolate(
                _("Only a scheduled or confirmed visit can be moved; %(reference)s is %(status)s."),
                reference=current.reference,
                status=current.get_status_display(),
            )
        )
    person = assignee or current.assignee
    assert person is not None
    data = {
        "old_assignee": current.assignee_id,
        "old_assignee_name": str(current.assignee) if current.assignee else "",
        "old_start": _iso(current.scheduled_start),
        "old_end": _iso(current.scheduled_end),
        "requested_by": requested_by,
        "reason": reason.strip(),
    }
    return _book(actor=actor, order=current, assignee=person, start=start, event="rescheduled", data=data)


def _unbook(order: WorkOrder, *, actor: User | None, status: str, event: str, data: Mapping[str, Any]) -> WorkOrder:
    was_booked = order.status in BOOKED_STATUSES
    history = {
        "assignee": order.assignee_id,
        "assignee_name": str(order.assignee) if order.assignee else "",
        "start": _iso(order.scheduled_start),
        "end": _iso(order.scheduled_end),
        **data,
    }
    order.status = status
    if was_booked:
        order.ics_sequence += 1
    order.save()
    work_order_event(order, event, actor=actor, data=history)
    _timeline(order, "work_order_status", actor=actor, data={"status": status})
    if was_booked and order.scheduled_start and order.scheduled_start > timezone.now():
        _tell_customer(order, actor=actor, cancel=True)
    return order


@transaction.atomic
def work_order_unassign(*, actor: User | None, work_order: WorkOrder, reason: str = "") -> WorkOrder:
    """Take a booked visit out of the diary and back to the list to schedule; the customer is told."""
    order = _lock(work_order)
    if order.status not in (WorkOrderStatus.SCHEDULED, WorkOrderStatus.CONFIRMED):
        raise Conflict(interpolate(_("%(reference)s is not booked."), reference=order.reference))
    _unbook(order, actor=actor, status=WorkOrderStatus.PROPOSED, event="unassigned", data={"reason": reason.strip()})
    # The invitation is cancelled above with the old times; only now does the order forget them.
    if order.kind != WorkOrderKind.DELIVERY:
        order.assignee = None
    order.scheduled_start = order.scheduled_end = order.confirmed_at = None
    order.save(update_fields=["assignee", "scheduled_start", "scheduled_end", "confirmed_at", "updated_at"])
    return order


@transaction.atomic
def work_order_cancel(*, actor: User | None, work_order: WorkOrder, reason: str = "") -> WorkOrder:
    """Cancel an order that is not finished; a booked visit's invitation is withdrawn."""
    order = _lock(work_order)
    if order.status in CLOSED_STATUSES or order.status == WorkOrderStatus.IN_PROGRESS:
        raise Conflict(
            interpolate(
                _("%(reference)s is %(status)s and cannot be cancelled."),
                reference=order.reference,
                status=order.get_status_display(),
            )
        )
    return _unbook(order, actor=actor, status=WorkOrderStatus.CANCELLED, event="cancelled", data={"reason": reason.strip()})


@transaction.atomic
def work_order_mark_no_show(*, actor: User | None, work_order: WorkOrder, note: str = "") -> WorkOrder:
    """Record that the customer was not there; the order goes back to be rescheduled, the miss stays in its history."""
    order = _lock(work_order)
    if order.status not in (WorkOrderStatus.SCHEDULED, WorkOrderStatus.CONFIRMED, WorkOrderStatus.IN_PROGRESS):
        raise Conflict(interpolate(_("%(reference)s is not booked."), reference=order.reference))
    if order.scheduled_start and order.scheduled_start > timezone.now():
        raise ValidationFailed(errors=[FieldError("status", _("the visit has not started yet"), code="too_early")])
    history = {
        "assignee": order.assignee_id,
        "assignee_name": str(order.assignee) if order.assignee else "",
        "start": _iso(order.scheduled_start),
        "end": _iso(order.scheduled_end),
        "note": note.strip(),
    }
    order.status = WorkOrderStatus.NO_SHOW
    order.save(update_fields=["status", "updated_at"])
    work_order_event(order, "no_show", actor=actor, data=history)
    _timeline(order, "work_order_status", actor=actor, data={"status": WorkOrderStatus.NO_SHOW})
    return order


@transaction.atomic
def work_order_confirm(*, actor: User | None, work_order: WorkOrder, via: str = "portal") -> WorkOrder:
    """Record the customer's confirmation of a scheduled visit (once; confirming again changes nothing)."""
    order = _lock(work_order)
    if order.status == WorkOrderStatus.CONFIRMED:
        return order
    if order.status != WorkOrderStatus.SCHEDULED:
        raise Conflict(
            interpolate(
                _("%(reference)s is %(status)s and cannot be confirmed."),
                reference=order.reference,
                status=order.get_status_display(),
            )
        )
    order.status = WorkOrderStatus.CONFIRMED
    order.confirmed_at = timezone.now()
    order.save(update_fields=["status", "confirmed_at", "updated_at"])
    work_order_event(order, "confirmed", actor=actor, data={"via": via, "start": _iso(order.scheduled_start)})
    _timeline(order, "work_order_status", actor=actor, data={"status": WorkOrderStatus.CONFIRMED})
    return order


@transaction.atomic
def work_order_reschedule_request(*, actor: User | None, work_order: WorkOrder, note: str = "") -> WorkOrder:
    """Record that the customer wants another date without picking an offered one; schedulers are told."""
    order = _lock(work_order)
    if order.status not in (WorkOrderStatus.SCHEDULED, WorkOrderStatus.CONFIRMED):
        raise Conflict(interpolate(_("%(reference)s is not booked."), reference=order.reference))
    note = note.strip()[:1000]
    order.reschedule_requested_at = timezone.now()
    order.save(update_fields=["reschedule_requested_at", "updated_at"])
    work_order_event(order, "reschedule_requested", actor=actor, data={"note": note, "start": _iso(order.scheduled_start)})
    link = reverse("console:fieldwork_order", kwargs={"work_order_id": order.pk})
    people = {order.assignee} if order.assignee else set()
    if order.created_by and order.created_by.is_staff:
        people.add(order.created_by)
    for person in people:
        notification_send(
            user=person,
            kind="work_order_reschedule_requested",
            data={"reference": order.reference, "customer": order.customer.name, "note": note or "—"},
            link=link,
        )
    return order


def reminders_send(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Remind customers of tomorrow's visits, once per booking (a moved visit is reminded again)."""
    now = now or timezone.now()
    tomorrow = slots.local_day(now) + dt.timedelta(days=1)
    start, end = slots.day_bounds(tomorrow)
    due = (
        WorkOrder.objects.filter(
            status__in=(WorkOrderStatus.SCHEDULED, WorkOrderStatus.CONFIRMED),
            scheduled_start__gte=start,
            scheduled_start__lt=end,
        )
        .exclude(reminder_sent_for__isnull=False, reminder_sent_for=F("scheduled_start"))
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            order = _lock(WorkOrder(pk=pk))
            if order.reminder_sent_for == order.scheduled_start or order.status not in BOOKED_STATUSES:
                continue
            assert order.scheduled_start is not None
            if order.customer.email:
                message_enqueue(
                    actor=None,
                    customer=order.customer,
                    template_code=REMINDER_TEMPLATE,
                    channel=MessageChannel.EMAIL,
                    context=_visit_context(order),
                    idempotency_key=f"fieldwork:reminder:{order.pk}:{order.scheduled_start.astimezone(dt.UTC):%Y%m%dT%H%M}",
                )
            order.reminder_sent_for = order.scheduled_start
            order.save(update_fields=["reminder_sent_for", "updated_at"])
            work_order_event(order, "reminder_sent", actor=None, data={"start": _iso(order.scheduled_start)})
            sent += 1
    return sent
