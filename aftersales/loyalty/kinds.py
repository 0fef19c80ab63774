"""Loyalty events in the customer timeline."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.timeline import kind_register
from aftersales.loyalty.models import EarnReason

kind_register(
    "points_earned",
    label=_("Points earned"),
    sentence=_("Earned %(points)s points (%(reason)s); balance %(balance)s"),
    choices={"reason": EarnReason},
)
kind_register(
    "points_redeemed",
    label=_("Points redeemed"),
    sentence=_("Redeemed %(points)s points for %(amount)s %(currency)s (%(what)s); balance %(balance)s"),
)
kind_register(
    "points_expired",
    label=_("Points expired"),
    sentence=_("%(points)s points lapsed on %(expires_on)s; balance %(balance)s"),
)
kind_register(
    "points_adjusted",
    label=_("Points adjusted"),
    sentence=_("Points adjusted by %(points)s: %(note)s; balance %(balance)s"),
)
kind_register(
    "points_taken_back",
    label=_("Points taken back"),
    sentence=_("%(points)s points taken back for a refund (%(note)s); balance %(balance)s"),
)
kind_register(
    "tier_changed",
    label=_("Loyalty tier"),
    sentence=_("Loyalty tier changed from %(old)s to %(new)s (12-month spend %(spend)s)"),
)
