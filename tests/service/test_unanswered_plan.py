"""The unanswered queue and its count read one index, in queue order, with or without planner statistics."""

from __future__ import annotations

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.service.models import Ticket
from aftersales.service.selectors import tickets_unanswered
from aftersales.service.services import ticket_reply
from tests.service.helpers import open_ticket

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's query plans; PostgreSQL plans by its own statistics"
)

INDEX = "ticket_unanswered_queue_idx"
MORE = 4000


def _plan(sql: str, params: object = ()) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return [row[-1] for row in cursor.fetchall()]


def _plans() -> dict[str, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        count = tickets_unanswered().count()
    page_sql, page_params = tickets_unanswered().values_list("pk", flat=True)[1000:1020].query.sql_with_params()
    assert count == 7 + MORE // 2
    return {"count": _plan(captured.captured_queries[-1]["sql"]), "page": _plan(page_sql, page_params)}


@pytest.mark.parametrize("statistics", [False, True], ids=["no statistics", "after ANALYZE"])
def test_the_unanswered_queue_and_its_count_read_their_index_alone(desk, desk_agent, customer, statistics):
    tickets = [open_ticket(customer, subject=f"Ticket {n}") for n in range(8)]
    ticket_reply(actor=desk_agent, ticket=tickets[0], body="On it.")
    # Enough tickets for the planner to weigh its indexes as it does on a working desk's table.
    answered, unanswered = tickets[0], tickets[1]
    answered.refresh_from_db()
    copies = []
    for n in range(1, MORE + 1):
        source = answered if n % 2 else unanswered
        copies.append(copy.copy(source))
        copies[-1].pk, copies[-1].number = None, 100_000 + n
    Ticket.objects.bulk_create(copies, batch_size=1000)
    with connection.cursor() as cursor:
        if statistics:
            cursor.execute("ANALYZE")
        else:
            # none left by an earlier test that committed the hourly sweep's (rolled back with this test)
            cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")

    plans = _plans()

    for name, plan in plans.items():
        # The index alone, not the tickets' rows, and in queue order: no sorting of every unanswered
        # ticket for one page.
        assert plan == [f"SEARCH service_ticket USING COVERING INDEX {INDEX} (merged_into_id=?)"], (name, plan)


def test_the_page_rows_statement_looks_up_each_tickets_clocks_by_ticket_without_statistics(desk, customer):
    from aftersales.service.ticket_rows import SQLITE_ROWS, statement_parameters

    ticket = open_ticket(customer, subject="Ticket")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
        cursor.execute(f"EXPLAIN QUERY PLAN {SQLITE_ROWS}", statement_parameters([ticket.pk]))
        clocks = [row[-1] for row in cursor.fetchall() if " k " in f"{row[-1]} "]

    # Both clock look-ups go through the ticket's live clocks, never through every clock of a status
    # (650 ms a page at 100,000 tickets).
    assert clocks == ["SEARCH k USING INDEX sla_clock_ticket_live_idx (ticket_id=?)"] * 2, clocks
