"""The node's one clock: every service, card and check asks it for "now", in the node's time
zone (Europe/Stockholm). It is the only module that reads the wall clock (a test in
tests/test_architecture.py holds that), so time is an input like any other.

Production reads the wall clock. `NODE_TEST_NOW` (tests and demos) starts the clock at a given
instant, from which it runs on in real time; tests of the domain use a frozen clock that moves
only when they move it.
"""

from __future__ import annotations

import time as _time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


def parse_instant(text: str, zone: ZoneInfo) -> datetime:
    """An ISO instant ("2026-11-30T19:00", "2026-10-25T02:30+01:00"); without an offset it is
    local time in `zone`. ValueError when it is not one."""
    moment = datetime.fromisoformat(text.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


class Clock:
    """Now, as epoch seconds (`time`), as an aware datetime in the zone (`now`) and as the
    local date (`today`)."""

    def __init__(
        self, zone: ZoneInfo, start: datetime | None = None, *, frozen: bool = False
    ) -> None:
        self.zone = zone
        self._frozen = frozen
        if frozen:
            self._fixed = (start or datetime.now(UTC)).timestamp()
            self._offset = 0.0
        else:
            self._fixed = 0.0
            self._offset = 0.0 if start is None else start.timestamp() - _time.time()

    @classmethod
    def starting_at(cls, zone: ZoneInfo, instant: str = "") -> Clock:
        """The wall clock, or one that starts at `instant` (NODE_TEST_NOW) and runs on."""
        return cls(zone, parse_instant(instant, zone) if instant else None)

    @classmethod
    def frozen_at(cls, zone: ZoneInfo, instant: datetime | str) -> Clock:
        """A clock that stands still at `instant` until it is moved (tests)."""
        start = parse_instant(instant, zone) if isinstance(instant, str) else instant
        return cls(zone, start, frozen=True)

    def time(self) -> float:
        return self._fixed if self._frozen else _time.time() + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), self.zone)

    def today(self) -> date:
        return self.now().date()

    def local(self, epoch: float) -> datetime:
        """An epoch instant as local time in the node's zone."""
        return datetime.fromtimestamp(epoch, self.zone)

    def advance(self, delta: timedelta | float) -> None:
        """Move the clock forward (tests): by a timedelta or a number of seconds."""
        seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
        if self._frozen:
            self._fixed += seconds
        else:
            self._offset += seconds

    def set(self, instant: datetime) -> None:
        """Put the clock at `instant` (tests); a running clock runs on from there."""
        if self._frozen:
            self._fixed = instant.timestamp()
        else:
            self._offset = instant.timestamp() - _time.time()
