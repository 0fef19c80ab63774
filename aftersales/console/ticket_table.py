"""The ticket table of the console's lists (all tickets, the unanswered queue, my work), written in Python.

A queue page shows 50 rows of about twenty cells. Through Django's template language that cost several
milliseconds, ten times the query behind it; through Jinja2 about one millisecond, most of it creating an
escaped-string object for every printed value. The table is therefore written here, with f-strings: the
markup of a row is one expression (:func:`_row`), every value that comes from the database or a catalogue
goes through :func:`html.escape`, and the words that do not change within a table (headers, labels,
"nobody") are escaped once per language and kept. See ``docs/decisions/0007-ticket-table-in-python.md``.

Rows come with their text already in the reader's language (:mod:`aftersales.service.ticket_rows`). Pages
include the table with ``{% ticket_table %}`` (``console_tickets`` template tags).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from html import escape
from typing import NamedTuple

from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from aftersales.service.ticket_rows import TicketRow

# A ticket number no ticket has, reversed once to learn how a ticket's link is written around its number.
_NUMBER = 987654321
# Subjects longer than this are cut, the last character replaced by an ellipsis (Django's ``truncatechars``).
SUBJECT_LENGTH = 70
# Ticking the header's box ticks every row's.
_SELECT_ALL = "this.closest('table').querySelectorAll('tbody input[name=ticket]').forEach(box => box.checked = this.checked)"


class _Words(NamedTuple):
    """The table's own words in one language, escaped for HTML text and attributes."""

    select_all: str
    select: str
    ticket: str
    customer: str
    status: str
    priority: str
    queue: str
    assignee: str
    target: str
    age: str
    nobody: str
    repeat: str
    repeat_title: str


@functools.cache
def _words(language: str | None, *, show_age: bool) -> _Words:
    """Return the table's words in one language (asked once per language, not once per table)."""
    return _Words(
        select_all=escape(gettext("Select all")),
        # Escaped after the reference is put in: ``select % reference`` is not escaped again.
        select=gettext("Select %(reference)s"),
        ticket=escape(gettext("Ticket")),
        customer=escape(gettext("Customer")),
        status=escape(gettext("Status")),
        priority=escape(gettext("Priority")),
        queue=escape(gettext("Queue")),
        assignee=escape(gettext("Assignee")),
        target=escape(gettext("Service target")),
        age=escape(gettext("Waiting") if show_age else gettext("Opened")),
        nobody=escape(gettext("nobody")),
        repeat=escape(gettext("repeat")),
        repeat_title=escape(gettext("Repeat contact")),
    )


def ticket_link_parts() -> tuple[str, str]:
    """Return what comes before and after the number in a ticket's console link."""
    return _link_parts(get_script_prefix(), get_language())


@functools.cache
def _link_parts(script_prefix: str, language: str | None) -> tuple[str, str]:
    # Links depend on where the site is mounted (and on the language, were the paths ever translated).
    before, after = reverse("console:ticket", args=[_NUMBER]).split(str(_NUMBER))
    return escape(before), escape(after)


def subject_shown(subject: str) -> str:
    """Return the subject as the table shows it: at most ``SUBJECT_LENGTH`` characters, ending in "…" if cut."""
    return subject if len(subject) <= SUBJECT_LENGTH else subject[: SUBJECT_LENGTH - 1] + "…"


class _Escaped(dict[str, str]):
    """Escaped text, remembered for one table: labels, queues and people recur from row to row."""

    def __missing__(self, text: str) -> str:
        self[text] = escaped = escape(text)
        return escaped


def _head(words: _Words, *, selectable: bool) -> str:
    box = ""
    if selectable:
        box = f'<th><input type="checkbox" aria-label="{words.select_all}" onclick="{escape(_SELECT_ALL)}"></th>'
    return (
        '<div class="table-scroll">\n<table class="table tickets">\n  <thead><tr>\n'
        f"    {box}<th>{words.ticket}</th><th>{words.customer}</th><th>{words.status}</th>\n"
        f"    <th>{words.priority}</th><th>{words.queue}</th><th>{words.assignee}</th>\n"
        f"    <th>{words.target}</th><th>{words.age}</th>\n"
        "  </tr></thead>\n  <tbody>"
    )


_FOOT = "\n  </tbody>\n</table>\n</div>"


def _row(ticket: TicketRow, words: _Words, shown: _Escaped, link: tuple[str, str], *, show_age: bool, selectable: bool) -> str:
    """Return one ticket's ``<tr>``: every value from the row escaped, the words already escaped."""
    box = ""
    if selectable:
        label = escape(words.select % {"reference": ticket.reference})
        box = f'<td><input type="checkbox" name="ticket" value="{ticket.pk}" form="bulk-form" aria-label="{label}"></td>'
    repeat = ""
    if ticket.is_repeat:
        repeat = f' <span class="badge status-returned" title="{words.repeat_title}">{words.repeat}</span>'
    tags = "".join([f'<span class="chip">{shown[tag]}</span>' for tag in ticket.tags])
    assignee = shown[ticket.assignee_name] if ticket.assignee_name else f'<span class="muted">{words.nobody}</span>'
    target = '<span class="muted">—</span>'
    if ticket.sla_text:
        target = f'<span class="sla sla-{ticket.sla_state}">{shown[ticket.sla_text]}</span>'
    created = escape(ticket.created_text)
    if show_age:
        age = f'<time datetime="{ticket.created_iso}" title="{created}">{shown[ticket.waiting_text]}</time>'
    else:
        age = f'<time datetime="{ticket.created_iso}">{created}</time>'
    return (
        f"\n    <tr>{box}"
        f'\n      <td class="ticket-cell" data-label="{words.ticket}">'
        f'<a href="{link[0]}{ticket.number}{link[1]}"><strong>#{ticket.number}</strong> '
        f"{escape(subject_shown(ticket.subject))}</a>"
        f"{repeat}{tags}"
        f'<div class="muted small">{shown[ticket.kind_label]} · {shown[ticket.channel_label]}</div></td>'
        f'\n      <td data-label="{words.customer}">{escape(ticket.customer_name)}</td>'
        f'\n      <td data-label="{words.status}"><span class="badge ticket-{shown[ticket.status]}">'
        f"{shown[ticket.status_label]}</span></td>"
        f'\n      <td data-label="{words.priority}"><span class="priority priority-{shown[ticket.priority]}">'
        f"{shown[ticket.priority_label]}</span></td>"
        f'\n      <td data-label="{words.queue}">{shown[ticket.queue_name]}</td>'
        f'\n      <td data-label="{words.assignee}">{assignee}</td>'
        f'\n      <td data-label="{words.target}">{target}</td>'
        f'\n      <td data-label="{words.age}">{age}</td>'
        "\n    </tr>"
    )


def ticket_table(tickets: Sequence[TicketRow], *, show_age: bool = False, selectable: bool = False) -> SafeString:
    """Return the HTML table of some ticket rows in the active language, every value escaped.

    ``show_age`` shows how long each ticket has waited instead of when it was opened; ``selectable`` adds the
    check boxes of the bulk actions form (``bulk-form``).
    """
    words = _words(get_language(), show_age=show_age)
    link = ticket_link_parts()
    shown = _Escaped()
    rows = [_row(ticket, words, shown, link, show_age=show_age, selectable=selectable) for ticket in tickets]
    return mark_safe(_head(words, selectable=selectable) + "".join(rows) + _FOOT)  # noqa: S308 - every value escaped above
