"""REST endpoints of referrals: the programme's terms, personal codes, referrals, invitations and the funnel.

Everyone on staff reads; reps and agents record referrals and invite customers; managers reject, switch
codes off and change the programme. A portal customer signed in by session reads only their own referrals.
"""

import datetime as dt
import secrets
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
from aftersales.referrals import selectors, services
from aftersales.referrals.models import InvitationTrigger, Referral, ReferralCode, ReferralSource, ReferralStatus
from aftersales.referrals.schemas import (
    CodeActiveIn,
    CodeIn,
    CodeOut,
    FunnelOut,
    InvitationOut,
    InviteIn,
    ReferralFilter,
    ReferralIn,
    ReferralOut,
    RejectIn,
    SettingsOut,
    SettingsPatch,
)

router = Router(tags=["referrals"])

VIEW = "referrals.view_referral"
ADD = "referrals.add_referral"
REJECT = "referrals.reject_referral"
INVITE = "referrals.invite_referral"
MANAGE = "referrals.manage_referralsettings"


def _customer(request: HttpRequest, customer_id: int, field: str) -> Customer:
    customer = customers_visible_to(request.user).filter(pk=customer_id).first()
    if customer is None:
        raise ValidationFailed(errors=[FieldError(field=field, reason=_("does not exist"), code="not_found")])
    return customer


def _referral(request: HttpRequest, referral_id: int) -> Referral:
    referral = selectors.referrals_visible_to(request.user).filter(pk=referral_id).first()
    if referral is None:
        raise NotFound(_("No such referral."))
    return referral


@router.get("/settings", response=SettingsOut)
def settings_get(request: HttpRequest) -> Any:
    """Return the programme's terms."""
    require_perm(request.user, VIEW)
    return SettingsOut.of(services.programme_settings())


@router.patch("/settings", response=SettingsOut)
def settings_update(request: HttpRequest, payload: SettingsPatch) -> Any:
    """Change some of the programme's terms."""
    require_perm(request.user, VIEW, MANAGE)
    data = payload.dict(exclude_unset=True)
    return SettingsOut.of(services.programme_update(actor=request.user, data=data))  # type: ignore[arg-type]


@router.post("/codes", response=CodeOut)
def code_get_or_create(request: HttpRequest, payload: CodeIn) -> Any:
    """Return a customer's personal code and link, creating them on first need."""
    require_perm(request.user, VIEW, "customers.view_customer")
    return CodeOut.of(services.code_for(customer=_customer(request, payload.customer_id, "customer_id")))


@router.patch("/codes/{code}", response=CodeOut)
def code_switch(request: HttpRequest, code: str, payload: CodeActiveIn) -> Any:
    """Switch a personal code on or off (off: its link takes no more friends)."""
    require_perm(request.user, VIEW, MANAGE)
    found = ReferralCode.objects.filter(code=services.code_normalize(code)).select_related("customer").first()
    if found is None:
        raise NotFound(_("No such referral code."))
    return CodeOut.of(services.code_set_active(actor=request.user, code=found, active=payload.active))  # type: ignore[arg-type]


@router.get("/referrals", response=list[ReferralOut])
@paginate(Paged)
def referral_list(request: HttpRequest, filters: Query[ReferralFilter]) -> Any:
    """List the referrals you may see, newest first."""
    if is_staff_member(request.user):
        require_perm(request.user, VIEW)
    return selectors.referrals_filtered(
        selectors.referrals_visible_to(request.user), **filters.dict(exclude={"q"}), text=filters.q
    )


@router.post("/referrals", response={201: ReferralOut})
def referral_create(request: HttpRequest, payload: ReferralIn) -> Any:
    """Record a friend a customer referred; a fraud guard answers 400 naming the field and keeps the rejection for staff."""
    require_perm(request.user, VIEW, ADD)
    referrer = _customer(request, payload.referrer_id, "referrer_id")
    referral = services.referral_record(
        actor=request.user,  # type: ignore[arg-type]
        referrer=referrer,
        source=ReferralSource.API,
        **payload.dict(exclude={"referrer_id"}),
    )
    if referral.status == ReferralStatus.REJECTED:
        raise services.rejection_error(referral)
    return 201, ReferralOut.of(referral)


@router.get("/referrals/{referral_id}", response=ReferralOut)
def referral_get(request: HttpRequest, referral_id: int) -> Any:
    """Return one referral."""
    if is_staff_member(request.user):
        require_perm(request.user, VIEW)
    return ReferralOut.of(_referral(request, referral_id))


@router.post("/referrals/{referral_id}/reject", response=ReferralOut)
def referral_reject(request: HttpRequest, referral_id: int, payload: RejectIn) -> Any:
    """Reject a pending referral, with a note."""
    require_perm(request.user, VIEW, REJECT)
    referral = _referral(request, referral_id)
    return ReferralOut.of(services.referral_reject(actor=request.user, referral=referral, note=payload.note))  # type: ignore[arg-type]


@router.post("/invitations", response={201: InvitationOut})
def invitation_create(request: HttpRequest, payload: InviteIn) -> Any:
    """Invite a customer to refer a friend (409 within the cool-down)."""
    require_perm(request.user, VIEW, INVITE)
    customer = _customer(request, payload.customer_id, "customer_id")
    key = payload.idempotency_key or f"staff:{secrets.token_hex(12)}"
    invitation = services.referral_invite(
        actor=request.user,  # type: ignore[arg-type]
        customer=customer,
        trigger=InvitationTrigger.STAFF,
        idempotency_key=key,
    )
    return 201, invitation


@router.get("/funnel", response=FunnelOut)
def funnel(request: HttpRequest, since: dt.date | None = None, until: dt.date | None = None) -> Any:
    """Return the referral funnel of a period (the last 90 days by default)."""
    require_perm(request.user, VIEW)
    if since is not None and until is not None and since > until:
        raise ValidationFailed(errors=[FieldError(field="since", reason=_("must be on or before until"))])
    return FunnelOut.of(selectors.referral_funnel(since=since, until=until))
