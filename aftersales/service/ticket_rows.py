"""Ticket lists as screens show them: only the columns a row needs, labels and SLA text resolved once.

A list screen shows 25 to 50 tickets with their customer, queue, assignee, tags and next SLA target.
Building a model instance for each of the seven tables behind a row (and a template filter per cell) cost
far more than the query itself, and so did compiling the ORM's annotated query for every page. A page is
read in two steps:

1. the list's own queryset (filters, visibility, ordering: the ORM's) gives the ids of the page's tickets
   (a list that is the same for every reader keeps the ORM's compiled statement for each page:
   :meth:`TicketRowList.compiled_once`);
2. one fixed statement per database (:data:`SQLITE_ROWS`, :data:`POSTGRESQL_ROWS`) reads those tickets'
   shown columns, their next live SLA target (the rule of :func:`aftersales.service.sla.tickets_with_sla`)
   and their tags, every value a parameter.

Other databases read the rows through the ORM (:func:`_values_by_orm`), which is also the reference the
tests compare the statements with. Rows are small frozen objects whose labels (status, priority, kind,
channel), SLA words and dates are looked up once per page in the active language.

:class:`TicketRowList` wraps a ticket queryset so a ``Paginator`` counts the tickets and turns only the
page it shows into rows.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import Any, NamedTuple, overload

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections, router
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext, ngettext

from aftersales.core.formatting import row_date_format
from aftersales.core.models import in_language
from aftersales.service.models import SlaClockStatus, Ticket, TicketChannel, TicketKind, TicketPriority, TicketStatus
from aftersales.service.sla import tickets_with_sla

# A target closer than this is shown as at risk.
SLA_SOON = dt.timedelta(hours=1)
_MINUTE = dt.timedelta(minutes=1)
_ZERO = dt.timedelta(0)

# What a row reads, in this order, whichever way it is read.
ROW_FIELDS = (
    "pk",
    "number",
    "subject",
    "kind",
    "channel",
    "status",
    "priority",
    "is_repeat",
    "created_at",
    "customer__name",
    "queue__name",
    "queue__name_es",
    "assignee_id",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__username",
    "sla_due_at",
    "sla_paused",
)

# The next live target as ``tickets_with_sla`` defines it: the earliest due time of a clock still counting
# (running, or breached and not stopped); paused while a live clock waits. Tags come as one JSON array
# (SQLite) or one array (PostgreSQL). Customer names are read by key for each of the page's tickets:
# joined, PostgreSQL's planner hashes the whole customer table to find fifty of them. The queue's name
# comes in both languages (a few queues: joined). SQLite without statistics would look up the paused clock
# through the clocks' status index, reading every paused clock for each ticket (650 ms a page at 100,000
# tickets): its unary "+" keeps the status from choosing an index, so the ticket's own index serves.
_ROWS = """
SELECT t.id, t.number, t.subject, t.kind, t.channel, t.status, t.priority, t.is_repeat, {created_at},
       (SELECT c.name FROM customers_customer c WHERE c.id = t.customer_id),
       q.name, q.name_es,
       t.assignee_id, u.first_name, u.last_name, u.username,
       (SELECT {due_at} FROM service_slaclock k
         WHERE k.ticket_id = t.id AND k.stopped_at IS NULL AND k.status IN (%(running)s, %(breached)s)),
       EXISTS (SELECT 1 FROM service_slaclock k
                WHERE k.ticket_id = t.id AND k.stopped_at IS NULL AND {unindexed}k.status = %(paused)s),
       {tags}
  FROM service_ticket t
  LEFT JOIN service_queue q ON q.id = t.queue_id
  LEFT JOIN core_user u ON u.id = t.assignee_id
 WHERE {page}"""
_TAGS = "(SELECT {names} FROM service_ticket_tags tt JOIN service_tag g ON g.id = tt.tag_id WHERE tt.ticket_id = t.id)"
# SQLite sends the instants as ISO 8601 text marked UTC (Django stores them as UTC text with a space for the
# "T"), which ``datetime.fromisoformat`` reads in one step and which is already what ``isoformat`` would
# write; as columns, Django's converter would parse them with a regular expression, the slowest step of
# reading a row, and leave them naive.
SQLITE_ROWS = _ROWS.format(
    created_at="replace(t.created_at, ' ', 'T') || '+00:00'",
    due_at="replace(MIN(k.due_at), ' ', 'T') || '+00:00'",
    tags=_TAGS.format(names="json_group_array(g.name)"),
    page="t.id IN (SELECT value FROM json_each(%(ids)s))",
    unindexed="+",
)
POSTGRESQL_ROWS = _ROWS.format(
    created_at="t.created_at",
    due_at="MIN(k.due_at)",
    tags="ARRAY" + _TAGS.format(names="g.name"),
    page="t.id = ANY(%(ids)s)",
    unindexed="",
)
# SQLite's tags of a ticket without any.
_NO_TAGS = "[]"


class TicketRow(NamedTuple):
    """One ticket of a list: what its row shows, in the active language (a tuple: fifty are built per page)."""

    pk: int
    number: int
    subject: str
    kind_label: str
    channel_label: str
    status: str
    status_label: str
    priority: str
    priority_label: str
    is_repeat: bool
    created_at: dt.datetime
    # When it was opened, for the ``<time datetime>`` attribute, and as the reader's short date and time.
    created_iso: str
    created_text: str
    # How long it has been open, in the same words as the SLA column ("3 d 4 h", "2 h 10 min").
    waiting_text: str
    customer_name: str
    queue_name: str
    # Empty when nobody is assigned.
    assignee_name: str
    # "due in 2 h", "breached by 35 min", "paused" or "" without a live target.
    sla_text: str
    # For the badge's colour: "breached", "soon" (within the hour), "ok", "paused" or "none".
    sla_state: str
    tags: tuple[str, ...] = ()

    @property
    def reference(self) -> str:
        return f"#{self.number}"


class SlaWords:
    """The words of "due in 2 h 10 min" / "breached by 35 min" / "paused" in one language, looked up once.

    The same text :func:`aftersales.service.sla.sla_status_text` writes, without a catalogue lookup per row.
    Durations are shown to the minute, and the text of each number of minutes is kept (a few thousand at most:
    the memory is emptied when it holds more), so the rows of a page mostly find theirs written already.
    """

    KEPT = 10_000

    def __init__(self) -> None:
        self.days = gettext("%(days)s d %(hours)s h")
        self.hours = gettext("%(hours)s h %(minutes)s min")
        self.breached = gettext("breached by %(duration)s")
        self.due = gettext("due in %(duration)s")
        self.paused = gettext("paused")
        self._written: dict[int, str] = {}

    def minutes(self, minutes: int) -> str:
        """Return a number of minutes as "3 d 4 h", "2 h 10 min" or "35 min" (none below zero)."""
        found = self._written.get(minutes)
        if found is not None:
            return found
        days, rest = divmod(max(0, minutes), 24 * 60)
        hours, rest = divmod(rest, 60)
        if days:
            text = self.days % {"days": days, "hours": hours}
        elif hours:
            text = self.hours % {"hours": hours, "minutes": rest}
        else:
            text = ngettext("%(minutes)s min", "%(minutes)s min", rest) % {"minutes": rest}
        if len(self._written) >= self.KEPT:
            self._written.clear()
        self._written[minutes] = text
        return text

    def target(self, *, due_at: dt.datetime | None, paused: bool, now: dt.datetime) -> tuple[str, str]:
        """Return the text and the badge state of a ticket's next target.

        The text is "due in 2 h", "breached by 35 min", "paused" or "" without a live target; the state
        "breached" (once ``due_at <= now``), "soon" (within the hour), "ok", "paused" or "none".
        """
        if due_at is not None:
            left = due_at - now
            if left <= _ZERO:
                return self.breached % {"duration": self.minutes(-left // _MINUTE)}, "breached"
            return self.due % {"duration": self.minutes(left // _MINUTE)}, "soon" if left <= SLA_SOON else "ok"
        if paused:
            return self.paused, "paused"
        return "", "none"


@functools.cache
def sla_words(language: str | None) -> SlaWords:
    """Return the SLA words of one language (kept: the catalogues do not change while the process runs)."""
    with translation.override(language):
        return SlaWords()


@functools.cache
def _labels_in(language: str | None) -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, str]]:
    """Return the status, priority, kind and channel labels in one language (the choices never change)."""

    def labels(choices: type[Any]) -> dict[str, str]:
        return {value: str(label) for value, label in choices.choices}

    return labels(TicketStatus), labels(TicketPriority), labels(TicketKind), labels(TicketChannel)


def tag_names(tags: str | Sequence[str] | None) -> tuple[str, ...]:
    """Return a ticket's tag names, sorted, as a statement read them (SQLite: a JSON array)."""
    if not tags or tags == _NO_TAGS:
        return ()
    return tuple(sorted(json.loads(tags) if isinstance(tags, str) else tags))


def _aware(value: dt.datetime | str | None) -> dt.datetime | None:
    """Return an instant the database sent (SQLite: text marked UTC, or naive UTC through the ORM)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _rows(values: Sequence[Sequence[Any]], *, now: dt.datetime) -> list[TicketRow]:
    """Turn values read in the order of ``ROW_FIELDS`` plus the tag names into rows, in the active language."""
    language = get_language()
    statuses, priorities, kinds, channels = _labels_in(language)
    words = sla_words(language)
    written = row_date_format()
    rows = []
    for (
        pk,
        number,
        subject,
        kind,
        channel,
        status,
        priority,
        is_repeat,
        created_at,
        customer_name,
        queue_name,
        queue_name_es,
        assignee_id,
        first_name,
        last_name,
        username,
        sla_due_at,
        sla_paused,
        tags,
    ) in values:
        # SQLite's statement sends ISO text (see ``SQLITE_ROWS``), other reads datetimes.
        if created_at.__class__ is str:
            created_iso, created_at = created_at, dt.datetime.fromisoformat(created_at)
        else:
            created_at = _aware(created_at)
            assert created_at is not None
            created_iso = created_at.isoformat()
        # Breached is ``due_at <= now``: compared here rather than by another subquery per row.
        sla_text, sla_state = words.target(due_at=_aware(sla_due_at), paused=bool(sla_paused), now=now)
        assignee = ""
        if assignee_id is not None:
            assignee = f"{first_name} {last_name}".strip() or username
        # Positional, in the order of the fields: fifty rows a page.
        rows.append(
            TicketRow(
                pk,
                number,
                subject,
                kinds.get(kind, kind),
                channels.get(channel, channel),
                status,
                statuses.get(status, status),
                priority,
                priorities.get(priority, priority),
                bool(is_repeat),
                created_at,
                created_iso,
                written(created_at),
                words.minutes((now - created_at) // _MINUTE),
                customer_name,
                in_language(queue_name, queue_name_es, language) if queue_name_es else queue_name,
                assignee,
                sla_text,
                sla_state,
                tag_names(tags),
            )
        )
    return rows


def statement_parameters(ids: Sequence[int]) -> dict[str, Any]:
    """Return the parameters of the database's fixed statement for some tickets."""
    return {
        "running": SlaClockStatus.RUNNING.value,
        "breached": SlaClockStatus.BREACHED.value,
        "paused": SlaClockStatus.PAUSED.value,
        "ids": json.dumps(list(ids)) if connection.vendor == "sqlite" else list(ids),
    }


def _values_by_statement(ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """Read the rows of some tickets with the database's fixed statement."""
    sqlite = connection.vendor == "sqlite"
    with connection.cursor() as cursor:
        cursor.execute(SQLITE_ROWS if sqlite else POSTGRESQL_ROWS, statement_parameters(ids))
        found = cursor.fetchall()
    return found


def _values_by_orm(ids: Sequence[int]) -> list[tuple[Any, ...]]:
    """Read the same values through the ORM: ``tickets_with_sla`` and one query for the tags."""
    tags: dict[int, list[str]] = defaultdict(list)
    for ticket_id, name in Ticket.tags.through.objects.filter(ticket_id__in=ids).values_list("ticket_id", "tag__name"):
        tags[ticket_id].append(name)
    values = tickets_with_sla(Ticket.objects.filter(pk__in=ids)).values_list(*ROW_FIELDS)
    return [(*value, tags.get(value[0], [])) for value in values]


def ticket_rows_of(ids: Sequence[int], *, now: dt.datetime | None = None) -> list[TicketRow]:
    """Return the rows of the tickets with these ids, in the order of the ids, in the active language."""
    if not ids:
        return []
    read = _values_by_statement if connection.vendor in ("sqlite", "postgresql") else _values_by_orm
    # In the order of the ids (sorting fifty rows here costs less than an ``ORDER BY`` in the statement).
    by_id = {value[0]: value for value in read(ids)}
    return _rows([by_id[pk] for pk in ids if pk in by_id], now=now or timezone.now())


def ticket_rows(tickets: QuerySet[Ticket], *, now: dt.datetime | None = None) -> list[TicketRow]:
    """Return the rows of a (sliced) ticket list, in its order, in the active language.

    Pass the queryset already ordered and sliced to the rows to show: it is asked for the ids only.
    """
    return ticket_rows_of(list(tickets.values_list("pk", flat=True)), now=now)


# Page statements of lists compiled once (``TicketRowList.compiled_once``): (database, key, start, stop) to
# the ids statement and its parameters. Bounded: a list paged far keeps its latest pages.
_PAGE_STATEMENTS: dict[tuple[Hashable, ...], tuple[str, tuple[Any, ...]]] = {}
PAGE_STATEMENTS_KEPT = 256


class TicketRowList:
    """A ticket list for ``Paginator``: counts the tickets, and turns only the page's slice into rows."""

    def __init__(self, tickets: QuerySet[Ticket], *, now: dt.datetime | None = None) -> None:
        self.now = now or timezone.now()
        self._tickets: QuerySet[Ticket] | None = tickets
        self._build: Callable[[], QuerySet[Ticket]] | None = None
        self._key: Hashable | None = None

    @classmethod
    def compiled_once(
        cls, key: Hashable, tickets: Callable[[], QuerySet[Ticket]], *, now: dt.datetime | None = None
    ) -> TicketRowList:
        """Return a list that is the same queryset whoever reads it, its page statements compiled once per process.

        ``tickets`` builds the queryset and must give the same SQL every time it is called (no reader, time
        or other argument in it: those belong in ``key``). A page's ids statement is then compiled the first
        time that page is asked for and kept under ``key``; the queryset is built only to compile or to
        count. Building and compiling the ORM's statement cost more than running it.
        """
        rows = cls.__new__(cls)
        rows.now = now or timezone.now()
        rows._tickets, rows._build, rows._key = None, tickets, key
        return rows

    @property
    def tickets(self) -> QuerySet[Ticket]:
        if self._tickets is None:
            assert self._build is not None
            self._tickets = self._build()
        return self._tickets

    def count(self) -> int:
        return self.tickets.order_by().count()

    def __len__(self) -> int:
        return self.count()

    def _ids(self, index: slice) -> list[int]:
        """Return the ids of a slice of the list, in its order."""
        if self._key is None:
            return list(self.tickets[index].values_list("pk", flat=True))
        database = connections[router.db_for_read(Ticket)]
        cache_key = (database.alias, database.vendor, self._key, index.start, index.stop)
        statement = _PAGE_STATEMENTS.get(cache_key)
        if statement is None:
            try:
                sql, parameters = self.tickets[index].values_list("pk", flat=True).query.sql_with_params()
            except EmptyResultSet:  # a condition no ticket can meet: nothing to run
                return []
            if len(_PAGE_STATEMENTS) >= PAGE_STATEMENTS_KEPT:
                _PAGE_STATEMENTS.clear()
            statement = _PAGE_STATEMENTS[cache_key] = (sql, tuple(parameters))
        with database.cursor() as cursor:
            cursor.execute(*statement)
            return [pk for (pk,) in cursor.fetchall()]

    @overload
    def __getitem__(self, index: int) -> TicketRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[TicketRow]: ...

    def __getitem__(self, index: int | slice) -> TicketRow | list[TicketRow]:
        if isinstance(index, slice):
            return ticket_rows_of(self._ids(index), now=self.now)
        return ticket_rows_of(self._ids(slice(index, index + 1)), now=self.now)[0]
