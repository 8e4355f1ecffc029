"""Every message a ticket causes goes out once: with Teams answering slowly while the
background round runs, and across a kill -9 in the middle of a stream of questions followed by
Teams retrying the activities that got no answer."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.routing import NetworkRepository
from tests.conftest import backend_settings
from tests.routing.conftest import network_of
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, Sent, card_text
from tests.support.processes import Azurite

# The time-sensitive tests run again at other pinned instants (make test-calendar).
pytestmark = pytest.mark.calendar

QUESTIONS = 20
EXPERTS_CHANNEL = "19:experts@thread.tacv2"
_NUMBER = re.compile(r"(?:Fråga #|ärendenummer \*\*#)(\d+)")


def asker(n: int) -> dict[str, Any]:
    return {"user_id": f"29:asker-{n}", "aad_id": f"aad-asker-{n}", "name": f"Asker {n}",
            "conversation_id": f"a:personal-asker-{n}"}  # fmt: skip


def ask_activity(service_url: str, n: int) -> dict[str, Any]:
    question = f"Hur följer vi upp elbussar, fråga {n}?"
    value = {"verb": "ticket.create", "question": question, "area": "fordon-och-transport",
             "municipality": "Lund", "consent": "false"}  # fmt: skip
    return activities.submit(service_url, value, **asker(n))


def numbers(sent: list[Sent]) -> Counter[int]:
    """How many messages name each ticket number."""
    found: Counter[int] = Counter()
    for message in sent:
        match = _NUMBER.search(card_text(message.card))
        if match:
            found[int(match.group(1))] += 1
    return found


async def settled(connector: ConnectorStandIn, done: Any, seconds: float = 30.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if done():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("deliveries did not finish")


@pytest.fixture(params=["sqlite", "azure"])
async def slow_bot(
    request: pytest.FixtureRequest, tmp_path: Path, connector: ConnectorStandIn, azurite: Azurite
) -> AsyncIterator[BotServer]:
    """The node with its background round every 0.2 s, Teams answering in 0.5 s."""
    server = BotServer(backend_settings(request.param, tmp_path, azurite, routing_interval_s=0.2))
    await server.start()
    assert server.node is not None
    await NetworkRepository(server.node.store).save(network_of(3, server.node.clock.now()))
    server.services.routing.forget_network()
    channel = {"conversation_type": "channel", "conversation_id": EXPERTS_CHANNEL}
    await server.post(activities.bot_added(connector.url, **channel))
    await server.services.routing.set_experts_channel(EXPERTS_CHANNEL)
    expert_chat = {"user_id": "29:expert-2", "aad_id": "aad-expert-2", "name": "Expert 2",
                   "conversation_id": "a:personal-expert-2"}  # fmt: skip
    await server.post(activities.message(connector.url, "hjälp", **expert_chat))
    connector.clear()
    connector.latency = 0.5
    yield server
    await server.stop()


async def test_a_stream_of_questions_with_slow_teams_posts_each_once(
    slow_bot: BotServer, connector: ConnectorStandIn
) -> None:
    statuses = await asyncio.gather(
        *(slow_bot.post(ask_activity(connector.url, n)) for n in range(QUESTIONS))
    )
    assert [status for status, _ in statuses] == [200] * QUESTIONS
    await asyncio.sleep(1.5)  # several more background rounds
    posts = numbers(connector.to(EXPERTS_CHANNEL))
    assert sorted(posts) == list(range(1, QUESTIONS + 1))
    assert set(posts.values()) == {1}
    to_expert = numbers(connector.to("a:personal-expert-2"))
    assert sorted(to_expert) == list(range(1, QUESTIONS + 1))
    assert set(to_expert.values()) == {1}
    for n in range(QUESTIONS):
        assert len(connector.to(f"a:personal-asker-{n}")) == 1  # one receipt each
