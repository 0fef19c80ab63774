"""Calendar arithmetic shared by every capability."""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """Return the same day ``months`` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_last_day(start: dt.date, months: int) -> dt.date:
    """Return the last day of a period of ``months`` starting on ``start`` (24 months from 1 Mar 2025: 28 Feb 2027)."""
    anniversary = add_months(start, months)
    if anniversary.day != start.day:
        # 31 January + 1 month: there is no 31 February, so the period covers February to its last day.
        return anniversary
    return anniversary - dt.timedelta(days=1)
