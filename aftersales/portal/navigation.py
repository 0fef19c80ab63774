"""The portal's navigation: what a customer may open, grouped so that a phone shows a short bar and a menu.

Drawn by ``core.navigation`` like the console's: every group on a wide screen; on a phone the pinned group
(products and requests), the group of the page the customer is on and the menu page (``/portal/menu/``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.core.navigation import Group, Link, ShownGroup, navigation_shown

PORTAL_NAVIGATION: tuple[Group, ...] = (
    Group(
        _("My products and requests"),
        "mine",
        (
            Link(_("My products"), "portal:products"),
            Link(_("My requests"), "portal:requests"),
        ),
        pinned=True,
    ),
    Group(
        _("Service and repairs"),
        "service",
        (
            Link(_("My claims"), "portal:claims"),
            Link(_("My repairs"), "portal:repairs"),
            Link(_("My returns"), "portal:returns"),
            Link(_("My visits"), "portal:visits"),
            Link(_("My contracts"), "portal:contracts"),
        ),
    ),
    Group(
        _("Rewards"),
        "rewards",
        (
            Link(_("My points"), "portal:loyalty"),
            Link(_("My vouchers"), "portal:vouchers"),
            Link(_("Refer a friend"), "portal:referrals"),
            Link(_("Contests"), "portal:contests"),
        ),
    ),
    Group(
        _("My account"),
        "account",
        (
            Link(_("My surveys"), "portal:surveys"),
            Link(_("Newsletter"), "portal:newsletter"),
            Link(_("Profile"), "portal:profile"),
            Link(_("Preferences"), "portal:preferences"),
        ),
    ),
)


def portal_navigation(user: Any, section: str = "") -> list[ShownGroup]:
    """Return the portal's groups with the page's link marked; nothing for a visitor who is not signed in."""
    if user is None or not user.is_authenticated:
        return []
    return navigation_shown(PORTAL_NAVIGATION, user, section)
