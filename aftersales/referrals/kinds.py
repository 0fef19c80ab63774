"""Referrals' entries in the customer timeline."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.timeline import kind_register
from aftersales.referrals.models import InvitationStatus, InvitationTrigger, ReferralSource, ReferralStatus, RejectionReason

kind_register(
    "referral_invited",
    label=_("Referral invitation"),
    sentence=_("Invited to refer a friend (%(trigger)s): %(status)s"),
    choices={"trigger": InvitationTrigger, "status": InvitationStatus},
)
kind_register(
    "referral_recorded",
    label=_("Referral"),
    sentence=_("Referred %(friend)s (%(source)s): %(status)s"),
    choices={"source": ReferralSource, "status": ReferralStatus},
)
kind_register(
    "referral_rejected",
    label=_("Referral rejected"),
    sentence=_("The referral of %(friend)s was rejected: %(reason)s"),
    choices={"reason": RejectionReason},
)
kind_register(
    "referral_converted",
    label=_("Referral converted"),
    sentence=_("%(friend)s, referred by this customer, made their first purchase (%(sale)s)"),
)
kind_register(
    "referral_joined",
    label=_("Referred customer"),
    sentence=_("First purchase as a friend referred by %(referrer)s"),
)
kind_register(
    "referral_rewarded",
    label=_("Referral reward"),
    sentence=_("Rewarded for referring %(friend)s: %(reward)s"),
)
kind_register(
    "referral_rewarded_friend",
    label=_("Referral reward"),
    sentence=_("Welcome reward as a referred friend: %(reward)s"),
)
kind_register(
    "referral_expired",
    label=_("Referral expired"),
    sentence=_("The referral of %(friend)s expired without a purchase"),
)
kind_register(
    "referral_code_switched",
    label=_("Referral code"),
    sentence=_("Referral code %(code)s switched %(state)s"),
)
