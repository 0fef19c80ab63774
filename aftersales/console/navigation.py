"""The console's navigation: its links grouped by area of work, each shown to the staff its permissions allow.

One declaration (``NAVIGATION``) serves the side navigation of every page, the strip a phone shows instead
(the links always at hand, the current page's group and the way to the menu) and the menu page that lists
every group. A page marks its link current by the ``section`` it renders with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.console.selectors import TicketCounts, ticket_counts
from aftersales.core.models import Notification


@dataclass(frozen=True)
class Link:
    """One entry of the navigation.

    ``perms``: the permissions it needs, all of them (none: every staff member). ``unless``: a permission that
    hides it, for an entry that stands in for another one the staff member does not see. ``sections``: the
    pages' ``section`` values that make it current (its URL name when not given). ``count``: the figure shown
    beside it (see ``_COUNTS``).
    """

    label: Promise
    url_name: str
    perms: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    unless: str = ""
    count: str = ""

    def current_in(self, section: str) -> bool:
        return section in (self.sections or (self.url_name.rpartition(":")[2],))

    def shown_to(self, user: Any) -> bool:
        return all(user.has_perm(perm) for perm in self.perms) and not (self.unless and user.has_perm(self.unless))


@dataclass(frozen=True)
class Group:
    """Links of one area of work under a heading. The ``pinned`` group holds the links always at hand: no heading
    beside them in the side navigation, and a phone's strip shows them on every page."""

    label: Promise
    key: str
    links: tuple[Link, ...]
    pinned: bool = False


_TICKETS = ("service.view_ticket",)

NAVIGATION: tuple[Group, ...] = (
    Group(
        _("Your work"),
        "mine",
        (
            Link(_("Home"), "console:home"),
            Link(_("Inbox"), "console:inbox", count="inbox"),
            Link(_("My day"), "console:followup_my_day", ("followup.view_stafftask",), sections=("my_day",)),
            Link(_("My work"), "console:my_work", _TICKETS, count="my_work"),
            Link(_("My visits"), "console:visits_my_day", ("fieldwork.perform_workorder",)),
        ),
        pinned=True,
    ),
    Group(
        _("Service desk"),
        "service",
        (
            Link(_("Tickets"), "console:tickets", _TICKETS, count="tickets"),
            Link(_("Unanswered"), "console:tickets_unanswered", _TICKETS, sections=("unanswered",), count="unanswered"),
        ),
    ),
    Group(
        _("Customers and sales"),
        "sales",
        (
            Link(_("Customers"), "console:customers", ("customers.view_customer",)),
            Link(_("Units"), "console:units", ("sales.view_unit",)),
            Link(_("Sales"), "console:sales", ("sales.view_sale",)),
            Link(_("Import"), "console:import", ("sales.import_sales",)),
        ),
    ),
    Group(
        _("Warranty and returns"),
        "warranty",
        (
            Link(_("Warranty claims"), "console:warranty_claims", ("warranty.view_warrantyclaim",), sections=("warranty",)),
            Link(_("Returns"), "console:returns", ("warranty.view_returnrequest",), sections=("returns", "return_policies")),
            Link(_("Repairs"), "console:repairs", ("warranty.view_repairorder",)),
            Link(_("Spare parts"), "console:parts", ("catalog.view_part",)),
            Link(_("After-sales costs"), "console:costs", ("warranty.view_costentry",)),
        ),
    ),
    Group(
        _("Field service"),
        "field",
        (
            Link(_("Dispatcher board"), "console:fieldwork_board", ("fieldwork.view_workorder",)),
            Link(_("Work orders"), "console:fieldwork_orders", ("fieldwork.view_workorder",)),
            Link(
                _("Technicians"),
                "console:fieldwork_technicians",
                ("fieldwork.view_technician",),
                sections=("fieldwork_technicians", "fieldwork_zones"),
            ),
            Link(_("Contracts"), "console:contracts", ("contracts.view_maintenancecontract",)),
            Link(_("Contract opportunities"), "console:contract_opportunities", ("contracts.view_maintenancecontract",)),
        ),
    ),
    Group(
        _("Follow-up and feedback"),
        "followup",
        (
            Link(_("Agenda"), "console:followup_agenda", ("followup.view_touch",), sections=("agenda",)),
            Link(_("Messages"), "console:messages", ("messaging.view_message",), sections=("messages", "messaging")),
            Link(_("Feedback"), "console:feedback", ("feedback.view_feedback_scores",)),
            Link(
                _("Recovery cases"),
                "console:feedback_cases",
                ("feedback.view_recoverycase",),
                sections=("feedback",),
                unless="feedback.view_feedback_scores",
            ),
        ),
    ),
    Group(
        _("Loyalty and marketing"),
        "marketing",
        (
            Link(_("Loyalty"), "console:loyalty", ("loyalty.view_pointsaccount", "loyalty.view_programme")),
            Link(_("Vouchers"), "console:vouchers", ("offers.view_voucher",)),
            Link(_("Special offers"), "console:offers", ("offers.view_offer",)),
            Link(_("Referral funnel"), "console:referrals", ("referrals.view_referral",)),
            Link(_("Referrals"), "console:referrals_list", ("referrals.view_referral",)),
            Link(_("Contests"), "console:contests", ("contests.view_contest",)),
            Link(_("Newsletters"), "console:newsletter_issues", ("newsletter.view_issue",)),
            Link(_("Newsletter lists"), "console:newsletter_lists", ("newsletter.view_newsletterlist",)),
            Link(_("Articles"), "console:newsletter_articles", ("newsletter.view_article",)),
        ),
    ),
    Group(
        _("Settings"),
        "settings",
        (
            Link(_("Service desk setup"), "console:setup", ("service.configure_service",)),
            Link(_("Playbooks"), "console:followup_playbooks", ("followup.view_playbook",), sections=("playbooks",)),
            Link(_("Visit checklists"), "console:visit_checklists", ("fieldwork.change_checklisttemplate",)),
            Link(_("Loyalty setup"), "console:loyalty_settings", ("loyalty.view_programme",)),
            Link(_("Referral programme"), "console:referrals_settings", ("referrals.manage_referralsettings",)),
            Link(_("API tokens"), "console:tokens"),
            Link(_("Master data"), "admin:index", ("catalog.change_product",), sections=("admin",)),
        ),
    ),
)


@dataclass
class ShownLink:
    label: Promise
    url: str
    current: bool
    count: int | None = None
    alert: bool = False
    count_title: Promise | None = None


@dataclass
class ShownGroup:
    label: Promise
    key: str
    pinned: bool
    links: list[ShownLink] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


def _inbox_unread(user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


# Each count: how it is read (once per page, only when a link shown needs it), which figure, whether a figure
# above zero is an alert, and its tooltip.
_COUNTS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], int], bool, Promise | None]] = {
    "inbox": (_inbox_unread, lambda unread: unread, True, _("Unread")),
    "tickets": (ticket_counts, lambda counts: counts.active, False, pgettext_lazy("tickets", "Active")),
    "unanswered": (ticket_counts, lambda counts: counts.unanswered, True, None),
    "my_work": (ticket_counts, lambda counts: counts.my_work, False, None),
}


def navigation_for(user: Any, section: str = "") -> list[ShownGroup]:
    """Return the groups of links ``user`` may use, leaving out empty groups, with the current link marked."""
    if not user.is_authenticated or not user.is_staff:
        return []
    read: dict[Callable[[Any], Any], TicketCounts | int] = {}
    groups = []
    for group in NAVIGATION:
        shown = ShownGroup(group.label, group.key, group.pinned)
        for link in group.links:
            if not link.shown_to(user):
                continue
            item = ShownLink(link.label, reverse(link.url_name), link.current_in(section))
            if link.count:
                reader, figure, alert, title = _COUNTS[link.count]
                if reader not in read:
                    read[reader] = reader(user)
                item.count = figure(read[reader])
                item.alert = alert and item.count > 0
                item.count_title = title
            shown.links.append(item)
        if shown.links:
            groups.append(shown)
    return groups
