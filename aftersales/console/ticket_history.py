"""A ticket's event history in words: events store codes and ids, people read labels and names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from aftersales.core.models import Language, User
from aftersales.service.models import (
    EscalationTier,
    Queue,
    SlaMetric,
    TicketChannel,
    TicketEvent,
    TicketEventKind,
    TicketKind,
    TicketPriority,
    TicketStatus,
)

# Kinds the SLA capability writes on a ticket's history (its module owns the codes).
OTHER_LABELS = {
    "sla_warning": gettext_lazy("Service target close"),
    "sla_breached": gettext_lazy("Service target missed"),
    "sla_escalation": gettext_lazy("Escalation rule applied"),
    "details": gettext_lazy("Details changed"),
}
CHOICES_OF = {
    TicketEventKind.STATUS: TicketStatus,
    TicketEventKind.PRIORITY: TicketPriority,
    TicketEventKind.KIND: TicketKind,
    TicketEventKind.ESCALATED: EscalationTier,
}


@dataclass(frozen=True)
class HistoryRow:
    event: TicketEvent
    label: str
    detail: str


def _label_of(choices: Any, code: Any) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return str(code)


class _Names:
    """Names of the people and queues a page of events mentions, read in two queries."""

    def __init__(self, events: Sequence[TicketEvent]) -> None:
        user_ids: set[int] = set()
        queue_ids: set[int] = set()
        for event in events:
            data = event.data or {}
            if event.kind == TicketEventKind.ASSIGNED:
                user_ids.update(value for value in (data.get("from"), data.get("to")) if isinstance(value, int))
            elif event.kind in (TicketEventKind.FOLLOWERS, TicketEventKind.CALLBACK):
                user_ids.update(value for value in (data.get("user"), data.get("assignee")) if isinstance(value, int))
            elif event.kind == TicketEventKind.QUEUE:
                queue_ids.update(value for value in (data.get("from"), data.get("to")) if isinstance(value, int))
        self.users = {user.pk: user.get_full_name() or user.username for user in User.objects.filter(pk__in=user_ids)}
        language = get_language() or Language.ENGLISH
        self.queues = {queue.pk: queue.display_name(language) for queue in Queue.objects.filter(pk__in=queue_ids)}

    def user(self, pk: Any) -> str:
        return self.users.get(pk, "—") if pk else _("nobody")

    def queue(self, pk: Any) -> str:
        return self.queues.get(pk, "—")


def _detail(event: TicketEvent, names: _Names) -> str:
    data = event.data or {}
    kind = event.kind
    if kind in CHOICES_OF:
        choices = CHOICES_OF[kind]  # type: ignore[index]
        return f"{_label_of(choices, data.get('from'))} → {_label_of(choices, data.get('to'))}"
    if kind == TicketEventKind.CREATED:
        return _("by %(channel)s") % {"channel": _label_of(TicketChannel, data.get("channel"))}
    if kind == TicketEventKind.CUSTOMER_REPLY:
        return _label_of(TicketChannel, data.get("channel"))
    if kind == TicketEventKind.PUBLIC_REPLY:
        return _("first reply") if data.get("first") else ""
    if kind == TicketEventKind.ASSIGNED:
        text = f"{names.user(data.get('from'))} → {names.user(data.get('to'))}"
        return _("%(change)s (automatic)") % {"change": text} if data.get("automatic") else text
    if kind == TicketEventKind.QUEUE:
        return f"{names.queue(data.get('from'))} → {names.queue(data.get('to'))}"
    if kind == TicketEventKind.TAGS:
        return ", ".join([f"+{name}" for name in data.get("added", [])] + [f"−{name}" for name in data.get("removed", [])])
    if kind == TicketEventKind.FOLLOWERS:
        pattern = _("%(name)s follows") if data.get("following") else _("%(name)s stopped following")
        return pattern % {"name": names.user(data.get("user"))}
    if kind == TicketEventKind.MERGED:
        return _("%(source)s into %(target)s") % {"source": data.get("source_reference"), "target": data.get("target_reference")}
    if kind == TicketEventKind.REPEAT:
        return _("of %(reference)s") % {"reference": data.get("reference", "")}
    if kind == TicketEventKind.MACRO:
        return str(data.get("name", ""))
    if kind == TicketEventKind.ATTACHMENT:
        return str(data.get("file_name", ""))
    if kind == TicketEventKind.CALLBACK:
        return _("done") if data.get("done") else _("for %(name)s") % {"name": names.user(data.get("assignee"))}
    if kind in ("sla_warning", "sla_breached", "sla_escalation"):
        metric = _label_of(SlaMetric, data.get("metric"))
        return f"{metric} · {data['rule_name']}" if data.get("rule_name") else metric
    if kind == "details":
        return str(data.get("field", ""))
    return ""


def history_rows(events: Sequence[TicketEvent]) -> list[HistoryRow]:
    """Return each event with its label and a short description in the active language."""
    names = _Names(events)
    rows = []
    for event in events:
        label = (
            _label_of(TicketEventKind, event.kind)
            if event.kind in TicketEventKind.values
            else str(OTHER_LABELS.get(event.kind, event.kind))
        )
        rows.append(HistoryRow(event=event, label=label, detail=_detail(event, names)))
    return rows
