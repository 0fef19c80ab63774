"""Portal screens of repairs: follow my repairs, and answer a quote signed in or from the email's signed link."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.core.errors import Conflict
from aftersales.customers.models import Customer
from aftersales.portal.access import portal_view
from aftersales.warranty import selectors_repairs, services
from aftersales.warranty.models import (
    QuoteChannel,
    QuoteStatus,
    RepairEventKind,
    RepairOrder,
    RepairQuote,
    RepairStatus,
)
from aftersales.warranty.repair_links import QuoteLinkExpired, QuoteLinkInvalid, quote_link_read

# The steps a customer sees, in order; cancelled is shown on its own.
STEPS = (
    RepairStatus.RECEIVED,
    RepairStatus.DIAGNOSING,
    RepairStatus.WAITING_FOR_PARTS,
    RepairStatus.REPAIRING,
    RepairStatus.READY,
    RepairStatus.RETURNED,
)
# What a customer reads in their repair's history: status moves and quotes, not workshop detail.
CUSTOMER_EVENTS = (
    RepairEventKind.OPENED,
    RepairEventKind.STATUS,
    RepairEventKind.QUOTE_SENT,
    RepairEventKind.QUOTE_APPROVED,
    RepairEventKind.QUOTE_DECLINED,
)


def _repairs(customer: Customer) -> QuerySet[RepairOrder]:
    return RepairOrder.objects.filter(customer=customer).select_related("unit", "unit__product")


def _order(customer: Customer, order_id: int) -> RepairOrder:
    order = _repairs(customer).filter(pk=order_id).first()
    if order is None:
        raise Http404(_("No such repair."))
    return order


def _billable_lines(order: RepairOrder) -> list[Any]:
    return list(order.lines.filter(removed_at__isnull=True, covered=False).select_related("part").order_by("id"))


def _quote_context(order: RepairOrder) -> dict[str, Any]:
    quote = services.current_quote(order)
    return {
        "quote": quote,
        "billable_lines": _billable_lines(order),
        "totals": services.order_totals(order),
    }


def _steps(order: RepairOrder) -> list[dict[str, Any]]:
    reached: dict[str, Any] = {RepairStatus.RECEIVED: order.received_at}
    for event in order.events.filter(kind=RepairEventKind.STATUS).order_by("at", "id"):
        reached.setdefault(event.data.get("to", ""), event.at)
    current = STEPS.index(order.status) if order.status in STEPS else -1
    return [
        {
            "status": status,
            "label": RepairStatus(status).label,
            "at": reached.get(status),
            "done": index < current or order.status == RepairStatus.RETURNED,
            "current": index == current,
        }
        for index, status in enumerate(STEPS)
        # Waiting for parts is shown only to those whose repair waited.
        if status != RepairStatus.WAITING_FOR_PARTS or status in reached or order.status == status
    ]


@portal_view
def repair_list(request: HttpRequest, customer: Customer) -> HttpResponse:
    return render(request, "portal/repairs/list.html", {"section": "repairs", "repairs": _repairs(customer)})


@portal_view
def repair_detail(request: HttpRequest, customer: Customer, order_id: int) -> HttpResponse:
    order = _order(customer, order_id)
    history = [
        (event, text) for event, text in selectors_repairs.repair_history_described(order) if event.kind in CUSTOMER_EVENTS
    ]
    context = {"section": "repairs", "order": order, "steps": _steps(order), "history": history, **_quote_context(order)}
    return render(request, "portal/repairs/detail.html", context)


@portal_view
@require_POST
def repair_quote_answer(request: HttpRequest, customer: Customer, order_id: int) -> HttpResponse:
    order = _order(customer, order_id)
    number = request.POST.get("quote") or ""
    quote = order.quotes.filter(pk=int(number) if number.isdigit() else 0, status=QuoteStatus.PENDING).first()
    approve = request.POST.get("answer") == "approve"
    if quote is None:
        messages.error(request, _("This quote was already answered or replaced by a newer one."))
        return redirect("portal:repair", order_id=order.pk)
    try:
        services.repair_quote_decide(actor=request.user, quote=quote, approve=approve, via=QuoteChannel.PORTAL)  # type: ignore[arg-type]
    except Conflict as refused:
        messages.error(request, str(refused.message))
    else:
        messages.success(
            request, _("Thank you: we will start the repair.") if approve else _("Noted: we will return your product unrepaired.")
        )
    return redirect("portal:repair", order_id=order.pk)


def quote_link(request: HttpRequest, token: str) -> HttpResponse:
    """Show the quote an emailed link names and take the answer (POST), without signing in; nothing else is reachable."""
    try:
        link = quote_link_read(token)
    except QuoteLinkExpired:
        return render(request, "portal/repairs/link_invalid.html", {"expired": True}, status=410)
    except QuoteLinkInvalid:
        return render(request, "portal/repairs/link_invalid.html", {"expired": False}, status=400)
    quote = (
        RepairQuote.objects.filter(order_id=link.order_id, number=link.number)
        .select_related("order", "order__customer", "order__unit", "order__unit__product")
        .first()
    )
    if quote is None:
        return render(request, "portal/repairs/link_invalid.html", {"expired": False}, status=400)
    order = quote.order
    with translation.override(order.customer.language):
        request.LANGUAGE_CODE = order.customer.language  # type: ignore[attr-defined]
        answered = ""
        if request.method == "POST" and quote.status == QuoteStatus.PENDING:
            approve = request.POST.get("answer") == "approve"
            try:
                quote = services.repair_quote_decide(actor=None, quote=quote, approve=approve, via=QuoteChannel.EMAIL_LINK)
            except Conflict as refused:
                messages.error(request, str(refused.message))
            else:
                answered = "approved" if approve else "declined"
        context = {
            "order": order,
            "quote": quote,
            "answered": answered,
            "billable_lines": list(
                order.lines.filter(removed_at__isnull=True, covered=False).select_related("part").order_by("id")
            ),
        }
        return render(request, "portal/repairs/link.html", context)
