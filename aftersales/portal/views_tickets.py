"""The customer's requests in the portal: the list, a new request, one request's conversation, its files.

A customer only ever reaches their own tickets (any other number answers "not found") and never
sees internal notes: the service's selectors leave them out for customers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.core.errors import ValidationFailed
from aftersales.core.files import stored_file_response
from aftersales.core.forms import errors_attach
from aftersales.customers.models import Customer
from aftersales.portal.access import portal_view
from aftersales.portal.forms import RequestForm, RequestReplyForm
from aftersales.sales.models import Unit
from aftersales.sales.selectors import units_of_customer
from aftersales.service.models import SlaClock, SlaClockStatus, SlaMetric, Ticket, TicketChannel, TicketStatus
from aftersales.service.selectors import attachment_visible, ticket_detail, tickets_visible_to
from aftersales.service.services import ticket_customer_reply, ticket_open
from aftersales.service.sla import ticket_clocks, tickets_with_sla

PER_PAGE = 20

# Statuses as a customer understands them: what we do is ours to know, whether they must act is theirs.
CUSTOMER_STATUS = {
    TicketStatus.NEW: gettext_lazy("Received"),
    TicketStatus.OPEN: gettext_lazy("In progress"),
    TicketStatus.WAITING_CUSTOMER: gettext_lazy("Waiting for your reply"),
    TicketStatus.WAITING_THIRD_PARTY: gettext_lazy("In progress"),
    TicketStatus.RESOLVED: gettext_lazy("Resolved"),
    TicketStatus.CLOSED: gettext_lazy("Closed"),
}


@dataclass(frozen=True)
class Expectation:
    """One line of "what happens next": a sentence and, when there is one, the moment it names."""

    text: str | Promise
    at: dt.datetime | None = None


def _status(ticket: Ticket) -> str | Promise:
    return CUSTOMER_STATUS.get(ticket.status, ticket.get_status_display())  # type: ignore[call-overload]


def _next_step(ticket: Any) -> Expectation | None:
    """Return what the customer may expect of a listed ticket (annotated by ``tickets_with_sla``)."""
    if ticket.status == TicketStatus.WAITING_CUSTOMER:
        return Expectation(gettext_lazy("We wait for your reply."))
    if ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        return Expectation(gettext_lazy("Resolved on"), ticket.resolved_at) if ticket.resolved_at else None
    due_at = getattr(ticket, "sla_due_at", None)
    if due_at is None:
        return None
    if getattr(ticket, "sla_breached", False) or due_at <= timezone.now():
        return Expectation(gettext_lazy("It is taking longer than we aimed for; we are on it."))
    if ticket.first_public_reply_at is None:
        return Expectation(gettext_lazy("We aim to answer by"), due_at)
    return Expectation(gettext_lazy("We aim to resolve it by"), due_at)


def _expectations(ticket: Ticket, clocks: list[SlaClock]) -> list[Expectation]:
    """Return the answer and resolution times of one ticket: done when, or expected by when."""
    current = {clock.metric: clock for clock in clocks if clock.tier == ticket.escalation_tier}
    lines = []
    if ticket.first_public_reply_at is not None:
        lines.append(Expectation(gettext_lazy("First answered on"), ticket.first_public_reply_at))
    else:
        lines.extend(_clock_line(current.get(SlaMetric.FIRST_RESPONSE), gettext_lazy("We aim to answer by")))
    if ticket.resolved_at is not None:
        lines.append(Expectation(gettext_lazy("Resolved on"), ticket.resolved_at))
    else:
        lines.extend(_clock_line(current.get(SlaMetric.RESOLUTION), gettext_lazy("We aim to resolve it by")))
    return lines


def _clock_line(clock: SlaClock | None, expected: str | Promise) -> list[Expectation]:
    if clock is None or clock.stopped_at is not None:
        return []
    if clock.status == SlaClockStatus.PAUSED:
        return [Expectation(gettext_lazy("The clock is stopped while we wait for your reply."))]
    if clock.status == SlaClockStatus.BREACHED or clock.due_at <= timezone.now():
        return [Expectation(gettext_lazy("It is taking longer than we aimed for; we are on it."))]
    return [Expectation(expected, clock.due_at)]


def _units(customer: Customer) -> Any:
    return units_of_customer(customer=customer)


@portal_view
def request_list(request: HttpRequest, customer: Customer) -> HttpResponse:
    tickets = tickets_with_sla(tickets_visible_to(request.user).filter(merged_into__isnull=True))
    tickets = tickets.select_related("unit", "unit__product").order_by("-created_at", "-id")
    page = Paginator(tickets, PER_PAGE).get_page(request.GET.get("page"))
    rows = [(ticket, _status(ticket), _next_step(ticket)) for ticket in page]
    return render(request, "portal/tickets/list.html", {"section": "requests", "page": page, "rows": rows})


@portal_view
def request_new(request: HttpRequest, customer: Customer) -> HttpResponse:
    """Open a request about one of the customer's products (or none), with photos."""
    initial = {"unit": request.GET.get("unit")} if request.GET.get("unit", "").isdigit() else None
    form = RequestForm(
        request.POST or None, request.FILES or None, units=_units(customer), language=customer.language, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit: Unit | None = data["unit"]
        try:
            ticket = ticket_open(
                actor=request.user,
                customer=customer,
                subject=data["subject"],
                body=data["body"],
                kind=data["kind"],
                channel=TicketChannel.PORTAL,
                unit=unit,
                attachments=data["attachments"],
            )
        except ValidationFailed as failure:
            errors_attach(form, failure)
        else:
            messages.success(request, _("Thank you. We received your request %(reference)s.") % {"reference": ticket.reference})
            return redirect("portal:request", number=ticket.number)
    status = 400 if form.errors else 200
    return render(request, "portal/tickets/new.html", {"section": "requests", "form": form}, status=status)


@portal_view
def request_detail(request: HttpRequest, customer: Customer, number: int) -> HttpResponse:
    """Show one of the customer's requests (never an internal note) and take their reply."""
    detail = ticket_detail(user=request.user, number=number)
    if detail is None or not detail.for_customer:
        raise Http404(_("No such request."))
    ticket = detail.ticket
    form = RequestReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            message = ticket_customer_reply(
                ticket=ticket,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
                channel=TicketChannel.PORTAL,
            )
        except ValidationFailed as failure:
            errors_attach(form, failure)
        else:
            landed = Ticket.objects.only("number").get(pk=message.ticket_id)
            if landed.pk != ticket.pk:
                messages.success(
                    request, _("That request was closed, so we opened %(reference)s for you.") % {"reference": landed.reference}
                )
            else:
                messages.success(request, _("Your reply was sent."))
            return redirect("portal:request", number=landed.number)
    context = {
        "section": "requests",
        "ticket": ticket,
        "status": _status(ticket),
        "conversation": detail.messages,
        "expectations": _expectations(ticket, ticket_clocks(ticket)),
        "form": form,
    }
    return render(request, "portal/tickets/detail.html", context, status=400 if form.errors else 200)


@portal_view
def request_attachment(request: HttpRequest, customer: Customer, attachment_id: int) -> FileResponse:
    """Send a file of one of the customer's own requests (never one from an internal note)."""
    attachment = attachment_visible(user=request.user, attachment_id=attachment_id)
    if attachment is None:
        raise Http404(_("No such file."))
    return stored_file_response(attachment.file, filename=attachment.file_name, content_type=attachment.content_type)
