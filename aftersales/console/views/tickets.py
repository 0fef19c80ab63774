"""The service desk in the console: ticket lists, the unanswered queue, my work, a ticket's page and its actions.

Every write goes through the ticket services; a refused input comes back next to its field on the
ticket's page. Lists refresh their results with htmx and keep working without it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from aftersales.console.access import staff_view
from aftersales.console.forms import errors_attach
from aftersales.console.forms_tickets import (
    BulkForm,
    CallbackDoneForm,
    CallbackForm,
    CallForm,
    MacroForm,
    MergeForm,
    NewTicketForm,
    NoteForm,
    ReplyForm,
    TagsForm,
    TicketFieldsForm,
    TicketFilterForm,
    reference_number,
)
from aftersales.console.selectors import tickets_sorted
from aftersales.console.ticket_history import history_rows
from aftersales.console.views.common import page_of
from aftersales.core.errors import FieldError, NotFound, ValidationFailed
from aftersales.core.files import stored_file_response
from aftersales.customers.models import Customer
from aftersales.customers.selectors import customer_search, customers_visible_to
from aftersales.sales.selectors import units_of_customer
from aftersales.service.models import ACTIVE_STATUSES, Callback, CannedReply, Ticket, TicketStatus
from aftersales.service.selectors import (
    TicketDetail,
    attachment_visible,
    callbacks_due,
    ticket_detail,
    ticket_list,
    tickets_my_work,
    tickets_of_customer,
    tickets_unanswered_rows,
    tickets_visible_to,
)
from aftersales.service.services import (
    call_log,
    callback_done,
    callback_schedule,
    canned_reply_render,
    macro_apply,
    ticket_assign,
    ticket_escalate,
    ticket_follow,
    ticket_merge,
    ticket_move,
    ticket_note,
    ticket_open,
    ticket_reply,
    ticket_set_priority,
    ticket_set_status,
    ticket_tag,
    tickets_bulk,
)
from aftersales.service.sla import ticket_clocks, tickets_with_sla
from aftersales.service.ticket_rows import TicketRowList

VIEW = "service.view_ticket"
WORK = "service.work_ticket"


def _is_partial(request: HttpRequest) -> bool:
    """Return whether htmx asks for a fragment (a history restore wants the whole page)."""
    htmx = request.htmx  # type: ignore[attr-defined]
    return bool(htmx) and not htmx.history_restore_request


# --- lists ----------------------------------------------------------------------------------------


def _list_context(request: HttpRequest, query: QueryDict) -> dict[str, Any]:
    form = TicketFilterForm(query or None)
    found = ticket_list(user=request.user, filters=form.filters(request.user))
    tickets = tickets_sorted(tickets_with_sla(found), form.ordering())
    return {
        "section": "tickets",
        "form": form,
        "page": page_of(request, TicketRowList(tickets)),
        "bulk_form": BulkForm(),
        "query": query.urlencode(),
    }


@staff_view(VIEW)
def ticket_list_page(request: HttpRequest) -> HttpResponse:
    context = _list_context(request, request.GET)
    if _is_partial(request):
        return render(request, "console/tickets/_results.html", context)
    return render(request, "console/tickets/list.html", context)


@staff_view(VIEW, WORK)
@require_POST
def tickets_bulk_action(request: HttpRequest) -> HttpResponse:
    """Assign, merge or close the ticked tickets at once; the list comes back with the outcome."""
    query = QueryDict(request.POST.get("query", ""))
    form = BulkForm(request.POST)
    visible = tickets_visible_to(request.user)
    ids = [int(pk) for pk in request.POST.getlist("ticket") if pk.isdigit()]
    ids = list(visible.filter(pk__in=ids).values_list("pk", flat=True))
    feedback = ""
    if form.is_valid():
        data = form.cleaned_data
        target = None
        if data["target"]:
            target = visible.filter(number=reference_number(data["target"]) or 0).first()
            if target is None:
                form.add_error("target", _("No ticket you can see has this reference."))
        if form.is_valid():
            try:
                done = tickets_bulk(
                    actor=request.user,  # type: ignore[arg-type]
                    ticket_ids=ids,
                    action=data["action"],
                    assignee=data["assignee"],
                    target=target,
                    body=data["body"],
                    status=data["status"] or TicketStatus.CLOSED,
                )
            except (ValidationFailed, NotFound) as failure:
                errors_attach(form, failure if isinstance(failure, ValidationFailed) else _as_failure(failure))
            else:
                feedback = ngettext("%(count)s ticket changed.", "%(count)s tickets changed.", len(done)) % {"count": len(done)}
    if not _is_partial(request):
        if feedback:
            messages.success(request, feedback)
        elif form.errors:
            messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
        return redirect(f"{reverse('console:tickets')}?{query.urlencode()}")
    context = _list_context(request, query)
    context.update(bulk_form=form if form.errors else BulkForm(), feedback=feedback)
    return render(request, "console/tickets/_results.html", context)


def _as_failure(error: NotFound) -> ValidationFailed:
    return ValidationFailed(errors=[FieldError(field="ticket_ids", reason=error.message)])


@staff_view(VIEW)
def unanswered(request: HttpRequest) -> HttpResponse:
    """The tickets nobody has answered yet, oldest first, with their age and first-response target."""
    tickets = tickets_unanswered_rows(visible_to=request.user)
    return render(request, "console/tickets/unanswered.html", {"section": "unanswered", "page": page_of(request, tickets)})


@staff_view(VIEW)
def my_work(request: HttpRequest) -> HttpResponse:
    """The signed-in staff member's open tickets and the call-backs they promised."""
    context = {
        "section": "my_work",
        "page": page_of(request, TicketRowList(tickets_my_work(request.user))),
        "callbacks": callbacks_due(request.user)[:50],
        "now": timezone.now(),
    }
    return render(request, "console/tickets/my_work.html", context)


# --- one ticket -----------------------------------------------------------------------------------


def _detail(request: HttpRequest, number: int) -> TicketDetail:
    detail = ticket_detail(user=request.user, number=number)
    if detail is None:
        raise Http404(_("No such ticket."))
    return detail


def _visible(request: HttpRequest, number: int) -> Ticket:
    ticket = tickets_visible_to(request.user).filter(number=number).select_related("customer", "queue", "unit").first()
    if ticket is None:
        raise Http404(_("No such ticket."))
    return ticket


def _detail_render(
    request: HttpRequest, detail: TicketDetail, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    ticket = detail.ticket
    user = request.user
    forms = forms or {}
    context = {
        "section": "tickets",
        "ticket": ticket,
        "messages_list": detail.messages,
        "history": history_rows(detail.events),
        "clocks": ticket_clocks(ticket),
        "followers": list(ticket.followers.all()),
        "following": any(follower.pk == user.pk for follower in ticket.followers.all()),
        "tags": [tag.name for tag in ticket.tags.all()],
        "repeats": list(ticket.repeats.order_by("-created_at")[:10]),
        "callbacks": list(ticket.callbacks.filter(done_at__isnull=True).select_related("assignee")),
        "closed": ticket.status == TicketStatus.CLOSED,
        # A form refused above the page (its panel may be hidden, e.g. the ticket was closed meanwhile).
        "refused": next((form for form in forms.values() if form.non_field_errors()), None),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "note_form": forms.get("note_form") or NoteForm(),
        "fields_form": forms.get("fields_form") or TicketFieldsForm(ticket=ticket),
        "tags_form": forms.get("tags_form") or TagsForm(initial={"tags": ", ".join(tag.name for tag in ticket.tags.all())}),
        "merge_form": forms.get("merge_form") or MergeForm(),
        "macro_form": forms.get("macro_form") or MacroForm(),
        "callback_form": forms.get("callback_form") or CallbackForm(),
    }
    return render(request, "console/tickets/detail.html", context, status=status)


@staff_view(VIEW)
def ticket_page(request: HttpRequest, number: int) -> HttpResponse:
    return _detail_render(request, _detail(request, number))


Perform = Callable[[Ticket, dict[str, Any]], tuple[str, Ticket | None]]


def _act(request: HttpRequest, number: int, form: Any, form_name: str, perform: Perform) -> HttpResponse:
    """Run one action on a visible ticket from a posted form; back to the ticket, or its page with the errors."""
    ticket = _visible(request, number)
    if form.is_valid():
        try:
            success, landed = perform(ticket, form.cleaned_data)
        except ValidationFailed as failure:
            errors_attach(form, failure)
        else:
            messages.success(request, success)
            return redirect("console:ticket", number=(landed or ticket).number)
    return _detail_render(request, _detail(request, number), {form_name: form}, status=400)


@staff_view(VIEW, WORK)
@require_POST
def ticket_reply_action(request: HttpRequest, number: int) -> HttpResponse:
    def perform(ticket: Ticket, data: dict[str, Any]) -> tuple[str, None]:
        ticket_reply(
            actor=request.user,  # type: ignore[arg-type]
            ticket=ticket,
            body=data["body"],
            attachments=data["attachments"],
            status=data["status"] or None,
        )
        return _("Reply sent to the customer."), None

    return _act(request, number, ReplyForm(request.POST, request.FILES), "reply_form", perform)


@staff_view(VIEW, "service.note_ticket")
@require_POST
def ticket_note_action(request: HttpRequest, number: int) -> HttpResponse:
    def perform(ticket: Ticket, data: dict[str, Any]) -> tuple[str, None]:
        ticket_note(actor=request.user, ticket=ticket, body=data["body"], attachments=data["attachments"])  # type: ignore[arg-type]
        return _("Internal note added."), None

    return _act(request, number, NoteForm(request.POST, request.FILES), "note_form", perform)


@staff_view(VIEW, WORK)
@require_POST
def ticket_fields_action(request: HttpRequest, number: int) -> HttpResponse:
    """Change status, priority, queue, assignee and level in one go; each change is its own event."""
    ticket = _visible(request, number)
    before = {"assignee": ticket.assignee_id, "status": ticket.status}

    def perform(ticket: Ticket, data: dict[str, Any]) -> tuple[str, None]:
        actor: Any = request.user
        with transaction.atomic():
            if data["queue"].pk != ticket.queue_id:
                ticket = ticket_move(actor=actor, ticket=ticket, queue=data["queue"])
            chosen = data["assignee"].pk if data["assignee"] else None
            if chosen != before["assignee"]:
                ticket = ticket_assign(actor=actor, ticket=ticket, assignee=data["assignee"])
            if data["priority"] != ticket.priority:
                ticket = ticket_set_priority(actor=actor, ticket=ticket, priority=data["priority"])
            if data["escalation_tier"] != ticket.escalation_tier:
                ticket = ticket_escalate(actor=actor, ticket=ticket, tier=data["escalation_tier"])
            if data["status"] != before["status"]:
                ticket_set_status(actor=actor, ticket=ticket, status=data["status"])
        return _("Ticket updated."), None

    return _act(request, number, TicketFieldsForm(request.POST, ticket=ticket), "fields_form", perform)


@staff_view(VIEW, WORK)
@require_POST
def ticket_tags_action(request: HttpRequest, number: int) -> HttpResponse:
    def perform(ticket: Ticket, data: dict[str, Any]) -> tuple[str, None]:
        wanted = {name.lower() for name in form.names()}
        current = set(ticket.tags.values_list("name", flat=True))
        ticket_tag(actor=request.user, ticket=ticket, add=sorted(wanted - current), remove=sorted(current - wanted))
        return _("Tags saved."), None

    form = TagsForm(request.POST)
    return _act(request, number, form, "tags_form", perform)


@staff_view(VIEW)
@require_POST
def ticket_follow_action(request: HttpRequest, number: int) -> HttpResponse:
    ticket = _visible(request, number)
    following = request.POST.get("following") == "1"
    ticket_follow(actor=request.user, ticket=ticket, user=request.user, following=following)  # type: ignore[arg-type]
    messages.success(request, _("You follow this ticket.") if following else _("You no longer follow this ticket."))
    return redirect("console:ticket", number=ticket.number)


@staff_view(VIEW, WORK)
@require_POST
def ticket_merge_action(request: HttpRequest, number: int) -> HttpResponse:
    def perform(ticket: Ticket, data: dict[str, Any]) -> tuple[str, Ticket]:
        target = tickets_visible_to(request.user).filter(number=reference_number(data["target"]) or 0).first()
        if target is None:
            raise ValidationFailed(errors=[FieldError(field="target", reason=_("No ticket you can see has this reference."))])
        merged = ticket_merge(actor=request.user, source=ticket, target=target)
        return _("%(source)s was merged into this ticket.") % {"source": ticket.reference}, merged

    return _act(request, number, MergeForm(request.POST), "merge_form", perform)


@staff_view(VIEW, WORK)
@require_POST
def ticket_macro_action(request: HttpRequest, number: int) -> HttpResponse:
    def perform(ticket: Ticket, data: dict[str, Any]) -> tuple[str, None]:
        macro_apply(actor=request.user, ticket=ticket, macro=data["macro"])  # type: ignore[arg-type]
        return _("Macro “%(name)s” applied.") % {"name": data["macro"].name}, None

    return _act(request, number, MacroForm(request.POST), "macro_form", perform)


@staff_view(VIEW, "service.add_callback")
@require_POST
def ticket_callback_action(request: HttpRequest, number: int) -> HttpResponse:
    def perform(ticket: Ticket, data: dict[str, Any]) -> tuple[str, None]:
        callback_schedule(
            actor=request.user,  # type: ignore[arg-type]
            ticket=ticket,
            due_at=data["due_at"],
            assignee=data["assignee"],
            note=data["note"],
        )
        return _("Call-back scheduled."), None

    return _act(request, number, CallbackForm(request.POST), "callback_form", perform)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@staff_view(VIEW, "service.change_callback")
@require_POST
def callback_done_action(request: HttpRequest, callback_id: int) -> HttpResponse:
    callback = (
        Callback.objects.filter(pk=callback_id, ticket__in=tickets_visible_to(request.user).values("pk"))
        .select_related("ticket")
        .first()
    )
    if callback is None:
        raise Http404(_("No such call-back."))
    form = CallbackDoneForm(request.POST)
    form.is_valid()
    try:
        callback_done(actor=request.user, callback=callback, note=form.cleaned_data.get("note", ""))  # type: ignore[arg-type]
    except ValidationFailed as failure:
        messages.error(request, " ".join(str(error.reason) for error in failure.errors))
    else:
        messages.success(request, _("Call-back to %(customer)s done.") % {"customer": callback.ticket.customer.name})
    return redirect(_safe_next(request, reverse("console:ticket", kwargs={"number": callback.ticket.number})))


@staff_view(VIEW, WORK)
@require_GET
def ticket_canned_preview(request: HttpRequest, number: int) -> HttpResponse:
    """Return the reply box filled with a canned reply in the ticket's language, its variables filled in."""
    ticket = _visible(request, number)
    chosen = request.GET.get("canned_reply", "")
    canned = CannedReply.objects.filter(pk=int(chosen), active=True).first() if chosen.isdigit() else None
    body = canned_reply_render(canned_reply=canned, ticket=ticket, actor=request.user) if canned else ""
    form = ReplyForm(initial={"body": body})
    return render(request, "console/tickets/_reply_body.html", {"field": form["body"], "canned": canned, "ticket": ticket})


@staff_view(VIEW)
def ticket_attachment(request: HttpRequest, attachment_id: int) -> FileResponse:
    """Send an attachment as a download, only to staff who may see its ticket."""
    attachment = attachment_visible(user=request.user, attachment_id=attachment_id)
    if attachment is None:
        raise Http404(_("No such attachment."))
    return stored_file_response(attachment.file, filename=attachment.file_name, content_type=attachment.content_type)


# --- new tickets and calls ------------------------------------------------------------------------


def _customer(request: HttpRequest, customer_id: Any) -> Customer | None:
    text = str(customer_id or "")
    return customers_visible_to(request.user).filter(pk=int(text)).first() if text.isdigit() else None


@staff_view(VIEW, "service.add_ticket", "customers.view_customer")
def ticket_new(request: HttpRequest) -> HttpResponse:
    """Open a ticket on behalf of a customer: pick the customer first, then write what they asked."""
    customer = _customer(request, request.GET.get("customer"))
    if customer is None:
        text = request.GET.get("q", "").strip()
        found = (
            customer_search(queryset=customers_visible_to(request.user), text=text).order_by("name", "id")[:20] if text else []
        )
        return render(request, "console/tickets/new_choose.html", {"section": "tickets", "q": text, "found": found})
    form = NewTicketForm(request.POST or None, request.FILES or None, units=units_of_customer(customer=customer))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = ticket_open(
                actor=request.user,
                customer=customer,
                subject=data["subject"],
                body=data["body"],
                kind=data["kind"],
                channel=data["channel"],
                unit=data["unit"],
                priority=data["priority"] or None,
                attachments=data["attachments"],
            )
        except ValidationFailed as failure:
            errors_attach(form, failure)
        else:
            messages.success(request, _("Ticket %(reference)s opened.") % {"reference": ticket.reference})
            return redirect("console:ticket", number=ticket.number)
    status = 400 if form.errors else 200
    return render(request, "console/tickets/new.html", {"section": "tickets", "customer": customer, "form": form}, status=status)


def call_form_for(customer: Customer, data: Any = None) -> CallForm:
    """Return the "Log a call" form of a customer's page, offering their open tickets."""
    open_tickets = Ticket.objects.filter(customer=customer, status__in=ACTIVE_STATUSES).order_by("-created_at")[:20]
    return CallForm(data, units=units_of_customer(customer=customer), open_tickets=open_tickets)


def customer_tickets_context(request: HttpRequest, customer: Customer, call_form: CallForm | None = None) -> dict[str, Any]:
    """Return what the customer page shows of the service desk: their tickets and the call form."""
    if not request.user.has_perm(VIEW):
        return {}
    return {
        "customer_tickets": tickets_with_sla(tickets_of_customer(customer_id=customer.pk, user=request.user))[:10],
        "call_form": call_form or call_form_for(customer),
    }


def customer_log_call(request: HttpRequest, customer: Customer, render_page: Callable[..., HttpResponse]) -> HttpResponse:
    """Log a phone call or a walk-in from the customer page (a new ticket or a reply), with a call-back if asked."""
    form = call_form_for(customer, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                ticket = call_log(
                    actor=request.user,  # type: ignore[arg-type]
                    customer=customer,
                    body=data["body"],
                    ticket=form.chosen_ticket(),
                    unit=data["unit"],
                    subject=data["subject"],
                    kind=data["kind"] or "question",
                    channel=data["channel"],
                    answered=data["answered"],
                )
                if data["callback_at"]:
                    callback_schedule(actor=request.user, ticket=ticket, due_at=data["callback_at"])  # type: ignore[arg-type]
        except ValidationFailed as failure:
            errors_attach(form, failure, renames={"due_at": "callback_at"})
        else:
            messages.success(request, _("Call logged on %(reference)s.") % {"reference": ticket.reference})
            return redirect("console:ticket", number=ticket.number)
    return render_page(call_form=form, status=400)
