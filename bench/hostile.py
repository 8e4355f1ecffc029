"""Hostile messages against a running node over HTTP: one 30,000-character word, and a 28 KB
message of 4,000 short words. Reports each one's turn time (POST to answer, the reply
delivered) and the latency of ordinary questions asked by others at the same moment, which
shows whether the long ones hold anybody up."""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from typing import Any

import aiohttp

from bench._processes import running_node
from tests.support import activities
from tests.support.connector import ConnectorStandIn

ROUNDS = 5
LONG_WORD = "städkemikalie" * 2308  # 30,004 characters, one word
MANY_WORDS = " ".join(f"ord{n % 997}" for n in range(4000))  # 4,000 words, ~28 KB
NORMAL = "Vilka miljökrav kan jag ställa på städtjänster?"


async def run() -> dict[str, Any]:
    connector = ConnectorStandIn(parse_bodies=False)
    await connector.start()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "NODE_DATA_DIR": folder, "MicrosoftAppId": "",
               "NODE_STORAGE_CONNECTION_STRING": "", "NODE_ALLOWED_TENANTS": ""}  # fmt: skip
        try:
            with running_node(env, "--demo") as port:
                return await _measure(port, connector)
        finally:
            await connector.stop()


async def _measure(port: int, connector: ConnectorStandIn) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}/api/messages"
    async with aiohttp.ClientSession() as session:

        async def turn(text: str, who: int) -> float:
            body = activities.message(connector.url, text, user_id=f"29:bench-{who}",
                                      conversation_id=f"a:bench-{who}")  # fmt: skip
            started = time.perf_counter()
            async with session.post(url, json=body) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"HTTP {response.status}")
            return (time.perf_counter() - started) * 1000

        await turn(NORMAL, 0)  # warm-up
        figures: dict[str, Any] = {"long_word_chars": len(LONG_WORD),
                                   "many_words_bytes": len(MANY_WORDS.encode())}  # fmt: skip
        for name, text in (("long_word", LONG_WORD), ("many_words", MANY_WORDS)):
            times: list[float] = []
            others: list[float] = []
            for n in range(ROUNDS):
                # The hostile message and ten ordinary questions from others, all at once.
                results = await asyncio.gather(
                    turn(text, 1), *(turn(NORMAL, 100 + n * 10 + k) for k in range(10))
                )
                times.append(results[0])
                others.extend(results[1:])
            figures[f"{name}_ms"] = round(statistics.median(times), 1)
            figures[f"{name}_others_p50_ms"] = round(statistics.median(others), 1)
            figures[f"{name}_others_max_ms"] = round(max(others), 1)
        return figures
