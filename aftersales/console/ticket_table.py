"""The ticket table of the console's lists (all tickets, the unanswered queue, my work), rendered fast.

A queue page shows 50 rows of about twenty cells; through Django's template language that costs several
milliseconds, ten times the query behind it. The table is therefore a Jinja2 template
(``console/jinja2/console/tickets/table.html``, rendered by the project's second template engine, see
``docs/decisions/0006-jinja2-for-ticket-lists.md``) fed with rows whose text is already in the reader's
language (:mod:`aftersales.service.ticket_rows`) and with labels and the ticket link worked out here once
per table. Pages include it with ``{% ticket_table %}`` (``console_tickets`` template tags).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from django.template import engines
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from aftersales.service.ticket_rows import TicketRow

TEMPLATE = "console/tickets/table.html"
# A ticket number no ticket has, reversed once to learn how a ticket's link is written around its number.
_NUMBER = 987654321


@functools.cache
def _labels(language: str | None, *, show_age: bool) -> dict[str, str]:
    """Return the table's words in one language (asked once per language, not once per table)."""
    return {
        "select_all": gettext("Select all"),
        "select": gettext("Select %(reference)s"),
        "ticket": gettext("Ticket"),
        "customer": gettext("Customer"),
        "status": gettext("Status"),
        "priority": gettext("Priority"),
        "queue": gettext("Queue"),
        "assignee": gettext("Assignee"),
        "target": gettext("Service target"),
        "age": gettext("Waiting") if show_age else gettext("Opened"),
        "nobody": gettext("nobody"),
        "repeat": gettext("repeat"),
        "repeat_title": gettext("Repeat contact"),
    }


def ticket_link_parts() -> tuple[str, str]:
    """Return what comes before and after the number in a ticket's console link."""
    return _link_parts(get_script_prefix(), get_language())


@functools.cache
def _link_parts(script_prefix: str, language: str | None) -> tuple[str, str]:
    # Links depend on where the site is mounted (and on the language, were the paths ever translated).
    before, after = reverse("console:ticket", args=[_NUMBER]).split(str(_NUMBER))
    return before, after


def ticket_table(tickets: Sequence[TicketRow], *, show_age: bool = False, selectable: bool = False) -> SafeString:
    """Return the HTML table of some ticket rows in the active language (every value escaped by the template).

    ``show_age`` shows how long each ticket has waited instead of when it was opened; ``selectable`` adds the
    check boxes of the bulk actions form (``bulk-form``).
    """
    link_before, link_after = ticket_link_parts()
    html = (
        engines["jinja2"]
        .get_template(TEMPLATE)
        .render(
            {
                "tickets": tickets,
                "show_age": show_age,
                "selectable": selectable,
                "labels": _labels(get_language(), show_age=show_age),
                "link_before": link_before,
                "link_after": link_after,
            }
        )
    )
    return mark_safe(html)  # noqa: S308 - autoescaped by the Jinja2 engine
