"""Portal screens of field service: my visits, confirming a date or choosing another, and the emailed link.

The emailed link works without signing in, but only for the one visit it names, only for the booking
it was sent about, and only until it expires; it shows that visit and nothing else.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.models import User
from aftersales.customers.models import Customer
from aftersales.fieldwork import invites
from aftersales.fieldwork.models import BOOKED_STATUSES, WorkOrder, WorkOrderStatus
from aftersales.fieldwork.services import scheduling
from aftersales.fieldwork.slots import Slot, slots_propose
from aftersales.messaging.rules import customer_zone
from aftersales.portal.access import portal_view

OFFERED = 6


def _visits(customer: Customer) -> QuerySet[WorkOrder]:
    return WorkOrder.objects.filter(customer=customer).select_related("assignee").prefetch_related("units__product")


def slot_value(slot: Slot) -> str:
    """Return how a slot travels in a form: who and when."""
    return f"{slot.assignee_id}|{slot.start.astimezone(dt.UTC).isoformat()}"


def _offer(order: WorkOrder) -> list[dict[str, Any]]:
    if order.status not in (WorkOrderStatus.SCHEDULED, WorkOrderStatus.CONFIRMED):
        return []
    offered = [slot for slot in slots_propose(order, limit=OFFERED + 1) if slot.start != order.scheduled_start][:OFFERED]
    return [{"value": slot_value(slot), "start": slot.start, "end": slot.end, "with": slot.assignee_name} for slot in offered]


def _slot_pick(order: WorkOrder, value: str) -> tuple[User, dt.datetime] | None:
    """Return the person and time of a chosen slot, if it is still one we would offer."""
    try:
        person_id, start_text = value.split("|", 1)
        start = dt.datetime.fromisoformat(start_text)
        person = User.objects.get(pk=int(person_id))
    except (ValueError, User.DoesNotExist):
        return None
    if timezone.is_naive(start):
        return None
    day = start.astimezone(timezone.get_default_timezone()).date()
    free = slots_propose(order, day, days=1, limit=200, per_day=200, assignee=person)
    return (person, start) if any(slot.start == start for slot in free) else None


def _act(request: HttpRequest, order: WorkOrder, actor: User | None) -> None:
    """Carry out what the customer chose: confirm, take an offered slot, or ask for another date."""
    action = request.POST.get("action", "")
    try:
        if action == "confirm":
            scheduling.work_order_confirm(actor=actor, work_order=order, via="portal" if actor else "email_link")
            messages.success(request, _("Thank you: the visit is confirmed."))
        elif action == "pick":
            chosen = _slot_pick(order, request.POST.get("slot", ""))
            if chosen is None:
                messages.error(request, _("That time is no longer free. Please choose another one."))
                return
            person, start = chosen
            scheduling.work_order_reschedule(actor=actor, work_order=order, assignee=person, start=start, requested_by="customer")
            messages.success(request, _("The visit is moved. We have emailed you the new invitation."))
        elif action == "request":
            scheduling.work_order_reschedule_request(actor=actor, work_order=order, note=request.POST.get("note", ""))
            messages.success(request, _("We will call you to find another date."))
        else:
            messages.error(request, _("Choose what to do."))
    except (Conflict, ValidationFailed) as failure:
        if isinstance(failure, ValidationFailed):
            messages.error(request, " ".join(str(error.reason) for error in failure.errors))
        else:
            messages.error(request, str(failure.message))


@portal_view
def visit_list(request: HttpRequest, customer: Customer) -> HttpResponse:
    visits = _visits(customer)
    context = {
        "section": "visits",
        "upcoming": visits.filter(status__in=BOOKED_STATUSES).order_by("scheduled_start"),
        "past": visits.exclude(status__in=BOOKED_STATUSES).exclude(status=WorkOrderStatus.PROPOSED).order_by("-updated_at")[:20],
        "proposed": visits.filter(status=WorkOrderStatus.PROPOSED),
    }
    return render(request, "portal/fieldwork/visits.html", context)


@portal_view
def visit_detail(request: HttpRequest, customer: Customer, work_order_id: int) -> HttpResponse:
    order = _visits(customer).filter(pk=work_order_id).first()
    if order is None:
        raise Http404(_("No such visit."))
    if request.method == "POST":
        _act(request, order, request.user)  # type: ignore[arg-type]
        return redirect("portal:visit", work_order_id=order.pk)
    context = {"section": "visits", "order": order, "offer": _offer(order), "action_url": request.path}
    return render(request, "portal/fieldwork/visit.html", context)


def visit_link(request: HttpRequest, token: str) -> HttpResponse:
    """Open the one visit an emailed link names, in the customer's language; confirm or move it."""
    link = invites.visit_link_read(token)
    order = WorkOrder.objects.select_related("customer", "assignee").filter(pk=link.work_order_id).first() if link else None
    if link is None or order is None or order.ics_sequence != link.revision or order.status not in BOOKED_STATUSES:
        return render(request, "portal/fieldwork/visit_link_invalid.html", status=404)
    customer = order.customer
    translation.activate(customer.language)
    request.LANGUAGE_CODE = customer.language  # type: ignore[attr-defined]
    with timezone.override(customer_zone(customer.time_zone)):
        if request.method == "POST":
            _act(request, order, None)
            order.refresh_from_db()
            if order.ics_sequence != link.revision:
                # Moved: the old link is spent; continue on the new one.
                return redirect("portal:visit_link", token=invites.visit_token(order))
            return redirect("portal:visit_link", token=token)
        context = {"order": order, "offer": _offer(order), "action_url": request.path, "by_link": True}
        return render(request, "portal/fieldwork/visit.html", context)


@portal_view
@require_POST
def visit_confirm(request: HttpRequest, customer: Customer, work_order_id: int) -> HttpResponse:
    order = _visits(customer).filter(pk=work_order_id).first()
    if order is None:
        raise Http404(_("No such visit."))
    try:
        scheduling.work_order_confirm(actor=request.user, work_order=order)  # type: ignore[arg-type]
        messages.success(request, _("Thank you: the visit is confirmed."))
    except Conflict as failure:
        messages.error(request, str(failure.message))
    return redirect("portal:visits")
