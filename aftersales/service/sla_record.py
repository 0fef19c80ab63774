"""Writing the events of the clocks a sweep claimed, set-based, inside the database.

The sweep claims up to a batch of clocks and must write, for each, the same rows the ORM would: a
``sla_warning`` or ``sla_breached`` ticket event and, for a breach, a staff-only line on the customer's
timeline. Preparing a thousand rows in Python (JSON data, time zones) and sending them back cost three
times the writes themselves, so each write here is one ``INSERT … SELECT`` over the claimed ids.

Django has no ``INSERT … SELECT``; the statements below are fixed text per database, every value a
parameter (the ids travel as one JSON array on SQLite, one array on PostgreSQL). ``due_at`` is written
as Python's ``isoformat()`` writes it for a UTC instant, so the data cannot be told from the ORM's:
``tests/sla/test_sweep_set_based.py`` compares both paths row by row. Other databases use the ORM.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.utils import timezone

# The customer timeline's kind for a breach (staff-only: never on the unit's timeline the portal shows).
TIMELINE_KIND = "ticket_sla_breached"

# SQLite stores an instant as "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC; isoformat() adds "T" and "+00:00".
SQLITE_TICKET_EVENTS = """
INSERT INTO service_ticketevent (ticket_id, kind, data, actor_id, at)
SELECT k.ticket_id, %(kind)s,
       json_object('clock_id', k.id, 'metric', k.metric, 'tier', k.tier,
                   'due_at', replace(k.due_at, ' ', 'T') || '+00:00', 'target_minutes', k.target_minutes),
       NULL, %(at)s
  FROM service_slaclock k
 WHERE k.id IN (SELECT value FROM json_each(%(ids)s))
 ORDER BY k.id"""
SQLITE_TIMELINE_EVENTS = """
INSERT INTO core_timelineevent (customer_id, unit_id, kind, occurred_at, recorded_at, actor_id, data)
SELECT t.customer_id, NULL, %(kind)s, k.due_at, %(recorded_at)s, NULL,
       json_object('ticket_id', t.id, 'reference', '#' || t.number, 'metric', k.metric, 'tier', k.tier)
  FROM service_slaclock k JOIN service_ticket t ON t.id = k.ticket_id
 WHERE k.id IN (SELECT value FROM json_each(%(ids)s))
 ORDER BY k.id"""

# isoformat() leaves out the microseconds when there are none.
POSTGRESQL_TICKET_EVENTS = """
INSERT INTO service_ticketevent (ticket_id, kind, data, actor_id, at)
SELECT k.ticket_id, %(kind)s,
       jsonb_build_object('clock_id', k.id, 'metric', k.metric, 'tier', k.tier,
                          'due_at', to_char(k.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
                                    || CASE WHEN date_trunc('second', k.due_at) = k.due_at THEN ''
                                            ELSE to_char(k.due_at AT TIME ZONE 'UTC', '.US') END || '+00:00',
                          'target_minutes', k.target_minutes),
       NULL, %(at)s
  FROM service_slaclock k
 WHERE k.id = ANY(%(ids)s)
 ORDER BY k.id"""
POSTGRESQL_TIMELINE_EVENTS = """
INSERT INTO core_timelineevent (customer_id, unit_id, kind, occurred_at, recorded_at, actor_id, data)
SELECT t.customer_id, NULL, %(kind)s, k.due_at, %(recorded_at)s, NULL,
       jsonb_build_object('ticket_id', t.id, 'reference', '#' || t.number, 'metric', k.metric, 'tier', k.tier)
  FROM service_slaclock k JOIN service_ticket t ON t.id = k.ticket_id
 WHERE k.id = ANY(%(ids)s)
 ORDER BY k.id"""


def set_based_supported() -> bool:
    """Return whether this database has the set-based statements (SQLite and PostgreSQL)."""
    return connection.vendor in ("sqlite", "postgresql")


def _ids_parameter(ids: Sequence[int]) -> Any:
    return json.dumps([int(pk) for pk in ids]) if connection.vendor == "sqlite" else [int(pk) for pk in ids]


def clock_events_insert(*, ids: Sequence[int], kind: str, at: dt.datetime, timeline: bool) -> None:
    """Write one ticket event of a kind per claimed clock and, for breaches, its customer timeline line."""
    if not ids:
        return
    sqlite = connection.vendor == "sqlite"
    parameters = {"ids": _ids_parameter(ids), "kind": kind, "at": at}
    with connection.cursor() as cursor:
        cursor.execute(SQLITE_TICKET_EVENTS if sqlite else POSTGRESQL_TICKET_EVENTS, parameters)
        if timeline:
            cursor.execute(
                SQLITE_TIMELINE_EVENTS if sqlite else POSTGRESQL_TIMELINE_EVENTS,
                {"ids": parameters["ids"], "kind": TIMELINE_KIND, "recorded_at": timezone.now()},
            )
