"""What a criteria question costs the store: each read is a round trip to Azure Tables."""

from __future__ import annotations

from pathlib import Path

from bot.storage.counting import CountingStore
from tests.conftest import local_settings
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, card_text

QUESTION = "Vilka miljökrav kan jag ställa på städtjänster?"


async def test_a_criteria_question_reads_nothing_and_writes_what_it_must(
    tmp_path: Path, connector: ConnectorStandIn
) -> None:
    """Once the person is known, a question reads no record: the library, the person's
    language and how others followed the hits up are held in memory. It writes the turn's
    mark and its done mark (so Teams' retry is not answered twice) and the answer (so
    "Hjälpte det?" counts only for it)."""
    server = BotServer(local_settings(tmp_path))
    await server.start(wrap=CountingStore)
    try:
        await server.post(activities.message(connector.url, QUESTION))  # the person is new
        assert server.node is not None
        store = server.node.store
        assert isinstance(store, CountingStore)
        for _ in range(3):
            store.reset()
            connector.clear()
            status, _ = await server.post(activities.message(connector.url, QUESTION))
            assert status == 200
            assert "Kriterier som matchar" in card_text(connector.sent[0].card)
            assert store.reads() == 0, store.calls
            assert store.writes() == 3, store.calls
    finally:
        await server.stop()
