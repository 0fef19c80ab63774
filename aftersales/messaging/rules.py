"""The outbox's sending rules in time: quiet hours, the marketing frequency cap and the retry schedule."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

# Retries wait 1, 4, 16, 64 minutes… and never more than six hours.
RETRY_FIRST_DELAY = dt.timedelta(minutes=1)
RETRY_FACTOR = 4
RETRY_LONGEST_DELAY = dt.timedelta(hours=6)


def customer_zone(time_zone: str) -> zoneinfo.ZoneInfo:
    """Return the customer's time zone, or the business's when theirs is empty or unknown."""
    for name in (time_zone, settings.TIME_ZONE):
        if not name:
            continue
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
    return zoneinfo.ZoneInfo("UTC")


def quiet_hours() -> tuple[int, int] | None:
    """Return the (start, end) local hours when nothing is sent, or None when there are none."""
    value = settings.MESSAGING_QUIET_HOURS
    if not value:
        return None
    try:
        start, end = (int(hour) for hour in (value.split("-", 1) if isinstance(value, str) else value))
    except (TypeError, ValueError) as error:
        raise ImproperlyConfigured("MESSAGING_QUIET_HOURS must look like 21-8 (from hour, to hour).") from error
    if not (0 <= start <= 23 and 0 <= end <= 23) or start == end:
        raise ImproperlyConfigured("MESSAGING_QUIET_HOURS must be two different hours between 0 and 23, e.g. 21-8.")
    return start, end


def next_allowed_moment(moment: dt.datetime, *, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """Return the moment itself, or the end of the quiet hours it falls in, in the customer's local time."""
    hours = quiet_hours()
    if hours is None:
        return moment
    start, end = hours
    local = moment.astimezone(zone)
    if start > end:  # the quiet hours span midnight, e.g. 21:00–08:00
        if local.hour >= start:
            day = local.date() + dt.timedelta(days=1)
        elif local.hour < end:
            day = local.date()
        else:
            return moment
    elif start <= local.hour < end:
        day = local.date()
    else:
        return moment
    # Build the wall-clock time in the zone, then normalise through UTC so a DST gap cannot produce
    # a time that does not exist.
    wake = dt.datetime.combine(day, dt.time(end), tzinfo=zone)
    return wake.astimezone(dt.UTC)


@dataclass(frozen=True)
class Cap:
    messages: int
    days: int


def marketing_cap() -> Cap | None:
    """Return the per-customer marketing cap ("3/30": three in thirty days), or None when uncapped."""
    value = (settings.MESSAGING_MARKETING_CAP or "").strip()
    if not value:
        return None
    try:
        messages, days = (int(part) for part in value.split("/", 1))
    except ValueError as error:
        raise ImproperlyConfigured('MESSAGING_MARKETING_CAP must look like "3/30" (messages/days).') from error
    if messages < 0 or days <= 0:
        raise ImproperlyConfigured("MESSAGING_MARKETING_CAP needs a message count ≥ 0 and a period ≥ 1 day.")
    return Cap(messages=messages, days=days)


def retry_delay(attempts: int) -> dt.timedelta:
    """Return how long to wait after the given number of failed attempts."""
    delay = RETRY_FIRST_DELAY * RETRY_FACTOR ** max(attempts - 1, 0)
    return min(delay, RETRY_LONGEST_DELAY)


def max_attempts() -> int:
    """Return how many times a message is tried before it is marked failed."""
    return max(1, int(settings.MESSAGING_MAX_ATTEMPTS))


def lease() -> dt.timedelta:
    """Return how long a worker holds a message while sending it."""
    return dt.timedelta(seconds=max(1, int(settings.MESSAGING_LEASE_SECONDS)))


def settings_check(**kwargs: object) -> list[checks.CheckMessage]:
    """Report outbox settings that cannot be understood, at start-up rather than at the first message."""
    problems = []
    for read in (quiet_hours, marketing_cap):
        try:
            read()
        except ImproperlyConfigured as error:
            problems.append(checks.Error(str(error), id="messaging.E001"))
    for name in ("MESSAGING_MAX_ATTEMPTS", "MESSAGING_LEASE_SECONDS", "MESSAGING_SWEEP_SECONDS"):
        if int(getattr(settings, name)) < 1:
            problems.append(checks.Error(f"{name} must be 1 or more.", id="messaging.E002"))
    return problems
