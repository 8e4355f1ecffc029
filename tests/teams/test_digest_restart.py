"""Exactly once, whatever restarts: the node is killed between digest sends and restarted;
every subscribed channel ends up with exactly one card for the week."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from bot.digest import Subscription, SubscriptionRepository
from bot.storage import Record
from bot.storage._sqlite import SqliteStore
from tests.conftest import INSTANT
from tests.support import activities
from tests.support.connector import ConnectorStandIn
from tests.support.processes import ROOT, free_port, node_env, wait_for_port

# The time-sensitive tests run again at other pinned instants (make test-calendar).
pytestmark = pytest.mark.calendar

CHANNELS = [f"19:kanal-{n}@thread.tacv2" for n in range(20)]


async def prepare(data_dir: Path, service_url: str) -> None:
    """Channels the bot is in, each subscribed (as after `prenumerera veckobrev`)."""
    store = SqliteStore(data_dir / "miljokravsnoden.sqlite3")
    subscriptions = SubscriptionRepository(store)
    for channel in CHANNELS:
        body = activities.bot_added(
            service_url, conversation_type="channel", conversation_id=channel
        )
        reference = TurnContext.get_conversation_reference(Activity().deserialize(body)).serialize()
        await store.upsert("conversations", Record("ref", channel, {"reference": reference}))
        await subscriptions.save(Subscription(channel, "team"))
    await store.close()


def start(data_dir: Path) -> subprocess.Popen[bytes]:
    port = free_port()
    env = node_env(
        data_dir, INSTANT.isoformat(),
        NODE_ROUTING_INTERVAL_S="0.2",  # background rounds (and the digest lease) are quick
        NODE_DIGEST_RATE="4",  # slow enough to stop between two sends
        NODE_DIGEST_WEEKDAY="0",
        NODE_DIGEST_TIME="00:00",  # due since Monday: the first round sends it
        NODE_DELIVERY_CLAIM_S="2",  # a killed node's claims expire soon
    )  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for_port(port, process)
    return process


async def wait_for(connector: ConnectorStandIn, count: int, seconds: float = 30) -> None:
    for _ in range(int(seconds * 50)):
        if len(connector.sent) >= count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"only {len(connector.sent)} digests arrived")


async def test_killed_between_sends_every_channel_gets_exactly_one(
    tmp_path: Path, connector: ConnectorStandIn
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    await prepare(data, connector.url)
    node = start(data)
    try:
        await wait_for(connector, 6)
        await asyncio.sleep(0.1)  # the 6th is answered and recorded; the 7th not yet begun
        node.send_signal(signal.SIGKILL)
        node.wait(10)
        before = len(connector.sent)
        assert before < len(CHANNELS)  # really stopped midway
        node = start(data)
        await wait_for(connector, len(CHANNELS))
        await asyncio.sleep(1.0)  # more background rounds: nothing more may arrive
    finally:
        node.terminate()
        node.wait(10)
    received = Counter(s.conversation_id for s in connector.sent)
    assert set(received) == set(CHANNELS)
    assert set(received.values()) == {1}
