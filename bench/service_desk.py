"""Benchmark of the service desk with SLA clocks beside minimal hand-written SQL (not a test).

    python bench/service_desk.py [--tickets 100000] [--databases sqlite,postgresql] [--repeats 21]

For each database it:
  1. creates a fresh database (a SQLite file in a temporary folder; PostgreSQL database ``bench_service_desk``
     on 127.0.0.1:5432 as postgres, dropped afterwards), migrates it and loads, with bulk inserts, the
     tickets (all open: new, open, waiting) of 10,000 customers and their level-1 SLA clocks, computed in
     business time with the default calendar. Half the tickets are unanswered. The clocks look like a desk
     whose tick stopped for an hour: most late clocks are already recorded as breached, but 1 % of all clocks
     passed their target and 1 % their warning point without being recorded;
  2. times, in one child process, the *unanswered queue page*: the first 50 rows of
     ``tickets_unanswered_rows(visible_to=manager)`` as the screen's paginator asks them of that
     ``TicketRowList`` (the page's ids by the statement the ORM compiled once per process, then the shown
     columns, SLA target and tags by one fixed statement;
     labels, SLA text and dates in Spanish) and rendered as the screen renders them
     (``aftersales.console.ticket_table.ticket_table``, the table written in Python), beside one hand-written
     query returning the same 50 rows and every column the table shows;
  3. times, in another child, the *breach sweep* ``sla_sweep`` (claims, ticket events, timeline events)
     beside hand-written SQL doing the same writes set-based (``UPDATE`` and ``INSERT … SELECT``). Each
     repetition runs in a transaction that is rolled back, so every one finds the same clocks.

Each figure is the median of the repetitions, app and SQL interleaved. Peak resident memory per child
comes from ``os.wait4``. Results go to bench/results/service_desk.json and to the "Service desk" section
of docs/performance.md. Goal: each operation within 3 times its hand-written query.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import benchlib  # noqa: E402
from benchlib import PG_SERVER, machine  # noqa: E402
from benchlib import pg_admin as _pg_admin  # noqa: E402
from benchlib import pg_version as _pg_version  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PERFORMANCE_DOC = ROOT / "docs" / "performance.md"
PG_DATABASE = "bench_service_desk"
SECTION_START = "<!-- service-desk:start -->"
SECTION_END = "<!-- service-desk:end -->"
GOAL_RATIO = 3.0
SEED = 2025
CUSTOMERS = 10_000
PAGE = 50
# A Wednesday noon in Madrid: "now" for every figure, so runs compare.
NOW = dt.datetime(2025, 3, 5, 11, 0, tzinfo=dt.UTC)


# --- child processes ---------------------------------------------------------------------------------


def _setup() -> None:
    import django

    django.setup()


def child_prepare(tickets: str) -> dict[str, Any]:
    """Migrate and load the tickets and their clocks with bulk inserts."""
    _setup()
    from django.core.management import call_command
    from django.db import transaction

    from aftersales.core import business_time
    from aftersales.core.calendars import calendar_default, calendar_value
    from aftersales.core.models import User
    from aftersales.core.roles import Role
    from aftersales.customers.models import Customer
    from aftersales.service.models import Queue, SlaClock, SlaPolicy, Ticket
    from aftersales.service.sla import sla_target_for

    call_command("migrate", verbosity=0)
    count = int(tickets)
    rng = random.Random(SEED)
    started = time.perf_counter()
    manager = User.objects.create(username="manager", is_staff=True, first_name="Marta", last_name="Gil")
    from django.contrib.auth.models import Group

    manager.groups.add(Group.objects.get(name=Role.SERVICE_MANAGER))
    agents = User.objects.bulk_create(
        User(username=f"agent{n}", is_staff=True, first_name=f"Agent {n}", last_name="Desk") for n in range(20)
    )
    customers = Customer.objects.bulk_create(
        Customer(name=f"Customer {n}", email=f"customer{n}@example.com", language="es") for n in range(CUSTOMERS)
    )
    queue = Queue.objects.get(is_default=True)
    policy = SlaPolicy.objects.get(name="Standard")
    calendar_row = calendar_default()
    assert calendar_row is not None
    calendar = calendar_value(calendar_row)
    window = dt.timedelta(days=20)
    ticket_rows = []
    plans = []
    for number in range(1, count + 1):
        created = NOW - window * rng.random()
        answered = rng.random() < 0.5
        waiting = answered and rng.random() < 0.2
        priority = rng.choices(["low", "normal", "high", "urgent"], weights=[20, 60, 15, 5])[0]
        ticket_rows.append(
            Ticket(
                number=number,
                subject=f"Request {number}: the unit stopped working",
                kind="question",
                channel="email",
                customer=customers[number % CUSTOMERS],
                priority=priority,
                queue=queue,
                department_id=queue.department_id,
                assignee=agents[number % len(agents)] if rng.random() < 0.8 else None,
                status="waiting_customer" if waiting else ("open" if answered or rng.random() < 0.5 else "new"),
                language="es",
                created_at=created,
                first_public_reply_at=created + dt.timedelta(hours=1) if answered else None,
                last_customer_message_at=created,
            )
        )
        plans.append((priority, answered, waiting, rng.random()))
    with transaction.atomic():
        Ticket.objects.bulk_create(ticket_rows, batch_size=5000)
    loaded_tickets = time.perf_counter() - started

    clocks = []
    targets = {priority: sla_target_for(policy, priority=priority, tier=1) for priority in ("low", "normal", "high", "urgent")}
    for ticket, (priority, answered, waiting, luck) in zip(ticket_rows, plans):
        target = targets[priority]
        assert target is not None
        for metric, minutes in (("first_response", target.first_response_minutes), ("resolution", target.resolution_minutes)):
            assert minutes is not None
            length = dt.timedelta(minutes=minutes)
            clock = SlaClock(
                ticket=ticket,
                metric=metric,
                tier=1,
                policy=policy,
                calendar=calendar_row,
                target_minutes=minutes,
                started_at=ticket.created_at,
                due_at=business_time.business_add(calendar, ticket.created_at, length),
                warn_at=business_time.business_add(calendar, ticket.created_at, length * 0.8),
            )
            if metric == "first_response" and answered:
                clock.status, clock.stopped_at = "met", ticket.first_public_reply_at
            elif waiting:
                clock.status, clock.paused_at = "paused", ticket.first_public_reply_at
            elif clock.due_at <= NOW:
                # Late: recorded by earlier ticks, except 1 % of all clocks the stopped tick left behind.
                if luck >= 0.01:
                    clock.status, clock.warned_at, clock.breached_at = "breached", clock.warn_at, clock.due_at
                    clock.warning_handled_at = clock.breach_handled_at = clock.due_at
            elif clock.warn_at <= NOW and luck >= 0.01:
                clock.warned_at = clock.warning_handled_at = clock.warn_at
            clocks.append(clock)
    with transaction.atomic():
        SlaClock.objects.bulk_create(clocks, batch_size=5000)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    due = sum(1 for clock in clocks if clock.status == "running" and clock.due_at <= NOW)
    warn = sum(1 for clock in clocks if clock.status == "running" and clock.warned_at is None and clock.warn_at <= NOW)
    return {
        "tickets": count,
        "clocks": len(clocks),
        "unanswered": sum(1 for _priority, answered, _waiting, _luck in plans if not answered),
        "due_breaches": due,
        "due_warnings": warn,
        "load_seconds": round(time.perf_counter() - started, 1),
        "ticket_load_seconds": round(loaded_tickets, 1),
    }


def _timed(work: Any) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


# Every column the unanswered queue's table shows: reference, subject, kind, channel, repeat flag and tags;
# customer, status, priority, queue, assignee, when it was opened, and the next SLA target (or paused).
PAGE_SQL = """
SELECT t.id, t.number, t.subject, t.kind, t.channel, t.is_repeat, t.status, t.priority, t.created_at,
       c.name, q.name, u.first_name, u.last_name, u.username,
       (SELECT MIN(k.due_at) FROM service_slaclock k
         WHERE k.ticket_id = t.id AND k.stopped_at IS NULL AND k.status IN ('running', 'breached')) AS sla_due_at,
       (SELECT 1 FROM service_slaclock k WHERE k.ticket_id = t.id AND k.stopped_at IS NULL AND k.status = 'paused'
         LIMIT 1) AS sla_paused,
       (SELECT {tags} FROM service_ticket_tags tt JOIN service_tag g ON g.id = tt.tag_id WHERE tt.ticket_id = t.id) AS tags
  FROM service_ticket t
  JOIN customers_customer c ON c.id = t.customer_id
  JOIN service_queue q ON q.id = t.queue_id
  LEFT JOIN core_user u ON u.id = t.assignee_id
 WHERE t.first_public_reply_at IS NULL AND t.merged_into_id IS NULL
   AND t.status IN ('new', 'open', 'waiting_third_party')
 ORDER BY t.created_at, t.id
 LIMIT %s
"""
PAGE_TAGS = {"sqlite": "group_concat(g.name, ',')", "postgresql": "string_agg(g.name, ',' ORDER BY g.name)"}


def child_page(repeats: str) -> dict[str, Any]:
    """Time the unanswered queue's first page (selector, annotation, template) beside one SQL query."""
    _setup()
    import time_machine
    from django.db import connection
    from django.utils import translation

    from aftersales.console.ticket_table import ticket_table
    from aftersales.core.models import User
    from aftersales.service.selectors import tickets_unanswered, tickets_unanswered_rows

    manager = User.objects.get(username="manager")
    rendered: dict[str, Any] = {}
    page_sql = PAGE_SQL.replace("{tags}", PAGE_TAGS[connection.vendor])

    def query() -> list[Any]:
        # What the screen's paginator asks of the list for its first page: the rows, labels and SLA text.
        return tickets_unanswered_rows(visible_to=manager, now=NOW)[0:PAGE]

    def app() -> None:
        with translation.override("es"):
            tickets = query()
            # The screen's own table, as the unanswered queue shows it (with the time waited).
            rendered["html"] = ticket_table(tickets, show_age=True)
        rendered["numbers"] = [ticket.number for ticket in tickets]

    def orm() -> None:
        # What the page no longer pays per request: the list's queryset built and its ids statement compiled.
        tickets_unanswered(visible_to=manager)[0:PAGE].values_list("pk", flat=True).query.sql_with_params()

    def raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute(page_sql, [PAGE])
            rendered["raw_numbers"] = [row[1] for row in cursor.fetchall()]

    def count() -> None:
        # What the navigation beside every console page and the queue's paginator ask: how many there are.
        rendered["count"] = tickets_unanswered(visible_to=manager).count()

    def raw_count() -> None:
        with connection.cursor() as cursor:
            cursor.execute(COUNT_SQL)
            rendered["raw_count"] = cursor.fetchone()[0]

    app_times, raw_times, query_times, table_times, orm_times, count_times, raw_count_times = [], [], [], [], [], [], []
    with time_machine.travel(NOW, tick=False):
        app(), raw()  # warm both: caches, prepared plans, template compilation
        for _ in range(int(repeats)):
            app_times.append(_timed(app))
            raw_times.append(_timed(raw))
            with translation.override("es"):
                query_times.append(_timed(query))
                # The table alone, from rows already built: what rendering costs whatever reads the rows.
                rows = query()
                table_times.append(_timed(lambda rows=rows: ticket_table(rows, show_age=True)))
            orm_times.append(_timed(orm))
        # Apart from the page: a count reads the whole queue's index, which would leave the page's next
        # repetition a colder cache than the hand-written query's.
        count(), raw_count()
        for _ in range(int(repeats)):
            count_times.append(_timed(count))
            raw_count_times.append(_timed(raw_count))
    assert rendered["numbers"] == rendered["raw_numbers"], "the page and the query disagree"
    assert rendered["count"] == rendered["raw_count"], "the counts disagree"
    return {
        "app_seconds": statistics.median(app_times),
        "raw_seconds": statistics.median(raw_times),
        # The rows alone (ids, fixed statement, labels and SLA text), without the table.
        "query_seconds": statistics.median(query_times),
        "table_seconds": statistics.median(table_times),
        # Building the list's queryset and compiling its ids statement, without running it.
        "orm_seconds": statistics.median(orm_times),
        "count_seconds": statistics.median(count_times),
        "raw_count_seconds": statistics.median(raw_count_times),
        "count": rendered["count"],
        "rows": len(rendered["numbers"]),
        "breached_on_page": rendered["html"].count("sla-breached"),
    }


# The unanswered tickets counted by hand: the three unanswered statuses, not merged away.
COUNT_SQL = """SELECT COUNT(*) FROM service_ticket WHERE first_public_reply_at IS NULL AND merged_into_id IS NULL
    AND status IN ('new', 'open', 'waiting_third_party')"""


RAW_SWEEP_SQLITE = [
    # warnings: events, then the marks
    """INSERT INTO service_ticketevent (ticket_id, kind, data, at)
       SELECT ticket_id, 'sla_warning', json_object('clock_id', id, 'metric', metric, 'tier', tier, 'due_at', due_at,
              'target_minutes', target_minutes), %(now)s
         FROM service_slaclock WHERE status = 'running' AND warned_at IS NULL AND warn_at <= %(now)s""",
    """UPDATE service_slaclock SET warned_at = %(now)s WHERE status = 'running' AND warned_at IS NULL AND warn_at <= %(now)s""",
    # breaches: ticket events, timeline events, then the marks
    """INSERT INTO service_ticketevent (ticket_id, kind, data, at)
       SELECT ticket_id, 'sla_breached', json_object('clock_id', id, 'metric', metric, 'tier', tier, 'due_at', due_at,
              'target_minutes', target_minutes), %(now)s
         FROM service_slaclock WHERE status = 'running' AND due_at <= %(now)s""",
    """INSERT INTO core_timelineevent (customer_id, kind, occurred_at, recorded_at, data)
       SELECT t.customer_id, 'ticket_sla_breached', k.due_at, %(now)s,
              json_object('ticket_id', t.id, 'reference', '#' || t.number, 'metric', k.metric, 'tier', k.tier)
         FROM service_slaclock k JOIN service_ticket t ON t.id = k.ticket_id
        WHERE k.status = 'running' AND k.due_at <= %(now)s""",
    """UPDATE service_slaclock SET status = 'breached', breached_at = %(now)s WHERE status = 'running' AND due_at <= %(now)s""",
]
RAW_SWEEP_POSTGRESQL = [
    """WITH warned AS (
         UPDATE service_slaclock SET warned_at = %(now)s
          WHERE status = 'running' AND warned_at IS NULL AND warn_at <= %(now)s
      RETURNING id, ticket_id, metric, tier, due_at, target_minutes)
       INSERT INTO service_ticketevent (ticket_id, kind, data, at)
       SELECT ticket_id, 'sla_warning', json_build_object('clock_id', id, 'metric', metric, 'tier', tier, 'due_at', due_at,
              'target_minutes', target_minutes), %(now)s FROM warned""",
    """WITH breached AS (
         UPDATE service_slaclock SET status = 'breached', breached_at = %(now)s
          WHERE status = 'running' AND due_at <= %(now)s
      RETURNING id, ticket_id, metric, tier, due_at, target_minutes),
       events AS (
         INSERT INTO service_ticketevent (ticket_id, kind, data, at)
         SELECT ticket_id, 'sla_breached', json_build_object('clock_id', id, 'metric', metric, 'tier', tier,
                'due_at', due_at, 'target_minutes', target_minutes), %(now)s FROM breached)
       INSERT INTO core_timelineevent (customer_id, kind, occurred_at, recorded_at, data)
       SELECT t.customer_id, 'ticket_sla_breached', b.due_at, %(now)s,
              json_build_object('ticket_id', t.id, 'reference', '#' || t.number, 'metric', b.metric, 'tier', b.tier)
         FROM breached b JOIN service_ticket t ON t.id = b.ticket_id""",
]


class _Rollback(Exception):
    pass


def child_sweep(repeats: str) -> dict[str, Any]:
    """Time the breach sweep beside hand-written SQL doing the same writes, each rolled back after."""
    _setup()
    from django.db import connection, transaction

    from aftersales.service.models import SlaClock, TicketEvent
    from aftersales.service.sla import sla_sweep

    statements = RAW_SWEEP_POSTGRESQL if connection.vendor == "postgresql" else RAW_SWEEP_SQLITE
    now = connection.ops.adapt_datetimefield_value(NOW)
    outcome: dict[str, Any] = {}

    def rolled_back(work: Any) -> float:
        started = time.perf_counter()
        try:
            with transaction.atomic():
                work()
                outcome.setdefault(work.__name__, TicketEvent.objects.filter(kind__startswith="sla_").count())
                elapsed = time.perf_counter() - started
                raise _Rollback
        except _Rollback:
            pass
        return elapsed

    def app() -> None:
        outcome["sweep"] = sla_sweep(now=NOW)

    def raw() -> None:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement, {"now": now})

    app_times, raw_times = [], []
    rolled_back(app), rolled_back(raw)
    for _ in range(int(repeats)):
        app_times.append(rolled_back(app))
        raw_times.append(rolled_back(raw))
    assert outcome["app"] == outcome["raw"], f"the sweep wrote {outcome['app']} events, the SQL {outcome['raw']}"
    assert not SlaClock.objects.filter(status="breached", breached_at=NOW).exists(), "a repetition was not rolled back"
    return {
        "app_seconds": statistics.median(app_times),
        "raw_seconds": statistics.median(raw_times),
        "warned": outcome["sweep"]["warned"],
        "breached": outcome["sweep"]["breached"],
        "events": outcome["app"],
    }


def _child_main(argv: list[str]) -> None:
    kind, *args = argv
    result = {"prepare": child_prepare, "page": child_page, "sweep": child_sweep}[kind](*args)
    print(json.dumps(result))


def run_child(kind: str, *args: str, database_url: str, workdir: Path) -> tuple[dict[str, Any], float]:
    """Run one measurement in a child process of this script; return its result and its peak resident memory in MB."""
    return benchlib.run_child(__file__, kind, *args, database_url=database_url, workdir=workdir)


# --- orchestration -----------------------------------------------------------------------------------


def measure(database: str, tickets: int, repeats: int, workdir: Path) -> dict[str, Any]:
    """Load a fresh database and time the page and the sweep beside their queries."""
    print(f"[{database}] {tickets:,} tickets: loading a fresh database", flush=True)
    if database == "postgresql":
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        _pg_admin(f"CREATE DATABASE {PG_DATABASE}")
        url = f"{PG_SERVER}/{PG_DATABASE}"
    else:
        folder = Path(tempfile.mkdtemp(dir=workdir))
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
    try:
        loaded, load_peak = run_child("prepare", str(tickets), database_url=url, workdir=workdir)
        print(f"[{database}] loaded in {loaded['load_seconds']} s: {json.dumps(loaded)}", flush=True)
        load_before_page = os.getloadavg()[0]
        page, page_peak = run_child("page", str(repeats), database_url=url, workdir=workdir)
        print(f"[{database}] page: {json.dumps(page)}", flush=True)
        load_before_sweep = os.getloadavg()[0]
        sweep, sweep_peak = run_child("sweep", str(repeats), database_url=url, workdir=workdir)
        print(f"[{database}] sweep: {json.dumps(sweep)}", flush=True)
    finally:
        if database == "postgresql":
            _pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
    result: dict[str, Any] = {
        "benchmark": "service_desk",
        "database": database,
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "data": loaded,
        "load_peak_rss_mb": round(load_peak, 1),
        # Other work shares the machine: the one-minute load average before each measurement.
        "load_average": {"page": round(load_before_page, 2), "sweep": round(load_before_sweep, 2)},
        "page": {
            **page,
            "ratio": round(page["app_seconds"] / page["raw_seconds"], 2),
            "query_ratio": round(page["query_seconds"] / page["raw_seconds"], 2),
            "peak_rss_mb": round(page_peak, 1),
        },
        "sweep": {**sweep, "ratio": round(sweep["app_seconds"] / sweep["raw_seconds"], 2), "peak_rss_mb": round(sweep_peak, 1)},
        "repeats": repeats,
        "goal_ratio": GOAL_RATIO,
    }
    if database == "postgresql":
        result["postgresql"] = _pg_version()
    result["goals_met"] = {name: result[name]["ratio"] <= GOAL_RATIO for name in ("page", "sweep")}
    return result


def performance_section(results: list[dict[str, Any]]) -> str:
    data = results[0]["data"]
    lines = [
        SECTION_START,
        "## Service desk",
        "",
        "Generated by `bench/service_desk.py`; the figures below are from its last run. "
        f"{data['tickets']:,} open tickets of {CUSTOMERS:,} customers with {data['clocks']:,} SLA clocks "
        f"(level 1, computed in business time with the default calendar), {data['unanswered']:,} of the tickets "
        f"unanswered. As after an hour without ticks, {data['due_breaches']:,} clocks have passed their target and "
        f"{data['due_warnings']:,} their warning point without being recorded. *Page* is the first {PAGE} rows of "
        "the unanswered queue as the screen shows them (`tickets_unanswered_rows` for a service manager, a "
        "`TicketRowList` whose ids statement the ORM compiled once per process: the page's ids, then one fixed "
        "statement for the shown columns, SLA target and tags; "
        "labels, SLA text and dates in Spanish; rendered by the console's own table, "
        "`aftersales.console.ticket_table`), beside one hand-written query returning the same rows and every "
        "column the table shows. *Rows* is the page without its table. *Sweep* is `sla_sweep` (claims, ticket "
        "events, timeline events), beside "
        "hand-written SQL doing the same writes set-based; each repetition is rolled back. Medians of "
        f"{results[0]['repeats']} repetitions.",
        "",
        "| Database | Operation | App ms | SQL ms | App : SQL | Goal ≤ 3× | Peak RSS MB |",
        "|---|---|---:|---:|---:|---|---:|",
    ]
    for result in results:
        for name, label in (("page", "Unanswered queue, first page"), ("sweep", "Breach and warning sweep")):
            part = result[name]
            lines.append(
                f"| {result['database']} | {label} | {part['app_seconds'] * 1000:.2f} | {part['raw_seconds'] * 1000:.2f} "
                f"| {part['ratio']:.2f} | {'met' if result['goals_met'][name] else '**not met**'} | {part['peak_rss_mb']:.0f} |"
            )
    lines.append("")
    for result in results:
        page = result["page"]
        lines.append(
            f"- {result['database']}: the page's rows alone (ids, fixed statement, labels, SLA text and dates; no "
            f"table) took {page['query_seconds'] * 1000:.2f} ms, {page['query_ratio']:.2f}× the hand-written query "
            f"({'within' if page['query_ratio'] <= GOAL_RATIO else 'not within'} 3×); the ORM building the "
            f"list's queryset and compiling its ids statement, which the page does once per process and not per "
            f"request, takes {page['orm_seconds'] * 1000:.2f} "
            f"ms ({page['orm_seconds'] / page['raw_seconds']:.2f}× the hand-written query); the table alone, rendered from "
            f"rows already built, took {page['table_seconds'] * 1000:.2f} ms, "
            f"{page['table_seconds'] / page['raw_seconds']:.2f}× the hand-written query; "
            f"counting the {page['count']:,} unanswered tickets, as the navigation does on every console page, took "
            f"{page['count_seconds'] * 1000:.2f} ms (the hand-written count {page['raw_count_seconds'] * 1000:.2f} ms); "
            f"loading took {result['data']['load_seconds']} s (peak {result['load_peak_rss_mb']:.0f} MB); "
            f"the sweep recorded {result['sweep']['warned']:,} warnings and {result['sweep']['breached']:,} breaches "
            f"({result['sweep']['events']:,} ticket events); {result['page']['breached_on_page']} of the page's "
            f"{result['page']['rows']} rows show a breach; load average {result['load_average']['page']} before the "
            f"page, {result['load_average']['sweep']} before the sweep (on 2 cores)."
        )
    info = results[0]["machine"]
    lines += [
        "",
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB RAM, {info['system']}; "
        f"Python {info['python']}, SQLite {info['sqlite']}"
        + (f", PostgreSQL {results[-1]['postgresql']}" if results[-1].get("postgresql") else "")
        + f". Run on {results[0]['date']}.",
        SECTION_END,
    ]
    return "\n".join(lines)


def document(results: list[dict[str, Any]]) -> None:
    """Replace the Service desk section of docs/performance.md, keeping the rest of the page."""
    section = performance_section(results)
    text = PERFORMANCE_DOC.read_text() if PERFORMANCE_DOC.exists() else "# Performance\n\n"
    if SECTION_START in text and SECTION_END in text:
        before, rest = text.split(SECTION_START, 1)
        text = before + section + rest.split(SECTION_END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    PERFORMANCE_DOC.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000, help="open tickets to load (default 100,000)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--repeats", type=int, default=21, help="timed repetitions of each operation (default 21)")
    parser.add_argument("--no-docs", action="store_true", help="write neither the JSON results nor docs/performance.md")
    options = parser.parse_args()
    databases = [name.strip() for name in options.databases.split(",") if name.strip()]
    unknown = set(databases) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown databases: {', '.join(sorted(unknown))}")
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-service-desk-") as work:
        for database in databases:
            results.append(measure(database, options.tickets, options.repeats, Path(work)))
    if not options.no_docs:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "service_desk.json").write_text(json.dumps(results, indent=2) + "\n")
        document(results)
    for result in results:
        for name in ("page", "sweep"):
            part = result[name]
            print(
                f"{result['database']:>10} {name:>5}: app {part['app_seconds'] * 1000:8.1f} ms, "
                f"SQL {part['raw_seconds'] * 1000:8.1f} ms, ratio {part['ratio']:.2f}, peak {part['peak_rss_mb']:.0f} MB"
            )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        _child_main(sys.argv[2:])
    else:
        main()
