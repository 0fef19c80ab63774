"""REST endpoints for customers and their timeline."""

from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.pagination import paginate

from aftersales.core.errors import NotFound
from aftersales.core.pagination import Paged
from aftersales.core.permissions import require_perm
from aftersales.core.schemas import TimelineEventOut
from aftersales.core.timeline import timeline_for_customer
from aftersales.customers import selectors, services
from aftersales.customers.models import Customer
from aftersales.customers.schemas import ConsentIn, CustomerFilter, CustomerIn, CustomerOut, CustomerPatch

router = Router(tags=["customers"])

CustomerOrdering = Literal["name", "-name", "created_at", "-created_at", "id", "-id"]


def _visible(request: HttpRequest, customer_id: int) -> Customer:
    customer = selectors.customers_visible_to(request.user).prefetch_related("segments").filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("No such customer."))
    return customer


@router.get("/customers", response=list[CustomerOut])
@paginate(Paged)
def customer_list(request: HttpRequest, filters: Query[CustomerFilter], ordering: CustomerOrdering = "name") -> Any:
    queryset = selectors.customers_visible_to(request.user).prefetch_related("segments")
    queryset = selectors.customer_search(queryset=queryset, text=filters.q or "")
    queryset = filters.model_copy(update={"q": None}).filter(queryset)
    return queryset.order_by(ordering, "id")


@router.post("/customers", response={201: CustomerOut})
def customer_create(request: HttpRequest, payload: CustomerIn) -> Any:
    require_perm(request.user, "customers.add_customer")
    data = payload.dict(exclude={"consents", "segments"})
    customer = services.customer_create(actor=request.user, data=data, consents=payload.consents, segments=payload.segments)  # type: ignore[arg-type]
    return 201, customer


@router.get("/customers/{customer_id}", response=CustomerOut)
def customer_get(request: HttpRequest, customer_id: int) -> Any:
    return _visible(request, customer_id)


@router.patch("/customers/{customer_id}", response=CustomerOut)
def customer_update(request: HttpRequest, customer_id: int, payload: CustomerPatch) -> Any:
    customer = _visible(request, customer_id)
    require_perm(request.user, "customers.change_customer")
    data = payload.dict(exclude_unset=True, exclude={"segments"})
    return services.customer_update(actor=request.user, customer=customer, data=data, segments=payload.segments)  # type: ignore[arg-type]


@router.post("/customers/{customer_id}/consents", response=CustomerOut)
def customer_consent(request: HttpRequest, customer_id: int, payload: ConsentIn) -> Any:
    customer = _visible(request, customer_id)
    if customer.user_id != request.user.pk:
        require_perm(request.user, "customers.change_customer")
    return services.customer_set_consent(actor=request.user, customer=customer, channel=payload.channel, given=payload.given)  # type: ignore[arg-type]


@router.get("/customers/{customer_id}/timeline", response=list[TimelineEventOut])
@paginate(Paged)
def customer_timeline(request: HttpRequest, customer_id: int) -> Any:
    customer = _visible(request, customer_id)
    return timeline_for_customer(customer_id=customer.pk)
