"""Digest fan-out: 1,000 subscribed channels through the node (its real HTTP path and
Messenger), the local Bot Connector answering 429 with Retry-After to 5 % of requests.
Every channel must get exactly one card; the total time is set against the configured
rate's floor (channels / rate)."""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from bench._processes import running_node
from bot.digest import Subscription, SubscriptionRepository
from bot.storage import Record, SqliteStore
from tests.support import activities
from tests.support.connector import ConnectorStandIn

ROOT = Path(__file__).resolve().parents[1]
CHANNELS = 1000
RATE = 40.0
SECRET = "bench"


async def _prepare(data_dir: Path, service_url: str) -> None:
    store = SqliteStore(data_dir / "miljokravsnoden.sqlite3")
    subscriptions = SubscriptionRepository(store)
    template = activities.bot_added(service_url, conversation_type="channel")
    reference = TurnContext.get_conversation_reference(Activity().deserialize(template)).serialize()
    for n in range(CHANNELS):
        channel = f"19:bench-{n}@thread.tacv2"
        ref = {**reference, "conversation": {**reference["conversation"], "id": channel}}
        await store.upsert("conversations", Record("ref", channel, {"reference": ref}))
        await subscriptions.save(Subscription(channel, "team"))
    await store.close()


async def run() -> dict[str, Any]:
    connector = ConnectorStandIn(parse_bodies=False, throttle_ratio=0.05, retry_after="1")
    await connector.start()
    with tempfile.TemporaryDirectory() as folder:
        await _prepare(Path(folder), connector.url)
        env = {**os.environ, "NODE_DATA_DIR": folder, "MicrosoftAppId": "",
               "NODE_STORAGE_CONNECTION_STRING": "", "NODE_DIGEST_SECRET": SECRET,
               "NODE_DIGEST_RATE": str(RATE), "NODE_DIGEST_WEEKDAY": "6",
               "NODE_DIGEST_TIME": "23:59"}  # fmt: skip
        try:
            with running_node(env) as port:
                started = time.perf_counter()
                timeout = aiohttp.ClientTimeout(total=600)
                async with (
                    aiohttp.ClientSession(timeout=timeout) as session,
                    session.post(
                        f"http://127.0.0.1:{port}/api/digest/run",
                        headers={"X-Digest-Secret": SECRET},
                    ) as response,
                ):
                    report = await response.json()
                seconds = time.perf_counter() - started
        finally:
            await connector.stop()
    received = Counter(s.conversation_id for s in connector.sent)
    if len(received) != CHANNELS or set(received.values()) != {1}:
        raise RuntimeError(
            f"fan-out broken: {len(received)} channels, counts {set(received.values())}"
        )
    floor = CHANNELS / RATE
    return {
        "channels": CHANNELS,
        "rate_per_s": RATE,
        "throttled_429": connector.throttled,
        "seconds": round(seconds, 1),
        "floor_seconds": floor,
        "over_floor": round(seconds / floor, 2),
        "sent": report["sent"],
    }


if __name__ == "__main__":
    print(asyncio.run(run()))
