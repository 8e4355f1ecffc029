"""Deadlines count Swedish working hours only."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.routing.workhours import add_working_hours

ZONE = ZoneInfo("Europe/Stockholm")


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        ("2026-11-25T09:00", 4, "2026-11-25T13:00"),  # a plain Wednesday
        ("2026-11-25T15:00", 4, "2026-11-26T10:00"),  # over the evening
        ("2026-11-27T15:00", 4, "2026-11-30T10:00"),  # Friday -> Monday
        ("2026-11-28T10:00", 4, "2026-11-30T12:00"),  # asked on a Saturday
        ("2026-11-25T06:30", 4, "2026-11-25T12:00"),  # before the day starts
        ("2026-12-23T16:00", 4, "2026-12-28T11:00"),  # julafton, juldagen, annandag, weekend
        ("2026-06-18T16:00", 4, "2026-06-22T11:00"),  # midsommarafton off
        ("2026-04-02T16:00", 2, "2026-04-07T09:00"),  # långfredag and annandag påsk
    ],
)
def test_working_hours_skip_evenings_weekends_and_holidays(
    start: str, hours: float, expected: str
) -> None:
    begun = datetime.fromisoformat(start).replace(tzinfo=ZONE)
    assert add_working_hours(begun, hours, ZONE) == datetime.fromisoformat(expected).replace(
        tzinfo=ZONE
    )
