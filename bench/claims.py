"""The claim race: 100 experts claim one ticket at the same moment, over HTTP, as Teams
invokes. Reports invoke latency (p50/p99) and checks there is exactly one winner per ticket.
Teams expects an invoke answer within a few seconds; this shows how far inside that we are."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench._processes import running_node
from tests.support import activities
from tests.support.connector import ConnectorStandIn, card_text

ROOT = Path(__file__).resolve().parents[1]
CHANNEL = "19:experts@thread.tacv2"
EXPERTS = 100


def _network_file(folder: Path) -> Path:
    lines = ["experts:"]
    for n in range(EXPERTS):
        lines.append(
            f"  - {{id: aad-{n}, name: Expert {n}, municipality: Lund, areas: [alla],"
            f' teams_id: "29:expert-{n}", aad_id: aad-{n}}}'
        )
    path = folder / "network.yaml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


async def run(tickets: int = 10) -> dict[str, Any]:
    connector = ConnectorStandIn()
    await connector.start()
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "NODE_DATA_DIR": folder, "MicrosoftAppId": "",
               "NODE_ADMIN_IDS": "aad-alex", "NODE_STORAGE_CONNECTION_STRING": ""}  # fmt: skip
        subprocess.run(
            [sys.executable, "-m", "bot", "network", "import", str(_network_file(Path(folder)))],
            cwd=ROOT, env=env, check=True, capture_output=True,
        )  # fmt: skip
        try:
            with running_node(env) as port:
                return await _race(port, connector, tickets)
        finally:
            await connector.stop()


async def _race(port: int, connector: ConnectorStandIn, tickets: int) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}/api/messages"
    channel = {"conversation_type": "channel", "conversation_id": CHANNEL}
    latencies: list[float] = []
    winners_per_ticket: list[int] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def post(body: dict[str, Any]) -> Any:
            async with session.post(url, json=body) as response:
                return (
                    await response.json()
                    if response.status == 200 and response.content_length
                    else None
                )

        await post(activities.bot_added(connector.url, **channel))
        await post(activities.message(connector.url, "expertkanal", **channel))
        for number in range(1, tickets + 1):
            ask = {
                "verb": "ticket.create",
                "question": f"Fråga {number} om elbussar och laddning",
                "area": "fordon-och-transport",
                "municipality": "Lund",
                "consent": "true",
            }
            await post(activities.submit(connector.url, ask))

            async def claim(n: int, number: int = number) -> str:
                body = activities.execute(
                    connector.url, {"verb": "ticket.claim", "number": number},
                    user_id=f"29:expert-{n}", aad_id=f"aad-{n}", name=f"Expert {n}", **channel,
                )  # fmt: skip
                started = time.perf_counter()
                answer = await post(body)
                latencies.append((time.perf_counter() - started) * 1000)
                return card_text(answer["value"]) if answer else ""

            texts = await asyncio.gather(*(claim(n) for n in range(EXPERTS)))
            winners_per_ticket.append(sum("Du har tagit ärendet" in t for t in texts))
    latencies.sort()
    if set(winners_per_ticket) != {1}:
        raise RuntimeError(f"claim race broken: winners per ticket {winners_per_ticket}")
    return {
        "tickets": tickets,
        "claims_per_ticket": EXPERTS,
        "winners_per_ticket": 1,
        "p50_ms": round(latencies[len(latencies) // 2], 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)], 1),
        "max_ms": round(latencies[-1], 1),
    }


if __name__ == "__main__":
    print(asyncio.run(run()))
