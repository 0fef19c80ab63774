"""The console's navigation: its links grouped by area of work, each shown to the staff its permissions allow.

One declaration (``NAVIGATION``, drawn by ``core.navigation``) serves the side navigation of every page, the
strip a phone shows instead (the links always at hand, the current page's group and the way to the menu) and
the menu page that lists every group. A page marks its link current by the ``section`` it renders with.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales.console.selectors import TicketCounts, ticket_counts
from aftersales.core.models import Notification
from aftersales.core.navigation import Group, Link, ShownGroup, ShownLink, navigation_shown

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
    if user is None or not user.is_authenticated or not user.is_staff:
        return []
    read: dict[Callable[[Any], Any], TicketCounts | int] = {}

    def counted(link: Link, shown: ShownLink) -> None:
        reader, figure, alert, title = _COUNTS[link.count]
        if reader not in read:
            read[reader] = reader(user)
        shown.count = figure(read[reader])
        shown.alert = alert and shown.count > 0
        shown.count_title = title

    return navigation_shown(NAVIGATION, user, section, counted)
