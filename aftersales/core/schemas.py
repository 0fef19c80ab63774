"""API shapes shared by several apps."""

from __future__ import annotations

import datetime as dt

from ninja import Schema

from aftersales.core.models import TimelineEvent
from aftersales.core.timeline import event_describe, event_label


class TimelineEventOut(Schema):
    id: int
    kind: str
    label: str
    description: str
    occurred_at: dt.datetime
    unit_id: int | None
    serial: str | None
    actor: str | None
    data: dict[str, object]

    @staticmethod
    def resolve_label(obj: TimelineEvent) -> str:
        return event_label(obj)

    @staticmethod
    def resolve_description(obj: TimelineEvent) -> str:
        return event_describe(obj)

    @staticmethod
    def resolve_serial(obj: TimelineEvent) -> str | None:
        return obj.unit.serial if obj.unit_id and obj.unit else None

    @staticmethod
    def resolve_actor(obj: TimelineEvent) -> str | None:
        return str(obj.actor) if obj.actor_id and obj.actor else None
