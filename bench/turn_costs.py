"""What one criteria turn costs besides the CPU `make bench` measures under load: store calls
(each a round trip to Azure Tables in production) and rendering the answer card."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.criteria import CriteriaLibrary
from bot.i18n import texts_for
from bot.storage import SqliteStore
from bot.storage.counting import CountingStore
from cards import AnswerHit, HitBlocks, answer_card
from tests.conftest import local_settings
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn

QUESTION = "Vilka miljökrav kan jag ställa på städtjänster?"
TURNS = 20


async def store_calls() -> dict[str, Any]:
    """Store reads and writes per criteria turn, once the person is known."""
    connector = ConnectorStandIn(parse_bodies=False)
    await connector.start()
    with tempfile.TemporaryDirectory() as folder:
        server = BotServer(local_settings(Path(folder)))
        await server.start(wrap=CountingStore)
        try:
            assert server.node is not None
            store = server.node.store
            assert isinstance(store, CountingStore)
            await server.post(activities.message(connector.url, QUESTION))
            store.reset()
            for _ in range(TURNS):
                await server.post(activities.message(connector.url, QUESTION))
        finally:
            await server.stop()
            await connector.stop()
    return {
        "reads_per_turn": store.reads() / TURNS,
        "writes_per_turn": store.writes() / TURNS,
        "calls": {f"{operation} {table}": n / TURNS for (operation, table), n in
                  sorted(store.calls.items())},
    }  # fmt: skip


def render_cost(repeats: int = 15, cards: int = 200) -> dict[str, Any]:
    """The answer card's render time, fresh and with its criteria's blocks reused (the best
    of `repeats` runs of `cards` cards: the least disturbed by the rest of the machine)."""
    return asyncio.run(_render_cost(repeats, cards))


async def _render_cost(repeats: int, cards: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(Path(folder) / "bench.sqlite3")
        library = CriteriaLibrary(store, Clock(ZoneInfo("Europe/Stockholm")))
        await library.load()
        await store.close()
    answer = library.answer(QUESTION)
    hits = [AnswerHit(entry, hit.other_levels) for hit in answer.hits
            if (entry := library.criterion(hit.document.id)) is not None]  # fmt: skip
    texts = texts_for("sv")
    figures: dict[str, Any] = {}
    for label, blocks in (("fresh_us", None), ("blocks_reused_us", HitBlocks().at(0))):
        best = float("inf")
        for _ in range(repeats):
            started = time.perf_counter()
            for _ in range(cards):
                answer_card(QUESTION, hits, texts, answer_id="-", blocks=blocks)
            best = min(best, (time.perf_counter() - started) / cards)
        figures[label] = round(best * 1e6)
    return figures
