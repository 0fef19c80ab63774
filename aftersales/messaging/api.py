"""REST endpoints of the outbox: templates, preview, the message log, enqueueing and SMS delivery reports."""

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Header, Query, Router, Schema
from ninja.pagination import paginate

from aftersales.core.errors import Conflict, NotFound, PermissionDenied
from aftersales.core.pagination import Paged
from aftersales.core.permissions import require_perm
from aftersales.customers.selectors import customers_visible_to
from aftersales.messaging import selectors, services
from aftersales.messaging.models import MessageTemplate
from aftersales.messaging.schemas import (
    DeliveryReportIn,
    DeliveryReportOut,
    MessageDetailOut,
    MessageIn,
    MessageOut,
    PreviewIn,
    PreviewOut,
    TemplateIn,
    TemplateOut,
    TemplatePatch,
)
from aftersales.sales.models import Unit

router = Router(tags=["messaging"])


class TemplateFilter(Schema):
    code: str = ""
    channel: str = ""
    language: str = ""
    q: str = ""


class MessageFilter(Schema):
    customer_id: int | None = None
    status: str = ""
    channel: str = ""
    purpose: str = ""
    assignee_id: int | None = None
    q: str = ""


def _template(template_id: int) -> MessageTemplate:
    template = MessageTemplate.objects.filter(pk=template_id).first()
    if template is None:
        raise NotFound(_("No such template."))
    return template


def _customer(request: HttpRequest, customer_id: int | None) -> Any:
    if customer_id is None:
        return None
    customer = customers_visible_to(request.user).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("No such customer."))
    return customer


@router.get("/messaging/templates", response=list[TemplateOut])
@paginate(Paged)
def template_list(request: HttpRequest, filters: Query[TemplateFilter]) -> Any:
    require_perm(request.user, "messaging.view_messagetemplate")
    return selectors.templates_filtered(code=filters.code, channel=filters.channel, language=filters.language, text=filters.q)


@router.post("/messaging/templates", response={201: TemplateOut})
def template_create(request: HttpRequest, payload: TemplateIn) -> Any:
    require_perm(request.user, "messaging.add_messagetemplate")
    return 201, services.template_create(actor=request.user, data=payload.dict())  # type: ignore[arg-type]


@router.post("/messaging/templates/preview", response=PreviewOut)
def template_preview(request: HttpRequest, payload: PreviewIn) -> Any:
    require_perm(request.user, "messaging.view_messagetemplate")
    customer = _customer(request, payload.customer_id)
    return selectors.template_preview(
        subject=payload.subject, body=payload.body, language=payload.language, purpose=payload.purpose, customer=customer
    )


@router.get("/messaging/templates/{template_id}", response=TemplateOut)
def template_get(request: HttpRequest, template_id: int) -> Any:
    require_perm(request.user, "messaging.view_messagetemplate")
    return _template(template_id)


@router.patch("/messaging/templates/{template_id}", response=TemplateOut)
def template_update(request: HttpRequest, template_id: int, payload: TemplatePatch) -> Any:
    require_perm(request.user, "messaging.change_messagetemplate")
    template = _template(template_id)
    return services.template_update(actor=request.user, template=template, data=payload.dict(exclude_unset=True))  # type: ignore[arg-type]


@router.delete("/messaging/templates/{template_id}", response={204: None})
def template_delete(request: HttpRequest, template_id: int) -> Any:
    require_perm(request.user, "messaging.delete_messagetemplate")
    services.template_delete(actor=request.user, template=_template(template_id))  # type: ignore[arg-type]
    return 204, None


@router.get("/messaging/messages", response=list[MessageOut])
@paginate(Paged)
def message_list(request: HttpRequest, filters: Query[MessageFilter]) -> Any:
    require_perm(request.user, "messaging.view_message")
    return selectors.messages_filtered(
        queryset=selectors.messages_visible_to(request.user),
        customer_id=filters.customer_id,
        status=filters.status,
        channel=filters.channel,
        purpose=filters.purpose,
        assignee_id=filters.assignee_id,
        text=filters.q,
    )


@router.get("/messaging/messages/{message_id}", response=MessageDetailOut)
def message_get(request: HttpRequest, message_id: int) -> Any:
    require_perm(request.user, "messaging.view_message")
    message = selectors.message_with_events(queryset=selectors.messages_visible_to(request.user), message_id=message_id)
    if message is None:
        raise NotFound(_("No such message."))
    return message


@router.post("/messaging/messages", response={200: MessageDetailOut, 201: MessageDetailOut})
def message_enqueue(request: HttpRequest, payload: MessageIn, idempotency_key: str = Header(..., alias="Idempotency-Key")) -> Any:
    require_perm(request.user, "messaging.add_message")
    customer = _customer(request, payload.customer_id)
    key = f"api:{request.user.pk}:{idempotency_key.strip()}"
    existing = selectors.message_by_key(key)
    if existing is not None:
        if (existing.customer_id, existing.template_code, existing.channel) != (
            customer.pk,
            payload.template_code,
            payload.channel,
        ):
            raise Conflict(_("This Idempotency-Key was already used for a different message."))
        return 200, existing
    unit = Unit.objects.filter(pk=payload.unit_id).first() if payload.unit_id else None
    if payload.unit_id and unit is None:
        raise NotFound(_("No such unit."))
    assignee = selectors.staff_member(payload.assignee_id, field="assignee_id") if payload.assignee_id else None
    message = services.message_enqueue(
        actor=request.user,  # type: ignore[arg-type]
        customer=customer,
        template_code=payload.template_code,
        channel=payload.channel,
        context=payload.context,
        idempotency_key=key,
        purpose=payload.purpose,
        unit=unit,
        send_after=payload.send_after,
        assignee=assignee,
    )
    return 201, message


def _signature_valid(request: HttpRequest) -> bool:
    secret = settings.SMS_WEBHOOK_SECRET
    if not secret:
        return False
    expected = "sha256=" + hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, request.headers.get("X-Signature", ""))


@router.post("/messaging/sms/delivery-reports", response=DeliveryReportOut, auth=None)
def sms_delivery_report(request: HttpRequest, payload: DeliveryReportIn) -> Any:
    if not _signature_valid(request):
        raise PermissionDenied(_("The report's signature is missing or wrong."))
    return services.sms_report_apply(provider_message_id=payload.message_id, status=payload.status, detail=payload.detail)
