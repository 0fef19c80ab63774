"""API shapes for service levels: business calendars, SLA policies, escalation rules and ticket clocks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


class WorkingHoursIn(Schema):
    weekday: int = Field(description="0 = Monday … 6 = Sunday.")
    starts_at: dt.time
    ends_at: dt.time = Field(description="00:00 means midnight at the end of the day.")


class WorkingHoursOut(WorkingHoursIn):
    pass


class ClosedDayIn(Schema):
    date: dt.date
    name: str = ""


class ClosedDayOut(ClosedDayIn):
    id: int


class CalendarIn(Schema):
    name: str
    name_es: str = ""
    time_zone: str = Field("Europe/Madrid", description="IANA name.")
    country: str = Field("", description="ISO 3166 code whose public holidays close the business; blank for none.")
    subdivision: str = Field("", description="The country's region for regional holidays (MD = Community of Madrid).")
    is_default: bool = False
    hours: list[WorkingHoursIn] = Field(description="Working intervals; several per day are allowed.")


class CalendarPatch(Schema):
    name: str | None = None
    name_es: str | None = None
    time_zone: str | None = None
    country: str | None = None
    subdivision: str | None = None
    is_default: bool | None = None
    hours: list[WorkingHoursIn] | None = Field(None, description="Replaces every interval when given.")


class CalendarOut(Schema):
    id: int
    name: str
    name_es: str
    time_zone: str
    country: str
    subdivision: str
    is_default: bool
    hours: list[WorkingHoursOut]
    closed_days: list[ClosedDayOut]
    updated_at: dt.datetime

    @staticmethod
    def resolve_hours(obj: Any) -> list[Any]:
        return list(obj.hours.all())

    @staticmethod
    def resolve_closed_days(obj: Any) -> list[Any]:
        return list(obj.closed_days.all())


class HolidayOut(Schema):
    date: dt.date
    name: str
    source: str = Field(description="public (the country's or region's) or company (a closed day).")


class TargetIn(Schema):
    priority: str = Field("", description="Blank: any priority without a row of its own.")
    tier: int = Field(1, description="1 or 2.")
    first_response_minutes: int | None = Field(None, description="Working minutes; empty for no target.")
    resolution_minutes: int | None = Field(None, description="Working minutes; empty for no target.")


class TargetOut(TargetIn):
    pass


class PolicyIn(Schema):
    name: str
    name_es: str = ""
    position: int | None = None
    priority: str = ""
    segment_id: int | None = None
    category_id: int | None = None
    calendar_id: int | None = Field(None, description="Empty: the default calendar.")
    warn_percent: int = 80
    warn_minutes_before: int | None = Field(None, description="Overrides warn_percent.")
    active: bool = True
    targets: list[TargetIn]


class PolicyPatch(Schema):
    name: str | None = None
    name_es: str | None = None
    position: int | None = None
    priority: str | None = None
    segment_id: int | None = None
    category_id: int | None = None
    calendar_id: int | None = None
    warn_percent: int | None = None
    warn_minutes_before: int | None = None
    active: bool | None = None
    targets: list[TargetIn] | None = Field(None, description="Replaces every target when given.")


class PolicyOut(Schema):
    id: int
    position: int
    name: str
    name_es: str
    priority: str
    segment_id: int | None
    category_id: int | None
    calendar_id: int | None
    warn_percent: int
    warn_minutes_before: int | None
    active: bool
    targets: list[TargetOut]

    @staticmethod
    def resolve_targets(obj: Any) -> list[Any]:
        return list(obj.targets.all())


class EscalationRuleIn(Schema):
    name: str
    name_es: str = ""
    position: int | None = None
    trigger: str = Field("breach", description="warning or breach.")
    metric: str = Field("", description="first_response, resolution, or blank for both.")
    tier: int | None = None
    priority: str = ""
    queue_id: int | None = Field(None, description="Only tickets of this queue.")
    move_to_queue_id: int | None = None
    assign_to_id: int | None = None
    raise_priority: bool = False
    escalate_to_tier_2: bool = False
    notify_managers: bool = False
    notify_assignee: bool = False
    active: bool = True


class EscalationRulePatch(Schema):
    name: str | None = None
    name_es: str | None = None
    position: int | None = None
    trigger: str | None = None
    metric: str | None = None
    tier: int | None = None
    priority: str | None = None
    queue_id: int | None = None
    move_to_queue_id: int | None = None
    assign_to_id: int | None = None
    raise_priority: bool | None = None
    escalate_to_tier_2: bool | None = None
    notify_managers: bool | None = None
    notify_assignee: bool | None = None
    active: bool | None = None


class EscalationRuleOut(Schema):
    id: int
    position: int
    name: str
    name_es: str
    trigger: str
    metric: str
    tier: int | None
    priority: str
    queue_id: int | None
    move_to_queue_id: int | None
    assign_to_id: int | None
    raise_priority: bool
    escalate_to_tier_2: bool
    notify_managers: bool
    notify_assignee: bool
    active: bool


class ClockOut(Schema):
    metric: str
    tier: int
    status: str
    policy_id: int | None
    target_minutes: int
    started_at: dt.datetime
    due_at: dt.datetime | None = Field(description="Empty while paused: it moves by the paused working time.")
    warn_at: dt.datetime | None
    paused_at: dt.datetime | None
    paused_seconds: int
    warned_at: dt.datetime | None
    breached_at: dt.datetime | None
    stopped_at: dt.datetime | None

    @staticmethod
    def resolve_due_at(obj: Any) -> dt.datetime | None:
        return None if obj.status == "paused" else obj.due_at

    @staticmethod
    def resolve_warn_at(obj: Any) -> dt.datetime | None:
        return None if obj.status == "paused" else obj.warn_at
