"""REST endpoints configuring the service desk: queues, routing rules, canned replies, macros, agents and webhooks."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router
from ninja.pagination import paginate

from aftersales.core.errors import NotFound
from aftersales.core.models import User
from aftersales.core.pagination import Paged
from aftersales.core.permissions import require_perm
from aftersales.service import selectors, services, webhooks
from aftersales.service.models import CannedReply, Macro, Queue, RoutingRule, WebhookDelivery, WebhookEndpoint
from aftersales.service.schemas import (
    AgentIn,
    AgentOut,
    CannedIn,
    CannedOut,
    CannedPatch,
    DeliveryOut,
    MacroIn,
    MacroOut,
    MacroPatch,
    QueueIn,
    QueueOut,
    QueuePatch,
    RenderedOut,
    RuleIn,
    RuleOut,
    RulePatch,
    WebhookCreatedOut,
    WebhookIn,
    WebhookOut,
    WebhookPatch,
)
from aftersales.service.services.routing import agent_languages, staff_holding

router = Router(tags=["service desk setup"])

CONFIGURE = "service.configure_service"


def _get(model: Any, pk: int) -> Any:
    record = model._default_manager.filter(pk=pk).first()
    if record is None:
        raise NotFound(_("Not found."))
    return record


def _ids_to_fields(data: dict[str, Any]) -> dict[str, Any]:
    # The services take ``department``, ``queue``… as records or ids; the API names them ``…_id``.
    return {key.removesuffix("_id") if key.endswith("_id") else key: value for key, value in data.items()}


# --- queues ---------------------------------------------------------------------------------------


@router.get("/queues", response=list[QueueOut])
def queue_list(request: HttpRequest) -> Any:
    require_perm(request.user, "service.view_queue")
    return Queue.objects.order_by("name")


@router.post("/queues", response={201: QueueOut})
def queue_create(request: HttpRequest, payload: QueueIn) -> Any:
    require_perm(request.user, CONFIGURE)
    return 201, services.queue_create(actor=request.user, data=_ids_to_fields(payload.dict()))  # type: ignore[arg-type]


@router.patch("/queues/{int:queue_id}", response=QueueOut)
def queue_update(request: HttpRequest, queue_id: int, payload: QueuePatch) -> Any:
    require_perm(request.user, CONFIGURE)
    data = _ids_to_fields(payload.dict(exclude_unset=True))
    return services.queue_update(actor=request.user, queue=_get(Queue, queue_id), data=data)  # type: ignore[arg-type]


@router.delete("/queues/{int:queue_id}", response={204: None})
def queue_delete(request: HttpRequest, queue_id: int) -> Any:
    require_perm(request.user, CONFIGURE)
    services.queue_delete(actor=request.user, queue=_get(Queue, queue_id))  # type: ignore[arg-type]
    return 204, None


# --- routing rules --------------------------------------------------------------------------------


@router.get("/routing-rules", response=list[RuleOut])
def rule_list(request: HttpRequest) -> Any:
    """Rules in the order they are tried; the first match wins."""
    require_perm(request.user, "service.view_routingrule")
    return RoutingRule.objects.order_by("position", "id")


@router.post("/routing-rules", response={201: RuleOut})
def rule_create(request: HttpRequest, payload: RuleIn) -> Any:
    require_perm(request.user, CONFIGURE)
    data = _ids_to_fields(payload.dict(exclude_unset=True))
    return 201, services.routing_rule_create(actor=request.user, data=data)  # type: ignore[arg-type]


@router.patch("/routing-rules/{int:rule_id}", response=RuleOut)
def rule_update(request: HttpRequest, rule_id: int, payload: RulePatch) -> Any:
    require_perm(request.user, CONFIGURE)
    data = _ids_to_fields(payload.dict(exclude_unset=True))
    return services.routing_rule_update(actor=request.user, rule=_get(RoutingRule, rule_id), data=data)  # type: ignore[arg-type]


@router.delete("/routing-rules/{int:rule_id}", response={204: None})
def rule_delete(request: HttpRequest, rule_id: int) -> Any:
    require_perm(request.user, CONFIGURE)
    services.routing_rule_delete(actor=request.user, rule=_get(RoutingRule, rule_id))  # type: ignore[arg-type]
    return 204, None


# --- canned replies -------------------------------------------------------------------------------


@router.get("/canned-replies", response=list[CannedOut])
def canned_list(request: HttpRequest) -> Any:
    require_perm(request.user, "service.view_cannedreply")
    return CannedReply.objects.order_by("title")


@router.post("/canned-replies", response={201: CannedOut})
def canned_create(request: HttpRequest, payload: CannedIn) -> Any:
    require_perm(request.user, CONFIGURE)
    return 201, services.canned_reply_create(actor=request.user, data=payload.dict())  # type: ignore[arg-type]


@router.patch("/canned-replies/{int:reply_id}", response=CannedOut)
def canned_update(request: HttpRequest, reply_id: int, payload: CannedPatch) -> Any:
    require_perm(request.user, CONFIGURE)
    reply = _get(CannedReply, reply_id)
    return services.canned_reply_update(actor=request.user, canned_reply=reply, data=payload.dict(exclude_unset=True))  # type: ignore[arg-type]


@router.delete("/canned-replies/{int:reply_id}", response={204: None})
def canned_delete(request: HttpRequest, reply_id: int) -> Any:
    require_perm(request.user, CONFIGURE)
    services.canned_reply_delete(actor=request.user, canned_reply=_get(CannedReply, reply_id))  # type: ignore[arg-type]
    return 204, None


@router.get("/canned-replies/{int:reply_id}/render", response=RenderedOut)
def canned_render(request: HttpRequest, reply_id: int, ticket: int) -> Any:
    """The reply's text for a ticket (``?ticket=<number>``), in its language with the variables filled in."""
    require_perm(request.user, "service.view_cannedreply")
    found = selectors.tickets_visible_to(request.user).filter(number=ticket).select_related("customer", "unit", "queue").first()
    if found is None:
        raise NotFound(_("No such ticket."))
    reply = _get(CannedReply, reply_id)
    return {"body": services.canned_reply_render(canned_reply=reply, ticket=found, actor=request.user)}


# --- macros ---------------------------------------------------------------------------------------


@router.get("/macros", response=list[MacroOut])
def macro_list(request: HttpRequest) -> Any:
    require_perm(request.user, "service.view_macro")
    return Macro.objects.prefetch_related("tags").order_by("name")


@router.post("/macros", response={201: MacroOut})
def macro_create(request: HttpRequest, payload: MacroIn) -> Any:
    require_perm(request.user, CONFIGURE)
    return 201, services.macro_create(actor=request.user, data=_ids_to_fields(payload.dict()))  # type: ignore[arg-type]


@router.patch("/macros/{int:macro_id}", response=MacroOut)
def macro_update(request: HttpRequest, macro_id: int, payload: MacroPatch) -> Any:
    require_perm(request.user, CONFIGURE)
    data = _ids_to_fields(payload.dict(exclude_unset=True))
    return services.macro_update(actor=request.user, macro=_get(Macro, macro_id), data=data)  # type: ignore[arg-type]


@router.delete("/macros/{int:macro_id}", response={204: None})
def macro_delete(request: HttpRequest, macro_id: int) -> Any:
    require_perm(request.user, CONFIGURE)
    services.macro_delete(actor=request.user, macro=_get(Macro, macro_id))  # type: ignore[arg-type]
    return 204, None


# --- webhooks -------------------------------------------------------------------------------------


@router.get("/webhooks", response=list[WebhookOut])
def webhook_list(request: HttpRequest) -> Any:
    require_perm(request.user, "service.view_webhookendpoint")
    return WebhookEndpoint.objects.order_by("url", "id")


@router.post("/webhooks", response={201: WebhookCreatedOut})
def webhook_create(request: HttpRequest, payload: WebhookIn) -> Any:
    """Register an endpoint; the answer carries its signing secret, shown this once only."""
    require_perm(request.user, "service.add_webhookendpoint")
    endpoint, secret = webhooks.webhook_endpoint_create(actor=request.user, data=payload.dict())  # type: ignore[arg-type]
    return 201, {**WebhookOut.from_orm(endpoint).dict(), "secret": secret}


@router.patch("/webhooks/{int:endpoint_id}", response=WebhookOut)
def webhook_update(request: HttpRequest, endpoint_id: int, payload: WebhookPatch) -> Any:
    require_perm(request.user, "service.change_webhookendpoint")
    endpoint = _get(WebhookEndpoint, endpoint_id)
    return webhooks.webhook_endpoint_update(actor=request.user, endpoint=endpoint, data=payload.dict(exclude_unset=True))  # type: ignore[arg-type]


@router.delete("/webhooks/{int:endpoint_id}", response={204: None})
def webhook_delete(request: HttpRequest, endpoint_id: int) -> Any:
    require_perm(request.user, "service.delete_webhookendpoint")
    webhooks.webhook_endpoint_delete(actor=request.user, endpoint=_get(WebhookEndpoint, endpoint_id))  # type: ignore[arg-type]
    return 204, None


@router.get("/webhooks/{int:endpoint_id}/deliveries", response=list[DeliveryOut])
@paginate(Paged)
def webhook_deliveries(request: HttpRequest, endpoint_id: int) -> Any:
    """The endpoint's delivery log, newest first."""
    require_perm(request.user, "service.view_webhookdelivery")
    return webhooks.webhook_deliveries_of([_get(WebhookEndpoint, endpoint_id).pk])


@router.post("/webhook-deliveries/{int:delivery_id}/retry", response=DeliveryOut)
def webhook_retry(request: HttpRequest, delivery_id: int) -> Any:
    """Send a failed delivery again."""
    require_perm(request.user, "service.change_webhookendpoint")
    return webhooks.webhook_delivery_retry(actor=request.user, delivery=_get(WebhookDelivery, delivery_id))  # type: ignore[arg-type]


# --- agents ---------------------------------------------------------------------------------------


def _agent_out(user: User) -> dict[str, Any]:
    profile = getattr(user, "agent_profile", None)
    return {
        "user_id": user.pk,
        "name": str(user),
        "department_id": user.department_id,
        "languages": sorted(agent_languages(user)),
        "available": profile.available if profile is not None else True,
        "shifts": [
            {"weekday": shift.weekday, "starts_at": shift.starts_at, "ends_at": shift.ends_at} for shift in user.shifts.all()
        ],
    }


@router.get("/agents", response=list[AgentOut])
def agent_list(request: HttpRequest) -> Any:
    """Staff who work tickets, with the languages they speak, whether they take tickets and their shifts."""
    require_perm(request.user, "service.view_ticket")
    agents = staff_holding("service.work_ticket").select_related("agent_profile").prefetch_related("shifts").order_by("pk")
    return [_agent_out(user) for user in agents]


@router.put("/agents/{int:user_id}", response=AgentOut)
def agent_update(request: HttpRequest, user_id: int, payload: AgentIn) -> Any:
    """Set an agent's languages, availability and shifts; agents may switch their own availability."""
    own_availability = user_id == request.user.pk and payload.languages is None and payload.shifts is None
    if not own_availability:
        require_perm(request.user, CONFIGURE)
    user = _get(User, user_id)
    services.agent_profile_set(actor=request.user, user=user, languages=payload.languages, available=payload.available)  # type: ignore[arg-type]
    if payload.shifts is not None:
        shifts = [(shift.weekday, shift.starts_at, shift.ends_at) for shift in payload.shifts]
        services.agent_shifts_set(actor=request.user, user=user, shifts=shifts)  # type: ignore[arg-type]
    return _agent_out(User.objects.select_related("agent_profile").get(pk=user_id))
