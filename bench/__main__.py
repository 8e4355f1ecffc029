"""`make bench`: the node against a bare botbuilder echo bot, in one run on one machine.

Each bot runs alone as its own process (so they do not share the two cores); this process
plays Teams (16 concurrent conversations POSTing message activities) and the Bot Connector
(receiving the replies). A turn is timed from POST to response, which botbuilder returns after
the reply was delivered. Prints turns/s and p50/p99 latency per scenario and the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from tests.support import activities
from tests.support.connector import ConnectorStandIn
from tests.support.processes import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[1]
CONVERSATIONS = 16


@dataclass
class Result:
    name: str
    turns: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.turns / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))]

    def line(self) -> str:
        return (
            f"{self.name:<28} {self.rate:9.1f} turns/s   p50 {self.percentile(0.5):7.2f} ms"
            f"   p99 {self.percentile(0.99):7.2f} ms   ({self.turns} turns)"
        )


def _start(command: list[str], port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    wait_for_port(port, process)
    return process


async def _load(
    name: str, port: int, connector: ConnectorStandIn, text: str, turns_each: int
) -> Result:
    url = f"http://127.0.0.1:{port}/api/messages"
    latencies: list[float] = []
    async with aiohttp.ClientSession() as session:

        async def conversation(number: int, count: int, record: bool) -> None:
            for _ in range(count):
                body = activities.message(
                    connector.url,
                    text,
                    conversation_id=f"a:bench-{number}",
                    user_id=f"29:bench-user-{number}",
                )
                started = time.perf_counter()
                async with session.post(url, json=body) as response:
                    await response.read()
                    if response.status >= 300:
                        raise RuntimeError(f"{name}: HTTP {response.status}")
                if record:
                    latencies.append((time.perf_counter() - started) * 1000)

        # Warm-up: connections, caches and the first-turn imports are not what we measure.
        await asyncio.gather(*(conversation(n, 10, False) for n in range(CONVERSATIONS)))
        connector.clear()
        started = time.perf_counter()
        await asyncio.gather(*(conversation(n, turns_each, True) for n in range(CONVERSATIONS)))
        seconds = time.perf_counter() - started
    expected = CONVERSATIONS * turns_each
    if len(connector.sent) != expected:
        raise RuntimeError(f"{name}: {len(connector.sent)} replies for {expected} turns")
    return Result(name, expected, seconds, latencies)


async def run(turns_each: int, scenarios: dict[str, str]) -> list[Result]:
    connector = ConnectorStandIn()
    await connector.start()
    results: list[Result] = []
    env = {**os.environ, "MicrosoftAppId": "", "NODE_ALLOWED_TENANTS": ""}
    try:
        port = free_port()
        echo = _start([sys.executable, "-m", "bench.echo_bot", str(port)], port, env)
        try:
            results.append(await _load("bare echo bot", port, connector, "hej", turns_each))
        finally:
            echo.terminate()
            echo.wait()
        with tempfile.TemporaryDirectory() as data:
            port = free_port()
            node_env = {**env, "NODE_DATA_DIR": data}
            command = [sys.executable, "-m", "bot", "--log-level", "WARNING", "serve"]
            node = _start([*command, "--port", str(port), "--demo"], port, node_env)
            try:
                for name, text in scenarios.items():
                    results.append(await _load(name, port, connector, text, turns_each))
            finally:
                node.terminate()
                node.wait()
    finally:
        await connector.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--turns", type=int, default=60, help="turns per conversation")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    scenarios = {"node: hjälp": "hjälp"}
    results = asyncio.run(run(args.turns, scenarios))
    baseline = results[0]
    print(f"{CONVERSATIONS} concurrent conversations, {args.turns} turns each\n")
    for result in results:
        ratio = "" if result is baseline else f"   {result.rate / baseline.rate:5.1f}x echo"
        print(result.line() + ratio)
    if args.json:
        figures = {
            r.name: {
                "turns_per_s": round(r.rate, 1),
                "p50_ms": round(r.percentile(0.5), 2),
                "p99_ms": round(r.percentile(0.99), 2),
                "median_ms": round(statistics.median(r.latencies_ms), 2),
            }
            for r in results
        }
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
