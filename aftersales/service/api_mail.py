"""REST endpoints of service desk email: the mailboxes polled and the log of mail taken in."""

from typing import Any

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.pagination import paginate

from aftersales.core.errors import NotFound
from aftersales.core.pagination import Paged
from aftersales.core.permissions import require_perm
from aftersales.service import mailboxes
from aftersales.service.mail_in import inbound_retry, mailbox_fetch
from aftersales.service.models import InboundMail, Mailbox
from aftersales.service.schemas_mail import FetchOut, InboundFilter, InboundMailOut, MailboxIn, MailboxOut, MailboxPatch

router = Router(tags=["service desk email"])


def _mailbox(pk: int) -> Mailbox:
    mailbox = Mailbox.objects.filter(pk=pk).first()
    if mailbox is None:
        raise NotFound(_("No such mailbox."))
    return mailbox


def _inbound(pk: int) -> InboundMail:
    inbound = InboundMail.objects.select_related("ticket").filter(pk=pk).first()
    if inbound is None:
        raise NotFound(_("No such email."))
    return inbound


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    return {("queue" if key == "queue_id" else key): value for key, value in data.items()}


@router.get("/mailboxes", response=list[MailboxOut])
def mailbox_list(request: HttpRequest) -> Any:
    require_perm(request.user, "service.view_mailbox")
    return Mailbox.objects.order_by("pk")


@router.post("/mailboxes", response={201: MailboxOut})
def mailbox_create(request: HttpRequest, payload: MailboxIn) -> Any:
    require_perm(request.user, "service.add_mailbox")
    return 201, mailboxes.mailbox_create(actor=request.user, data=_fields(payload.dict()))  # type: ignore[arg-type]


@router.patch("/mailboxes/{int:mailbox_id}", response=MailboxOut)
def mailbox_update(request: HttpRequest, mailbox_id: int, payload: MailboxPatch) -> Any:
    require_perm(request.user, "service.change_mailbox")
    data = _fields(payload.dict(exclude_unset=True))
    return mailboxes.mailbox_update(actor=request.user, mailbox=_mailbox(mailbox_id), data=data)  # type: ignore[arg-type]


@router.delete("/mailboxes/{int:mailbox_id}", response={204: None})
def mailbox_delete(request: HttpRequest, mailbox_id: int) -> Any:
    require_perm(request.user, "service.delete_mailbox")
    mailboxes.mailbox_delete(actor=request.user, mailbox=_mailbox(mailbox_id))  # type: ignore[arg-type]
    return 204, None


@router.post("/mailboxes/{int:mailbox_id}/fetch", response=FetchOut)
def mailbox_fetch_now(request: HttpRequest, mailbox_id: int) -> Any:
    """Poll a mailbox now (a connection test too: a failure comes back in ``error``)."""
    require_perm(request.user, "service.change_mailbox")
    return mailbox_fetch(mailbox=_mailbox(mailbox_id))


@router.get("/inbound-mail", response=list[InboundMailOut])
@paginate(Paged)
def inbound_list(request: HttpRequest, filters: Query[InboundFilter]) -> Any:
    require_perm(request.user, "service.view_inboundmail")
    return mailboxes.inbound_mail_filtered(**filters.dict())


@router.get("/inbound-mail/{int:inbound_id}/raw")
def inbound_raw(request: HttpRequest, inbound_id: int) -> Any:
    """Download the email exactly as it arrived (``message/rfc822``)."""
    require_perm(request.user, "service.view_inboundmail")
    inbound = _inbound(inbound_id)
    if not inbound.raw.name or not inbound.raw.storage.exists(inbound.raw.name):
        raise NotFound(_("The raw email is no longer stored."))
    return FileResponse(
        inbound.raw.open("rb"), as_attachment=True, filename=f"email-{inbound.pk}.eml", content_type="message/rfc822"
    )


@router.post("/inbound-mail/{int:inbound_id}/retry", response=InboundMailOut)
def inbound_retry_now(request: HttpRequest, inbound_id: int) -> Any:
    """Take a failed email in again from its kept raw message."""
    require_perm(request.user, "service.change_inboundmail")
    return inbound_retry(inbound=_inbound(inbound_id))
