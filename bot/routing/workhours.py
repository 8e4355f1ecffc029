"""Working hours in Sweden: weekdays 08:00-17:00 local time, Swedish public holidays off.

Holidays come from the `holidays` package (Sweden): the public holidays and the de facto ones
(midsommarafton, julafton, nyårsafton), which are days off in Swedish public administration.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

DAY_START = time(8, 0)
DAY_END = time(17, 0)


@cache
def _holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(
        "SE", years=year, categories=("public", "de_facto"), include_sundays=False
    )


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_hours(start: datetime, hours: float, zone: ZoneInfo) -> datetime:
    """The moment `hours` working hours after `start` (an aware datetime)."""
    remaining = timedelta(hours=hours)
    current = start.astimezone(zone)
    while True:
        day = current.date()
        opens = datetime.combine(day, DAY_START, zone)
        closes = datetime.combine(day, DAY_END, zone)
        if is_working_day(day) and current < closes:
            current = max(current, opens)
            available = closes - current
            if remaining <= available:
                return current + remaining
            remaining -= available
        current = datetime.combine(day + timedelta(days=1), DAY_START, zone)
