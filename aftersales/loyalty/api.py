"""REST endpoints of the loyalty programme: settings, tiers, earn rules, each customer's points.

Everyone on staff reads; reps and agents redeem for a customer; managers set the programme up and award
or adjust points. A portal customer signed in by session reads their own standing and statement and
redeems their own points into vouchers; another customer's are 404.
"""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router
from ninja.pagination import paginate

from aftersales.core.errors import FieldError, NotFound, ValidationFailed, one_of
from aftersales.core.pagination import Paged
from aftersales.core.permissions import is_staff_member, require_perm
from aftersales.customers.models import Customer
from aftersales.customers.selectors import customers_visible_to
from aftersales.loyalty import selectors, services
from aftersales.loyalty.models import EarnRule, Tier
from aftersales.loyalty.schemas import (
    AdjustIn,
    AwardIn,
    EarnRuleIn,
    EarnRuleOut,
    EarnRulePatch,
    EntryOut,
    MemberOut,
    OverviewOut,
    ProgrammeOut,
    ProgrammePatch,
    RedeemIn,
    RedeemOut,
    StandingOut,
    TierIn,
    TierOut,
    TierPatch,
)
from aftersales.loyalty.services import setup
from aftersales.sales.models import Sale

router = Router(tags=["loyalty"])

VIEW = "loyalty.view_pointsaccount"
MANAGE = "loyalty.manage_programme"
ADJUST = "loyalty.adjust_points"
REDEEM = "loyalty.redeem_points"


def _customer(request: HttpRequest, customer_id: int, *perms: str) -> Customer:
    """Return a customer the caller may see; staff must also hold the permissions."""
    if is_staff_member(request.user):
        require_perm(request.user, VIEW, *perms)
    customer = customers_visible_to(request.user).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound(_("No such customer."))
    return customer


@router.get("/programme", response=ProgrammeOut)
def programme_detail(request: HttpRequest) -> Any:
    """Return the programme's settings (customers see them too: they explain the statement)."""
    if is_staff_member(request.user):
        require_perm(request.user, "loyalty.view_programme")
    return ProgrammeOut.of(services.programme_get())


@router.patch("/programme", response=ProgrammeOut)
def programme_update(request: HttpRequest, payload: ProgrammePatch) -> Any:
    """Change the programme's settings."""
    require_perm(request.user, MANAGE)
    programme = setup.programme_update(actor=request.user, data=payload.dict(exclude_unset=True))  # type: ignore[arg-type]
    return ProgrammeOut.of(programme)


@router.get("/overview", response=OverviewOut)
def programme_overview(request: HttpRequest) -> Any:
    """Return members, points outstanding and their worth, this month's movements and customers per tier."""
    require_perm(request.user, VIEW, "loyalty.view_programme")
    return OverviewOut.of(selectors.overview())


@router.get("/tiers", response=list[TierOut])
def tier_list(request: HttpRequest) -> Any:
    """List the tiers from the lowest."""
    if is_staff_member(request.user):
        require_perm(request.user, "loyalty.view_tier")
    return [TierOut.of(tier) for tier in Tier.objects.order_by("min_spend")]


@router.post("/tiers", response={201: TierOut})
def tier_create(request: HttpRequest, payload: TierIn) -> Any:
    """Add a tier."""
    require_perm(request.user, MANAGE)
    return 201, TierOut.of(setup.tier_save(actor=request.user, data=payload.dict()))  # type: ignore[arg-type]


def _tier(tier_id: int) -> Tier:
    tier = Tier.objects.filter(pk=tier_id).first()
    if tier is None:
        raise NotFound(_("No such tier."))
    return tier


@router.patch("/tiers/{tier_id}", response=TierOut)
def tier_update(request: HttpRequest, tier_id: int, payload: TierPatch) -> Any:
    """Change a tier."""
    require_perm(request.user, MANAGE)
    data = payload.dict(exclude_unset=True)
    return TierOut.of(setup.tier_save(actor=request.user, tier=_tier(tier_id), data=data))  # type: ignore[arg-type]


@router.delete("/tiers/{tier_id}", response={204: None})
def tier_delete(request: HttpRequest, tier_id: int) -> Any:
    """Remove a tier that has given no free visits."""
    require_perm(request.user, MANAGE)
    setup.tier_delete(actor=request.user, tier=_tier(tier_id))  # type: ignore[arg-type]
    return 204, None


@router.get("/earn-rules", response=list[EarnRuleOut])
def earn_rule_list(request: HttpRequest) -> Any:
    """List the earn rules per category."""
    require_perm(request.user, "loyalty.view_programme")
    return [EarnRuleOut.of(rule) for rule in EarnRule.objects.select_related("category")]


@router.post("/earn-rules", response={201: EarnRuleOut})
def earn_rule_create(request: HttpRequest, payload: EarnRuleIn) -> Any:
    """Add the earn rule of a category."""
    require_perm(request.user, MANAGE)
    return 201, EarnRuleOut.of(setup.earn_rule_save(actor=request.user, data=payload.dict()))  # type: ignore[arg-type]


def _rule(rule_id: int) -> EarnRule:
    rule = EarnRule.objects.select_related("category").filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("No such earn rule."))
    return rule


@router.patch("/earn-rules/{rule_id}", response=EarnRuleOut)
def earn_rule_update(request: HttpRequest, rule_id: int, payload: EarnRulePatch) -> Any:
    """Change an earn rule."""
    require_perm(request.user, MANAGE)
    data = payload.dict(exclude_unset=True)
    return EarnRuleOut.of(setup.earn_rule_save(actor=request.user, rule=_rule(rule_id), data=data))  # type: ignore[arg-type]


@router.delete("/earn-rules/{rule_id}", response={204: None})
def earn_rule_delete(request: HttpRequest, rule_id: int) -> Any:
    """Remove an earn rule."""
    require_perm(request.user, MANAGE)
    setup.earn_rule_delete(actor=request.user, rule=_rule(rule_id))  # type: ignore[arg-type]
    return 204, None


@router.get("/members", response=list[MemberOut])
@paginate(Paged)
def member_list(request: HttpRequest, q: str = "", tier_id: int | None = None) -> Any:
    """List the members, largest balance first."""
    require_perm(request.user, VIEW, "customers.view_customer")
    return selectors.members(text=q, tier_id=tier_id)


@router.get("/customers/{customer_id}", response=StandingOut)
def customer_standing(request: HttpRequest, customer_id: int) -> Any:
    """Return a customer's balance, tier, progress to the next tier and points lapsing within 30 days."""
    return StandingOut.of(selectors.standing(customer=_customer(request, customer_id)))


@router.get("/customers/{customer_id}/statement", response=list[EntryOut])
@paginate(Paged)
def customer_statement(request: HttpRequest, customer_id: int) -> Any:
    """Return a customer's points statement, newest first."""
    customer = _customer(request, customer_id)
    return selectors.statement(customer_id=customer.pk)


@router.post("/customers/{customer_id}/award", response={201: EntryOut})
def customer_award(request: HttpRequest, customer_id: int, payload: AwardIn) -> Any:
    """Award points to a customer (a retry with the same idempotency key returns the first entry)."""
    customer = _customer(request, customer_id, ADJUST)
    require_perm(request.user, ADJUST)
    entry = services.points_award(actor=request.user, customer=customer, **payload.dict())  # type: ignore[arg-type]
    return 201, EntryOut.of(entry)


@router.post("/customers/{customer_id}/adjust", response={201: EntryOut})
def customer_adjust(request: HttpRequest, customer_id: int, payload: AdjustIn) -> Any:
    """Correct a customer's points by hand, with the reason."""
    customer = _customer(request, customer_id, ADJUST)
    require_perm(request.user, ADJUST)
    entry = services.points_adjust(actor=request.user, customer=customer, **payload.dict())  # type: ignore[arg-type]
    return 201, EntryOut.of(entry)


@router.post("/customers/{customer_id}/redeem", response={201: RedeemOut})
def customer_redeem(request: HttpRequest, customer_id: int, payload: RedeemIn) -> Any:
    """Spend points on a voucher, or (staff) as a discount recorded against one of the customer's sales."""
    customer = _customer(request, customer_id, REDEEM)
    if payload.target == "voucher":
        done = services.points_redeem_voucher(
            actor=request.user,  # type: ignore[arg-type]
            customer=customer,
            points=payload.points,
            idempotency_key=payload.idempotency_key,
        )
    elif payload.target == "sale" and is_staff_member(request.user):
        sale = Sale.objects.filter(pk=payload.sale_id, customer=customer).first() if payload.sale_id else None
        if sale is None:
            raise ValidationFailed(errors=[FieldError("sale_id", _("no such sale of this customer"), code="not_found")])
        done = services.points_redeem_sale(
            actor=request.user,  # type: ignore[arg-type]
            customer=customer,
            sale=sale,
            points=payload.points,
            idempotency_key=payload.idempotency_key,
        )
    else:
        allowed = ["voucher", "sale"] if is_staff_member(request.user) else ["voucher"]
        raise ValidationFailed(errors=[FieldError("target", one_of(allowed), code="invalid_choice")])
    redemption = done.redemption
    return 201, RedeemOut(
        entry=EntryOut.of(done.entry),
        kind=redemption.kind,
        points=redemption.points,
        amount=redemption.amount,
        currency=redemption.currency,
        voucher_code=redemption.voucher_code,
        voucher_valid_until=redemption.voucher_valid_until,
        sale_id=redemption.sale_id,
    )
