"""A background round's cost against the region's history: the same open work (a few open
tickets, reminders and a digest due later) beside 100 or 100,000 closed tickets, each with the
finished messages it caused. The round reads by index (the outbox's days from its cursor, the
ticket index), so its cost should not grow with the history.

`python -m bench round [--json]` measures SQLite with 100 and 100,000 closed tickets;
`make bench` also runs it against Azurite with 10,000.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.app import Background, NoMessenger, build_services
from bot.clock import Clock
from bot.config import Settings
from bot.node import Node
from bot.outbox import OUTBOX
from bot.routing.tickets import ANSWERED, INDEX, TICKETS, Ticket
from bot.storage import Record, Store
from tests.support.processes import Azurite

ROUNDS = 7
INSTANT = "2026-11-30T10:00:00+01:00"


async def _history(store: Store, clock: Clock, closed: int) -> None:
    """`closed` answered tickets of the last year, with their index rows and the finished
    messages (post, receipt, notices) each left in the outbox's history."""
    now = clock.time()
    for n in range(1, closed + 1):
        asked = now - (n % 365 + 1) * 86400
        ticket = Ticket(n, f"Fråga {n} om elbussar", "fordon-och-transport", "Lund",
                        f"29:asker-{n % 500}", "Asker", "sv-SE", False, asked, asked + 14400,
                        state=ANSWERED, assignee=f"expert-{n % 20}", claimed_at=asked + 600,
                        answered_at=asked + 3600, answer="Svar", routed=True,
                        posted=True)  # fmt: skip
        await store.insert(TICKETS, Record("t", ticket.key, ticket.to_data()))
        await store.insert(INDEX, Record(f"answered:{ticket.assignee}", ticket.key, {}))
        await store.insert(INDEX, Record(f"asker:{ticket.asker_id}", ticket.key, {}))
        day = clock.local(asked).date().isoformat()
        for kind in ("ticket.post", "ticket.receipt", "ticket.asker"):
            data = {"kind": kind, "key": f"{ticket.key}:{kind}", "due": asked, "state": "sent",
                    "data": {"ticket": n}, "id": uuid.uuid4().hex}  # fmt: skip
            await store.insert(OUTBOX, Record(f"x:{day}", f"{kind}|{ticket.key}", data))


async def _measure(settings: Settings, closed: int) -> float:
    """The median wall time of a round (after a first one that also did the hourly work)."""
    clock = Clock.frozen_at(settings.zone, INSTANT)
    node = await Node.open(settings, clock=clock)
    try:
        await _history(node.store, clock, closed)
        services = await build_services(node, NoMessenger())
        # Open work beside the history: questions waiting to escalate, reminders due later.
        for question in range(5):
            await services.outbox.schedule("ticket.escalate", f"open-{question}", {"ticket": 0},
                                           due=clock.time() + 86400)  # fmt: skip
        background = Background(services)
        await background.round()  # the first also runs the hourly and daily jobs
        timings = []
        for _ in range(ROUNDS):
            clock.advance(timedelta(seconds=60))
            started = time.perf_counter()
            await background.round()
            timings.append((time.perf_counter() - started) * 1000)
        return statistics.median(timings)
    finally:
        await node.close()


async def run_sqlite(sizes: tuple[int, ...] = (100, 100_000)) -> dict[str, Any]:
    timings = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            timings.append(round(await _measure(Settings(data_dir=Path(folder)), size), 2))
    return {"closed": list(sizes), "round_ms": timings}


async def run_azurite(sizes: tuple[int, ...] = (100, 10_000)) -> dict[str, Any]:
    azurite = Azurite()
    timings = []
    try:
        for size in sizes:
            settings = Settings(storage_connection_string=azurite.connection_string,
                                table_prefix="b" + uuid.uuid4().hex[:10])  # fmt: skip
            timings.append(round(await _measure(settings, size), 2))
    finally:
        azurite.stop()
    return {"closed": list(sizes), "round_ms": timings, "backend": "azurite"}


def run(runner: Callable[[], Any] = run_sqlite) -> dict[str, Any]:
    result: dict[str, Any] = asyncio.run(runner())
    return result
