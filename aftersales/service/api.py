"""REST endpoints for tickets: list, open, read, change, reply, note, attach, merge, bulk, calls and call-backs.

Staff see the tickets their role allows (``selectors.tickets_visible_to``); a portal customer signed in
by session sees and answers only their own, never internal notes; anything else is 404.
"""

from pathlib import PurePath
from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Header, Query, Router, UploadedFile
from ninja.pagination import paginate

from aftersales.core.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from aftersales.core.models import User
from aftersales.core.pagination import Paged
from aftersales.core.permissions import is_staff_member, require_perm
from aftersales.customers.models import Customer
from aftersales.customers.selectors import customer_for_portal_user, customers_visible_to
from aftersales.sales.models import Unit
from aftersales.sales.selectors import units_visible_to
from aftersales.service import selectors, services
from aftersales.service.models import Callback, Macro, Queue, Ticket, TicketChannel
from aftersales.service.schemas import (
    AssignIn,
    BulkIn,
    BulkOut,
    CallbackDoneIn,
    CallbackIn,
    CallbackOut,
    CallIn,
    MergeIn,
    MessageOut,
    NoteIn,
    ReplyIn,
    StatusIn,
    TicketDetailOut,
    TicketFilter,
    TicketIn,
    TicketOut,
    TicketPatch,
)

router = Router(tags=["tickets"])

WORK = "service.work_ticket"


def _ticket(request: HttpRequest, number: int) -> Ticket:
    ticket = selectors.tickets_visible_to(request.user).filter(number=number).first()
    if ticket is None:
        raise NotFound(_("No such ticket."))
    return ticket


def _portal_customer(request: HttpRequest) -> Customer | None:
    """Return the signed-in customer when the caller is a portal account, else None (staff)."""
    if is_staff_member(request.user):
        return None
    customer = customer_for_portal_user(request.user)
    if customer is None:
        raise PermissionDenied(_("Only staff and customers with a portal account can do this."))
    return customer


def _record(model: Any, pk: int | None, field: str, queryset: Any = None) -> Any:
    if pk is None:
        return None
    record = (queryset if queryset is not None else model._default_manager).filter(pk=pk).first()
    if record is None:
        raise ValidationFailed(errors=[FieldError(field=field, reason=_("does not exist"), code="not_found")])
    return record


def _detail(request: HttpRequest, number: int) -> Any:
    detail = selectors.ticket_detail(user=request.user, number=number)
    if detail is None:
        raise NotFound(_("No such ticket."))
    return {"ticket": detail.ticket, "messages": detail.messages, "events": detail.events}


@router.get("/tickets", response=list[TicketOut])
@paginate(Paged)
def ticket_list(request: HttpRequest, filters: Query[TicketFilter]) -> Any:
    if _portal_customer(request) is None:
        require_perm(request.user, "service.view_ticket")
    return selectors.ticket_list(user=request.user, filters=filters.dict()).prefetch_related("tags", "followers")


@router.get("/tickets/unanswered", response=list[TicketOut])
@paginate(Paged)
def ticket_unanswered(request: HttpRequest) -> Any:
    """Tickets without any public reply yet, oldest first."""
    require_perm(request.user, "service.view_ticket")
    return selectors.tickets_unanswered(visible_to=request.user).prefetch_related("tags", "followers")


@router.get("/tickets/mine", response=list[TicketOut])
@paginate(Paged)
def ticket_mine(request: HttpRequest) -> Any:
    """The caller's own active tickets ("my work")."""
    require_perm(request.user, "service.view_ticket")
    return selectors.tickets_my_work(request.user).prefetch_related("tags", "followers")


@router.post("/tickets", response={201: TicketOut, 200: TicketOut})
def ticket_create(
    request: HttpRequest, payload: TicketIn, idempotency_key: str | None = Header(None, alias="Idempotency-Key")
) -> Any:
    customer = _portal_customer(request)
    if customer is None:
        require_perm(request.user, "service.add_ticket")
        customer = _record(Customer, payload.customer_id, "customer_id", customers_visible_to(request.user))
        if customer is None:
            raise ValidationFailed(errors=[FieldError(field="customer_id", reason=_("is required"), code="required")])
    key = payload.idempotency_key or idempotency_key
    existed = bool(key) and Ticket.objects.filter(idempotency_key=key).exists()
    channel = payload.channel if is_staff_member(request.user) else TicketChannel.PORTAL
    ticket = services.ticket_open(
        actor=request.user,
        customer=customer,
        subject=payload.subject,
        body=payload.body,
        kind=payload.kind,
        channel=channel,
        unit=_record(Unit, payload.unit_id, "unit_id", units_visible_to(request.user)),
        priority=payload.priority if is_staff_member(request.user) else None,
        language=payload.language,
        idempotency_key=key,
    )
    return (200 if existed else 201), ticket


@router.get("/tickets/{int:number}", response=TicketDetailOut)
def ticket_get(request: HttpRequest, number: int) -> Any:
    return _detail(request, number)


@router.patch("/tickets/{int:number}", response=TicketOut)
def ticket_update(request: HttpRequest, number: int, payload: TicketPatch) -> Any:
    """Change fields; send only those that change (``"assignee_id": null`` unassigns)."""
    require_perm(request.user, WORK)
    ticket = _ticket(request, number)
    data = payload.dict(exclude_unset=True)
    changes = {key: value for key, value in data.items() if key not in ("unit_id", "queue_id", "assignee_id")}
    if "unit_id" in data:
        changes["unit"] = _record(Unit, data["unit_id"], "unit_id", units_visible_to(request.user))
    if "queue_id" in data:
        changes["queue"] = _record(Queue, data["queue_id"], "queue_id")
    if "assignee_id" in data:
        changes["assignee"] = _record(User, data["assignee_id"], "assignee_id")
    services.ticket_edit(actor=request.user, ticket=ticket, changes=changes)
    return _ticket(request, number)


@router.post("/tickets/{int:number}/replies", response={201: MessageOut})
def ticket_reply(request: HttpRequest, number: int, payload: ReplyIn) -> Any:
    """Staff: a public reply. A portal customer: their message on their ticket (a resolved ticket opens again)."""
    ticket = _ticket(request, number)
    if _portal_customer(request) is not None:
        return 201, services.ticket_customer_reply(ticket=ticket, body=payload.body, channel=TicketChannel.PORTAL)
    require_perm(request.user, WORK)
    return 201, services.ticket_reply(actor=request.user, ticket=ticket, body=payload.body, status=payload.status)  # type: ignore[arg-type]


@router.post("/tickets/{int:number}/notes", response={201: MessageOut})
def ticket_note(request: HttpRequest, number: int, payload: NoteIn) -> Any:
    """An internal note: staff only, never shown to the customer."""
    require_perm(request.user, "service.note_ticket")
    ticket = _ticket(request, number)
    return 201, services.ticket_note(actor=request.user, ticket=ticket, body=payload.body)  # type: ignore[arg-type]


@router.post("/tickets/{int:number}/attachments", response={201: MessageOut})
def ticket_attach(
    request: HttpRequest,
    number: int,
    files: File[list[UploadedFile]],
    body: Form[str] = "",
    visibility: Form[str] = "public",
) -> Any:
    """Send files (multipart ``files``) with a message: a reply, an internal note or the customer's message."""
    ticket = _ticket(request, number)
    text = body or ", ".join(PurePath(str(upload.name)).name for upload in files)
    if _portal_customer(request) is not None:
        return 201, services.ticket_customer_reply(ticket=ticket, body=text, attachments=files, channel=TicketChannel.PORTAL)
    if visibility == "internal":
        require_perm(request.user, "service.note_ticket")
        return 201, services.ticket_note(actor=request.user, ticket=ticket, body=text, attachments=files)  # type: ignore[arg-type]
    require_perm(request.user, WORK)
    return 201, services.ticket_reply(actor=request.user, ticket=ticket, body=text, attachments=files)  # type: ignore[arg-type]


@router.get("/tickets/{int:number}/attachments/{int:attachment_id}")
def ticket_attachment_download(request: HttpRequest, number: int, attachment_id: int) -> Any:
    """Download an attachment; a customer cannot reach a file of an internal note."""
    attachment = selectors.attachment_visible(user=request.user, attachment_id=attachment_id)
    if attachment is None or attachment.ticket.number != number or not attachment.file.storage.exists(attachment.file.name or ""):
        raise NotFound(_("No such attachment."))
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.file_name)
    response["Content-Type"] = attachment.content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.post("/tickets/{int:number}/status", response=TicketOut)
def ticket_status(request: HttpRequest, number: int, payload: StatusIn) -> Any:
    require_perm(request.user, WORK)
    services.ticket_set_status(actor=request.user, ticket=_ticket(request, number), status=payload.status, reason=payload.reason)
    return _ticket(request, number)


@router.post("/tickets/{int:number}/assign", response=TicketOut)
def ticket_assign(request: HttpRequest, number: int, payload: AssignIn) -> Any:
    require_perm(request.user, WORK)
    assignee = _record(User, payload.assignee_id, "assignee_id")
    services.ticket_assign(actor=request.user, ticket=_ticket(request, number), assignee=assignee)
    return _ticket(request, number)


@router.post("/tickets/{int:number}/merge", response=TicketOut)
def ticket_merge(request: HttpRequest, number: int, payload: MergeIn) -> Any:
    """Merge this ticket into ``target_number`` (same customer); returns the target."""
    require_perm(request.user, WORK)
    source = _ticket(request, number)
    target = selectors.tickets_visible_to(request.user).filter(number=payload.target_number).first()
    if target is None:
        raise ValidationFailed(errors=[FieldError(field="target_number", reason=_("no such ticket"), code="not_found")])
    return services.ticket_merge(actor=request.user, source=source, target=target)


@router.post("/tickets/bulk", response=BulkOut)
def ticket_bulk(request: HttpRequest, payload: BulkIn) -> Any:
    """Assign, merge or close (with a reply) many tickets at once; all or nothing."""
    require_perm(request.user, WORK)
    visible = selectors.tickets_visible_to(request.user)
    ids = list(visible.filter(number__in=payload.numbers).values_list("pk", flat=True))
    if len(ids) != len(set(payload.numbers)):
        raise ValidationFailed(errors=[FieldError(field="numbers", reason=_("some tickets do not exist"), code="not_found")])
    target = visible.filter(number=payload.target_number).first() if payload.target_number else None
    changed = services.tickets_bulk(
        actor=request.user,  # type: ignore[arg-type]
        ticket_ids=ids,
        action=payload.action,
        assignee=_record(User, payload.assignee_id, "assignee_id"),
        target=target,
        body=payload.body,
        status=payload.status,
    )
    return {"changed": [ticket.number for ticket in changed]}


@router.post("/tickets/{int:number}/macros/{int:macro_id}", response=TicketOut)
def ticket_macro(request: HttpRequest, number: int, macro_id: int) -> Any:
    require_perm(request.user, WORK)
    macro = _record(Macro, macro_id, "macro_id")
    return services.macro_apply(actor=request.user, ticket=_ticket(request, number), macro=macro)  # type: ignore[arg-type]


@router.post("/tickets/calls", response={201: TicketOut})
def ticket_call(request: HttpRequest, payload: CallIn) -> Any:
    """Log a phone call or a walk-in: a new ticket, or the customer's words on one of their tickets."""
    require_perm(request.user, WORK)
    customer = _record(Customer, payload.customer_id, "customer_id", customers_visible_to(request.user))
    ticket = _ticket(request, payload.ticket_number) if payload.ticket_number else None
    return 201, services.call_log(
        actor=request.user,  # type: ignore[arg-type]
        customer=customer,
        body=payload.body,
        ticket=ticket,
        unit=_record(Unit, payload.unit_id, "unit_id", units_visible_to(request.user)),
        subject=payload.subject,
        kind=payload.kind,
        channel=payload.channel,
        answered=payload.answered,
    )


@router.post("/tickets/{int:number}/callbacks", response={201: CallbackOut})
def ticket_callback(request: HttpRequest, number: int, payload: CallbackIn) -> Any:
    require_perm(request.user, "service.add_callback")
    ticket = _ticket(request, number)
    assignee = _record(User, payload.assignee_id, "assignee_id")
    return 201, services.callback_schedule(
        actor=request.user,  # type: ignore[arg-type]
        ticket=ticket,
        due_at=payload.due_at,
        assignee=assignee,
        note=payload.note,
    )


@router.get("/callbacks", response=list[CallbackOut])
@paginate(Paged)
def callback_list(request: HttpRequest) -> Any:
    """The caller's call-backs still to make, earliest first."""
    require_perm(request.user, "service.view_ticket")
    return selectors.callbacks_due(request.user)


@router.post("/callbacks/{int:callback_id}/done", response=CallbackOut)
def callback_done(request: HttpRequest, callback_id: int, payload: CallbackDoneIn) -> Any:
    require_perm(request.user, "service.change_callback")
    visible = selectors.tickets_visible_to(request.user).values("pk")
    callback = Callback.objects.filter(pk=callback_id, ticket__in=visible).first()
    if callback is None:
        raise NotFound(_("No such call-back."))
    return services.callback_done(actor=request.user, callback=callback, note=payload.note)  # type: ignore[arg-type]
