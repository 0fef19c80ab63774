"""Ticket lists as screens show them: only the columns a row needs, labels and SLA text resolved once.

A list screen shows 25 to 50 tickets with their customer, queue, assignee and next SLA target. Building a
model instance for each of the seven tables behind a row (and a template filter per cell) cost far more
than the query itself; :func:`ticket_rows` fetches the shown columns with ``values()``, in the same query,
and returns small frozen rows whose labels (status, priority, kind, channel) come from one lookup per
page in the active language and whose "due in / breached by" text is computed once per row.

:class:`TicketRowList` wraps a ticket queryset so a ``Paginator`` counts the tickets and turns only the
page it shows into rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, overload

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from aftersales.service.models import Ticket, TicketChannel, TicketKind, TicketPriority, TicketStatus
from aftersales.service.sla import tickets_with_sla

# A target closer than this is shown as at risk.
SLA_SOON = dt.timedelta(hours=1)

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
    "assignee_id",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__username",
    "sla_due_at",
    "sla_paused",
)


@dataclass(frozen=True, slots=True)
class TicketRow:
    """One ticket of a list: what its row shows, in the active language."""

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
    # When it was opened, for the ``<time datetime>`` attribute.
    created_iso: str
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


def sla_state_of(*, due_at: dt.datetime | None, breached: bool, paused: bool, now: dt.datetime) -> str:
    """Return the badge state of a ticket's next target: breached, soon, ok, paused or none."""
    if due_at is not None and (breached or due_at <= now):
        return "breached"
    if due_at is not None:
        return "soon" if due_at - now <= SLA_SOON else "ok"
    return "paused" if paused else "none"


class SlaWords:
    """The words of "due in 2 h 10 min" / "breached by 35 min" / "paused", looked up once per page.

    The same text :func:`aftersales.service.sla.sla_status_text` writes, without a catalogue lookup per row.
    """

    def __init__(self) -> None:
        self.days = gettext("%(days)s d %(hours)s h")
        self.hours = gettext("%(hours)s h %(minutes)s min")
        self.breached = gettext("breached by %(duration)s")
        self.due = gettext("due in %(duration)s")
        self.paused = gettext("paused")
        self._minutes: dict[int, str] = {}

    def duration(self, delta: dt.timedelta) -> str:
        minutes = max(0, int(delta.total_seconds() // 60))
        days, rest = divmod(minutes, 24 * 60)
        hours, minutes = divmod(rest, 60)
        if days:
            return self.days % {"days": days, "hours": hours}
        if hours:
            return self.hours % {"hours": hours, "minutes": minutes}
        if minutes not in self._minutes:
            self._minutes[minutes] = ngettext("%(minutes)s min", "%(minutes)s min", minutes) % {"minutes": minutes}
        return self._minutes[minutes]

    def status(self, *, due_at: dt.datetime | None, breached: bool, paused: bool, now: dt.datetime) -> str:
        if due_at is not None and (breached or due_at <= now):
            return self.breached % {"duration": self.duration(now - due_at)}
        if due_at is not None:
            return self.due % {"duration": self.duration(due_at - now)}
        return self.paused if paused else ""


def _labels(choices: type[Any]) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def _rows(values: Sequence[dict[str, Any]], *, now: dt.datetime, tags: dict[int, list[str]]) -> list[TicketRow]:
    statuses, priorities = _labels(TicketStatus), _labels(TicketPriority)
    kinds, channels = _labels(TicketKind), _labels(TicketChannel)
    words = SlaWords()
    rows = []
    for value in values:
        # ``sla_breached`` is ``sla_due_at <= now``: compared here rather than by a second subquery per row.
        due_at, paused = value["sla_due_at"], bool(value["sla_paused"])
        breached = due_at is not None and due_at <= now
        assignee = ""
        if value["assignee_id"] is not None:
            full_name = f"{value['assignee__first_name']} {value['assignee__last_name']}".strip()
            assignee = full_name or value["assignee__username"]
        rows.append(
            TicketRow(
                pk=value["pk"],
                number=value["number"],
                subject=value["subject"],
                kind_label=kinds.get(value["kind"], value["kind"]),
                channel_label=channels.get(value["channel"], value["channel"]),
                status=value["status"],
                status_label=statuses.get(value["status"], value["status"]),
                priority=value["priority"],
                priority_label=priorities.get(value["priority"], value["priority"]),
                is_repeat=value["is_repeat"],
                created_at=value["created_at"],
                created_iso=value["created_at"].isoformat(),
                customer_name=value["customer__name"],
                queue_name=value["queue__name"],
                assignee_name=assignee,
                sla_text=words.status(due_at=due_at, breached=breached, paused=paused, now=now),
                sla_state=sla_state_of(due_at=due_at, breached=breached, paused=paused, now=now),
                tags=tuple(tags.get(value["pk"], ())),
            )
        )
    return rows


def _tags_of(ticket_ids: Sequence[int]) -> dict[int, list[str]]:
    """Return the tag names of some tickets, by ticket id, in one query."""
    found: dict[int, list[str]] = defaultdict(list)
    links = Ticket.tags.through.objects.filter(ticket_id__in=ticket_ids).order_by("tag__name")
    for ticket_id, name in links.values_list("ticket_id", "tag__name"):
        found[ticket_id].append(name)
    return found


def ticket_rows(tickets: QuerySet[Ticket], *, now: dt.datetime | None = None, with_tags: bool = True) -> list[TicketRow]:
    """Return the rows of a (sliced) ticket list annotated by ``tickets_with_sla``, in the active language.

    Pass the queryset already ordered and sliced to the rows to show; ``with_tags`` adds one query for
    the tags of those tickets.
    """
    now = now or timezone.now()
    values = list(tickets.values(*ROW_FIELDS))
    tags = _tags_of([value["pk"] for value in values]) if with_tags and values else {}
    return _rows(values, now=now, tags=tags)


class TicketRowList:
    """A ticket list for ``Paginator``: counts the tickets, and turns only the page's slice into rows."""

    def __init__(self, tickets: QuerySet[Ticket], *, now: dt.datetime | None = None, with_tags: bool = True) -> None:
        self.now = now or timezone.now()
        self.tickets = tickets
        # A list sorted by its next target comes annotated already.
        annotated = "sla_due_at" in tickets.query.annotations
        self.annotated = tickets if annotated else tickets_with_sla(tickets, now=self.now)
        self.with_tags = with_tags

    def count(self) -> int:
        # Counted without the SLA annotation, which the count does not need.
        return self.tickets.order_by().count()

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> TicketRow: ...

    @overload
    def __getitem__(self, index: slice) -> list[TicketRow]: ...

    def __getitem__(self, index: int | slice) -> TicketRow | list[TicketRow]:
        if isinstance(index, slice):
            return ticket_rows(self.annotated[index], now=self.now, with_tags=self.with_tags)
        return ticket_rows(self.annotated[index : index + 1], now=self.now, with_tags=self.with_tags)[0]
