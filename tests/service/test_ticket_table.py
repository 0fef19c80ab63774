"""The console's ticket table: every value escaped, links and labels as the rest of the console writes them."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
import time_machine
from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils import translation

from aftersales.console.ticket_table import ticket_link_parts, ticket_table
from aftersales.service.services import ticket_tag
from aftersales.service.ticket_rows import ticket_rows_of
from tests.factories import CustomerFactory
from tests.service.helpers import open_ticket, signed_in, text_of
from tests.sla.conftest import madrid

pytestmark = pytest.mark.django_db

NOW = madrid("2025-03-05 12:00")
LONG = "The washing machine " + "shakes and walks across the floor " * 3


def _rows(tickets, language="es"):
    with translation.override(language), time_machine.travel(NOW, tick=False):
        return ticket_rows_of([ticket.pk for ticket in tickets], now=NOW)


@pytest.mark.parametrize("number", [1, 42, 987654321, 123456789012])
def test_the_ticket_link_is_the_one_django_reverses(number):
    before, after = ticket_link_parts()
    assert f"{before}{number}{after}" == reverse("console:ticket", args=[number])


def test_every_value_is_escaped_and_the_subject_shortened_as_the_console_does(desk, desk_agent):
    with time_machine.travel(madrid("2025-03-05 09:00"), tick=False):
        hostile = open_ticket(CustomerFactory(name='Eve <script>alert("x")</script>'), subject='<img src=x onerror="boom">')
        long = open_ticket(CustomerFactory(), subject=LONG)
    ticket_tag(actor=desk_agent, ticket=hostile, add=["<b>bold</b>"])

    with translation.override("es"):
        html = ticket_table(_rows([hostile, long]))

    assert "<script>" not in html and "<img" not in html and "<b>bold" not in html
    assert "Eve &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert truncatechars(LONG, 70) in html and len(truncatechars(LONG, 70)) == 70
    assert f'href="{reverse("console:ticket", args=[long.number])}"' in html


def test_labels_and_times_are_in_the_readers_language(desk, desk_agent):
    with time_machine.travel(madrid("2025-03-03 09:00"), tick=False):
        ticket = open_ticket(CustomerFactory(), subject="Noisy fridge")

    rows = _rows([ticket])
    with translation.override("es"):
        waiting = ticket_table(rows, show_age=True)
        opened = ticket_table(rows, selectable=True)

    assert "<th>Esperando</th>" in waiting and 'title="03/03/2025 09:00">2 d 3 h</time>' in waiting
    assert "<th>Abierta</th>" in opened
    assert ">03/03/2025 09:00</time>" in opened
    assert f'aria-label="Seleccionar #{ticket.number}"' in opened
    assert 'name="ticket"' not in waiting  # no check boxes without the bulk form


def test_the_unanswered_page_shows_the_table_to_an_agent(desk, desk_agent):
    with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(days=1, hours=2), tick=False):
        ticket = open_ticket(CustomerFactory(name="Lucía Prieto"), subject="Dryer smells of smoke")

    page = signed_in(desk_agent).get(reverse("console:tickets_unanswered"))

    assert page.status_code == 200
    assert "Lucía Prieto" in text_of(page) and "Dryer smells of smoke" in text_of(page)
    assert f'href="{reverse("console:ticket", args=[ticket.number])}"' in text_of(page)
    assert "1 d 2 h" in text_of(page)


class _Cells(HTMLParser):
    """Count the header cells and each body row's cells of a table, and check every tag is closed in order."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.headers = 0
        self.rows: list[int] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ("input",):
            self.open.append(tag)
        if tag == "th":
            self.headers += 1
        elif tag == "tr" and "tbody" in self.open:
            self.rows.append(0)
        elif tag == "td" and self.open.count("td") == 1:
            self.rows[-1] += 1

    def handle_endtag(self, tag):
        assert self.open and self.open.pop() == tag, f"</{tag}> closes {self.open[-1:]}"


@pytest.mark.parametrize("selectable", [False, True])
def test_every_row_has_a_cell_under_each_header_and_every_tag_closes(desk, desk_agent, selectable):
    with time_machine.travel(madrid("2025-03-03 09:00"), tick=False):
        tagged = open_ticket(CustomerFactory(), subject="Noisy fridge")
        plain = open_ticket(CustomerFactory(), subject="Door does not close")
    ticket_tag(actor=desk_agent, ticket=tagged, add=["noise", "fridge"])

    cells = _Cells()
    with translation.override("en"):
        cells.feed(ticket_table(_rows([tagged, plain], language="en"), selectable=selectable))

    assert cells.open == []
    assert cells.headers == (9 if selectable else 8)
    assert cells.rows == [cells.headers, cells.headers]
