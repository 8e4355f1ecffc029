"""The follow-up reminder round over 10,000 agreements x 5 criteria on SQLite: time per round
and store rows read, for a round that finds nothing due and for one that sends a day's
reminders. A round must read what is due, not every agreement."""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from stdnum import luhn

from bot.agreements import FollowUpService
from bot.clock import Clock
from bot.criteria import CriteriaLibrary
from bot.messaging import Person
from bot.outbox import Outbox
from bot.routing import RoutingService
from bot.sharing import SharingService
from bot.storage import Record, SqliteStore, Store
from cards import AgreementCards, SharedItemCards, TicketCards

ZONE = ZoneInfo("Europe/Stockholm")
AGREEMENTS, CRITERIA = (
    int(os.environ.get("BENCH_AGREEMENTS", "10000")),
    ("11567", "10855:1", "11169", "11189", "11009"),
)


@dataclass
class Counting:
    """A Store that counts the rows it hands out."""

    inner: Store
    rows: int = 0

    async def get(self, table: str, partition: str, key: str) -> Record | None:
        record = await self.inner.get(table, partition, key)
        self.rows += record is not None
        return record

    async def query(self, table: str, partition: str | None = None) -> list[Record]:
        records = await self.inner.query(table, partition)
        self.rows += len(records)
        return records

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@dataclass
class Quiet:
    sent: list[str] = field(default_factory=list)

    async def to_channel(self, channel_id: str, card: dict[str, Any]) -> str:
        return ""

    async def update(self, conversation_id: str, activity_id: str, card: dict[str, Any]) -> None:
        return None

    async def to_person(self, user_id: str, card: dict[str, Any]) -> bool:
        self.sent.append(user_id)
        return True


class Everyone:
    async def person(self, who: str) -> Person | None:
        return Person(who, "", who)

    async def emails_of(self, user_id: str) -> frozenset[str]:
        return frozenset()


def _org(n: int) -> str:
    """A valid organisationsnummer for supplier n (500 suppliers, 20 agreements each)."""
    digits = f"556{n:06d}"
    return digits + luhn.calc_check_digit(digits)


async def _run(folder: Path) -> dict[str, Any]:
    counting = Counting(SqliteStore(folder / "store.sqlite3"))
    store: Any = counting
    clock = Clock.frozen_at(ZONE, datetime(2026, 11, 27, 9, tzinfo=ZONE))
    library = CriteriaLibrary(store, clock)
    await library.load()
    messenger = Quiet()
    outbox = Outbox(store, clock, rate_per_s=100_000)
    routing = RoutingService(store, messenger, library, TicketCards(ZONE), clock, outbox)
    sharing = SharingService(store, messenger, library, clock, outbox, SharedItemCards())
    service = FollowUpService(store, messenger, library, AgreementCards(), Everyone(), clock,
                              routing, sharing, outbox)  # fmt: skip
    started = time.perf_counter()
    today = date(2026, 11, 27)
    for n in range(AGREEMENTS):
        # Starts spread over a year: about 1/90 of the follow-ups fall on any one day.
        start = today - timedelta(days=400 - n % 365)
        await service.register({
            "municipality": ("Lund", "Malmö", "Ystad", "Eslöv")[n % 4], "title": f"Avtal {n}",
            "area": "stad-och-kemikalier", "supplier": f"Leverantör {n % 500} AB",
            "org_number": _org(n % 500), "start": start.isoformat(),
            "end": (start + timedelta(days=4 * 365)).isoformat(),
            "responsible": f"person{n % 700}@kommun.se", "criteria": ", ".join(CRITERIA),
            "interval": "kvartal",
        }, "bench")  # fmt: skip
    setup_s = time.perf_counter() - started
    started = time.perf_counter()
    await outbox.run()  # today's reminders: the backlog of a first run
    first_s, first_sent = time.perf_counter() - started, len(messenger.sent)
    messenger.sent.clear()
    counting.rows = 0
    started = time.perf_counter()
    await outbox.run()  # again the same day: nothing new is due
    quiet_s, quiet_rows = time.perf_counter() - started, counting.rows
    clock.advance(86400)  # the next day: that day's reminders
    counting.rows = 0
    started = time.perf_counter()
    await outbox.run()
    day_s, day_rows, sent = time.perf_counter() - started, counting.rows, len(messenger.sent)
    await counting.inner.close()
    return {
        "agreements": AGREEMENTS, "criteria_each": len(CRITERIA),
        "setup_s": round(setup_s, 1), "first_round_s": round(first_s, 1),
        "first_round_sent": first_sent,
        "quiet_round_ms": round(quiet_s * 1000, 1), "quiet_round_rows": quiet_rows,
        "day_round_ms": round(day_s * 1000, 1), "day_round_rows": day_rows,
        "day_round_sent": sent,
    }  # fmt: skip


def run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        return asyncio.run(_run(Path(folder)))


if __name__ == "__main__":
    print(run())
