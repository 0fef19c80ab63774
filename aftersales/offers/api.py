"""REST endpoints of vouchers and offers.

Everyone on staff with the permission looks vouchers up and checks codes; reps, agents and managers redeem;
managers issue, cancel and send offers. A portal customer signed in by session reads only their own personal
vouchers (anything else is 404).
"""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.pagination import paginate

from aftersales.core.errors import FieldError, NotFound, ValidationFailed
from aftersales.core.pagination import Paged
from aftersales.core.permissions import is_staff_member, require_perm
from aftersales.customers.models import Customer
from aftersales.customers.selectors import customers_visible_to
from aftersales.offers import selectors, services
from aftersales.offers.models import Offer, Voucher
from aftersales.offers.schemas import (
    CancelIn,
    CheckIn,
    CheckOut,
    OfferIn,
    OfferOut,
    PreviewOut,
    RedeemIn,
    RedemptionOut,
    VoucherDetailOut,
    VoucherFilter,
    VoucherIn,
    VoucherOut,
)
from aftersales.sales.models import Sale
from aftersales.sales.selectors import sales_visible_to

router = Router(tags=["offers"])

VIEW = "offers.view_voucher"
ISSUE = "offers.issue_voucher"
REDEEM = "offers.redeem_voucher"
VIEW_OFFERS = "offers.view_offer"
SEND = "offers.send_offer"


def _voucher(request: HttpRequest, voucher_id: int) -> Voucher:
    voucher = selectors.vouchers_visible_to(request.user).filter(pk=voucher_id).first()
    if voucher is None:
        raise NotFound(_("No such voucher."))
    return voucher


def _offer(offer_id: int) -> Offer:
    offer = Offer.objects.select_related("shared_voucher").filter(pk=offer_id).first()
    if offer is None:
        raise NotFound(_("No such offer."))
    return offer


def _customer(request: HttpRequest, customer_id: int | None) -> Customer | None:
    if customer_id is None:
        return None
    customer = customers_visible_to(request.user).filter(pk=customer_id).first()
    if customer is None:
        raise ValidationFailed(errors=[FieldError(field="customer_id", reason=_("does not exist"), code="not_found")])
    return customer


def _sale(request: HttpRequest, sale_id: int | None) -> Sale | None:
    if sale_id is None:
        return None
    sale = sales_visible_to(request.user).filter(pk=sale_id).first()
    if sale is None:
        raise ValidationFailed(errors=[FieldError(field="sale_id", reason=_("does not exist"), code="not_found")])
    return sale


@router.get("/vouchers", response=list[VoucherOut])
@paginate(Paged)
def voucher_list(request: HttpRequest, filters: Query[VoucherFilter]) -> Any:
    """List the vouchers you may see, newest first."""
    if is_staff_member(request.user):
        require_perm(request.user, VIEW)
    queryset = selectors.vouchers_filtered(
        selectors.vouchers_visible_to(request.user).prefetch_related("segments", "categories"),
        **filters.dict(exclude={"q"}),
        text=filters.q,
    )
    return queryset


@router.post("/vouchers", response={201: VoucherOut})
def voucher_issue(request: HttpRequest, payload: VoucherIn) -> Any:
    """Issue a voucher; the same idempotency key twice returns the first one."""
    require_perm(request.user, VIEW, ISSUE)
    values = payload.dict(exclude={"customer_id", "segment_ids", "category_ids"})
    voucher = services.voucher_issue(
        actor=request.user,  # type: ignore[arg-type]
        customer=_customer(request, payload.customer_id),
        segments=payload.segment_ids,
        categories=payload.category_ids,
        **values,
    )
    return 201, VoucherOut.of(voucher)


@router.post("/vouchers/check", response=CheckOut)
def voucher_check(request: HttpRequest, payload: CheckIn) -> Any:
    """Say whether a code applies to a customer (and a sale, amount or categories) and its discount; redeems nothing."""
    require_perm(request.user, VIEW)
    customer = _customer(request, payload.customer_id)
    assert customer is not None
    assessment = selectors.voucher_check(
        code=payload.code,
        customer=customer,
        sale=_sale(request, payload.sale_id),
        amount=payload.amount,
        categories=payload.category_ids,
    )
    return CheckOut.of(assessment, payload.code)


@router.post("/vouchers/redeem", response={201: RedemptionOut})
def voucher_redeem(request: HttpRequest, payload: RedeemIn) -> Any:
    """Redeem a code for a customer once per idempotency key; every refusal names its field and reason."""
    require_perm(request.user, VIEW, REDEEM)
    customer = _customer(request, payload.customer_id)
    assert customer is not None
    redemption = services.voucher_redeem(
        actor=request.user,  # type: ignore[arg-type]
        code=payload.code,
        customer=customer,
        sale=_sale(request, payload.sale_id),
        amount=payload.amount,
        idempotency_key=payload.idempotency_key,
    )
    return 201, RedemptionOut.of(redemption)


@router.get("/vouchers/{voucher_id}", response=VoucherDetailOut)
def voucher_detail(request: HttpRequest, voucher_id: int) -> Any:
    """Return a voucher with its redemptions."""
    if is_staff_member(request.user):
        require_perm(request.user, VIEW)
    return VoucherDetailOut.of(_voucher(request, voucher_id))


@router.post("/vouchers/{voucher_id}/cancel", response=VoucherOut)
def voucher_cancel(request: HttpRequest, voucher_id: int, payload: CancelIn) -> Any:
    """Cancel a voucher, with the reason."""
    require_perm(request.user, VIEW, ISSUE)
    voucher = services.voucher_cancel(actor=request.user, voucher=_voucher(request, voucher_id), reason=payload.reason)  # type: ignore[arg-type]
    return VoucherOut.of(voucher)


@router.get("/offers", response=list[OfferOut])
@paginate(Paged)
def offer_list(request: HttpRequest, status: str = "", q: str = "") -> Any:
    """List special offers, newest first."""
    require_perm(request.user, VIEW_OFFERS)
    return [OfferOut.of(offer, selectors.offer_results(offer)) for offer in selectors.offers_filtered(status=status, text=q)]


@router.post("/offers", response={201: OfferOut})
def offer_create(request: HttpRequest, payload: OfferIn) -> Any:
    """Draft a special offer."""
    require_perm(request.user, VIEW_OFFERS, "offers.add_offer")
    offer = services.offer_create(actor=request.user, data=payload.data())  # type: ignore[arg-type]
    return 201, OfferOut.of(offer, selectors.offer_results(offer))


@router.get("/offers/{offer_id}", response=OfferOut)
def offer_detail(request: HttpRequest, offer_id: int) -> Any:
    """Return an offer with its results: messages queued and suppressed, vouchers issued and redeemed."""
    require_perm(request.user, VIEW_OFFERS)
    offer = _offer(offer_id)
    return OfferOut.of(offer, selectors.offer_results(offer))


@router.get("/offers/{offer_id}/preview", response=PreviewOut)
def offer_preview(request: HttpRequest, offer_id: int) -> Any:
    """Count the offer's recipients and those the outbox will not message for lack of consent or address."""
    require_perm(request.user, VIEW_OFFERS)
    return PreviewOut.of(selectors.offer_preview(_offer(offer_id)))


@router.post("/offers/{offer_id}/send", response={202: OfferOut})
def offer_send(request: HttpRequest, offer_id: int) -> Any:
    """Start sending a draft offer; a background worker queues one message per recipient."""
    require_perm(request.user, VIEW_OFFERS, SEND)
    offer = services.offer_send(actor=request.user, offer=_offer(offer_id))  # type: ignore[arg-type]
    return 202, OfferOut.of(offer, selectors.offer_results(offer))
