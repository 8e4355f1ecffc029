"""`make bench`: the node against a bare botbuilder echo bot, in one run on one machine.

Each bot runs alone as its own process (so they do not share the two cores). Teams is played
by wrk when the machine has it (16 connections POSTing message activities, bench/wrk.lua),
else by this process's own client (16 concurrent conversations); this process also plays the
Bot Connector (receiving the replies). A turn is timed from POST to response, which botbuilder
returns after the reply was delivered. Prints turns/s, p50/p99 latency and CPU per turn per
scenario and the ratios against the echo bot; then the store calls and render cost of a
criteria turn and the other benchmarks. `python -m bench instructions` counts instructions.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bench import claims as claims_bench
from bench import digest as digest_bench
from bench import hostile as hostile_bench
from bench import instructions as instructions_bench
from bench import reminders as reminders_bench
from bench import round as round_bench
from bench import search as search_bench
from bench import turn_costs
from bench._processes import NODE, start
from tests.support import activities
from tests.support.connector import ConnectorStandIn
from tests.support.processes import free_port

ROOT = Path(__file__).resolve().parents[1]
CONVERSATIONS = 16


@dataclass
class Result:
    name: str
    turns: int
    seconds: float
    p50_ms: float
    p99_ms: float
    cpu_ms_per_turn: float

    @property
    def rate(self) -> float:
        return self.turns / self.seconds

    def line(self) -> str:
        return (
            f"{self.name:<28} {self.rate:9.1f} turns/s   p50 {self.p50_ms:7.2f} ms"
            f"   p99 {self.p99_ms:7.2f} ms   CPU {self.cpu_ms_per_turn:5.2f} ms/turn"
        )


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentile(latencies: list[float], p: float) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


# The load generator: wrk when the machine has it (a C program: the Python client shares the
# two cores with the node and flattens the ratio), else this process's own client.
WRK = shutil.which("wrk")


async def _client_turns(
    url: str, connector: ConnectorStandIn, text: str, turns_each: int, record: bool
) -> list[float]:
    """16 conversations, each POSTing `turns_each` turns one after the other; latencies in ms."""
    latencies: list[float] = []
    run_id = uuid.uuid4().hex[:8]  # the node drops repeated activity ids, as Teams needs
    async with aiohttp.ClientSession() as session:

        async def conversation(number: int) -> None:
            template = activities.message(
                connector.url,
                text,
                conversation_id=f"a:bench-{number}",
                user_id=f"29:bench-user-{number}",
            )
            head, tail = json.dumps(template).split(template["id"], 1)
            headers = {"Content-Type": "application/json"}
            for turn in range(turns_each):
                # Encoded once per conversation; only the activity id changes per turn.
                body = f"{head}{run_id}-{number}-{turn}{tail}".encode()
                started = time.perf_counter()
                async with session.post(url, data=body, headers=headers) as response:
                    await response.read()
                    if response.status >= 300:
                        raise RuntimeError(f"HTTP {response.status}")
                if record:
                    latencies.append((time.perf_counter() - started) * 1000)

        await asyncio.gather(*(conversation(n) for n in range(CONVERSATIONS)))
    return latencies


async def _wrk_turns(port: int, connector: ConnectorStandIn, text: str, seconds: int) -> Any:
    """wrk's figures for `seconds` of turns over 16 connections (one conversation each)."""
    template = activities.message(
        connector.url, text, conversation_id="a:bench-@CONV@", user_id="29:bench-user-@CONV@"
    )
    template["id"] = "@ID@"
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump(template, file, ensure_ascii=False)
    try:
        process = await asyncio.create_subprocess_exec(
            str(WRK), "-t", "2", "-c", str(CONVERSATIONS), "-d", f"{seconds}s", "--timeout", "10s",
            "-s", str(ROOT / "bench" / "wrk.lua"), f"http://127.0.0.1:{port}",
            "--", file.name, uuid.uuid4().hex[:8], str(CONVERSATIONS),
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        output, _ = await process.communicate()
    finally:
        os.unlink(file.name)
    figures = json.loads(output.decode().strip().splitlines()[-1])
    if figures["non2xx"] or figures["socket_errors"]:
        raise RuntimeError(f"wrk: {figures}")
    return figures


async def _load(
    name: str,
    process: subprocess.Popen[bytes],
    port: int,
    connector: ConnectorStandIn,
    text: str,
    turns_each: int,
) -> Result:
    url = f"http://127.0.0.1:{port}/api/messages"
    # Warm-up: connections, caches and the first-turn imports are not what we measure.
    await _client_turns(url, connector, text, 10, record=False)
    connector.clear()
    cpu_before = _cpu_seconds(process.pid)
    if WRK:
        # As long as the client would take at the echo bot's pace, at least 5 s.
        figures = await _wrk_turns(port, connector, text, max(5, turns_each // 6))
        cpu = _cpu_seconds(process.pid) - cpu_before
        turns, seconds = figures["requests"], figures["duration_us"] / 1e6
        p50, p99 = figures["p50_us"] / 1000, figures["p99_us"] / 1000
        await asyncio.sleep(0.2)  # replies of the turns wrk stopped waiting for
        if len(connector.sent) < turns:
            raise RuntimeError(f"{name}: {len(connector.sent)} replies for {turns} turns")
    else:
        started = time.perf_counter()
        latencies = await _client_turns(url, connector, text, turns_each, record=True)
        seconds = time.perf_counter() - started
        cpu = _cpu_seconds(process.pid) - cpu_before
        turns = CONVERSATIONS * turns_each
        p50, p99 = _percentile(latencies, 0.5), _percentile(latencies, 0.99)
        if len(connector.sent) != turns:
            raise RuntimeError(f"{name}: {len(connector.sent)} replies for {turns} turns")
    return Result(name, turns, seconds, p50, p99, cpu * 1000 / turns)


async def run(turns_each: int, scenarios: dict[str, str]) -> list[Result]:
    connector = ConnectorStandIn(parse_bodies=False)
    await connector.start()
    results: list[Result] = []
    env = {**os.environ, "MicrosoftAppId": "", "NODE_ALLOWED_TENANTS": ""}
    try:
        port = free_port()
        echo = start([sys.executable, "-m", "bench.echo_bot", str(port)], port, env)
        try:
            results.append(await _load("bare echo bot", echo, port, connector, "hej", turns_each))
        finally:
            echo.terminate()
            echo.wait()
        with tempfile.TemporaryDirectory() as data:
            port = free_port()
            node_env = {**env, "NODE_DATA_DIR": data}
            node = start([*NODE, "--port", str(port), "--demo"], port, node_env)
            try:
                for name, text in scenarios.items():
                    results.append(await _load(name, node, port, connector, text, turns_each))
            finally:
                node.terminate()
                node.wait()
    finally:
        await connector.stop()
    return results


def round_main(argv: list[str]) -> None:
    """`python -m bench round [--json]`: a round's cost beside 100 and 100,000 closed
    tickets (SQLite)."""
    parser = argparse.ArgumentParser(prog="python -m bench round")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    figures = round_bench.run()
    if args.json:
        print(json.dumps(figures))
        return
    small, large = figures["round_ms"]
    print(f"A round beside {figures['closed'][0]:,} closed tickets: {small} ms; beside "
          f"{figures['closed'][1]:,}: {large} ms ({large / small:.2f}x)")  # fmt: skip


def instructions_main(argv: list[str]) -> None:
    """`python -m bench instructions [--json]`: instructions per criteria turn (callgrind)."""
    parser = argparse.ArgumentParser(prog="python -m bench instructions")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if not shutil.which("valgrind"):
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    figures = instructions_bench.run()
    if args.json:
        print(json.dumps(figures))
        return
    print(f"Instructions per criteria turn (callgrind): {figures['instructions_per_turn']:,}")


def main() -> None:
    if sys.argv[1:2] == ["round"]:
        round_main(sys.argv[2:])
        return
    if sys.argv[1:2] == ["instructions"]:
        instructions_main(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--turns", type=int, default=60, help="turns per conversation")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    scenarios = {
        "node: hjälp": "hjälp",
        "node: criteria question": "Vilka miljökrav kan jag ställa på städtjänster?",
    }
    results = asyncio.run(run(args.turns, scenarios))
    baseline = results[0]
    driver = "wrk" if WRK else f"this process's client ({args.turns} turns each; no wrk here)"
    print(f"Turns: {CONVERSATIONS} concurrent conversations, load from {driver}\n")
    for result in results:
        ratio = "" if result is baseline else f"   {result.rate / baseline.rate:5.1f}x echo"
        if result is not baseline:
            ratio += f", {baseline.cpu_ms_per_turn / result.cpu_ms_per_turn:4.1f}x less CPU"
        print(result.line() + ratio)
    figures: dict[str, object] = {
        r.name: {
            "turns_per_s": round(r.rate, 1),
            "p50_ms": round(r.p50_ms, 2),
            "p99_ms": round(r.p99_ms, 2),
            "cpu_ms_per_turn": round(r.cpu_ms_per_turn, 3),
            "times_echo": round(r.rate / baseline.rate, 2),
        }
        for r in results
    }
    figures["load generator"] = "wrk" if WRK else "python"
    calls = asyncio.run(turn_costs.store_calls())
    figures["store calls per criteria turn"] = calls
    print(
        f"\nStore per criteria turn (the person known): {calls['reads_per_turn']:g} reads, "
        f"{calls['writes_per_turn']:g} writes ({', '.join(calls['calls'])})"
    )
    rendered = turn_costs.render_cost()
    figures["answer card render"] = rendered
    print(
        f"Answer card render: {rendered['fresh_us']} µs fresh, "
        f"{rendered['blocks_reused_us']} µs with its criteria's blocks reused"
    )
    searched = search_bench.run()
    figures["search over 10,000 entries"] = searched
    print(
        f"\nSearch: {searched['entries']} entries, index built in {searched['build_s']} s "
        f"({searched['index_rss_mb']} MB), query p50 {searched['p50_ms']} ms, "
        f"p99 {searched['p99_ms']} ms over {searched['queries']} queries"
    )
    race = asyncio.run(claims_bench.run())
    figures["claim race"] = race
    print(
        f"Claim race: {race['tickets']} tickets x {race['claims_per_ticket']} concurrent claims, "
        f"one winner each; invoke p50 {race['p50_ms']} ms, p99 {race['p99_ms']} ms, "
        f"max {race['max_ms']} ms"
    )
    hostile = asyncio.run(hostile_bench.run())
    figures["hostile messages"] = hostile
    print(
        f"Hostile: a {hostile['long_word_chars']:,}-character word {hostile['long_word_ms']} ms, "
        f"a {hostile['many_words_bytes']:,}-byte message of 4,000 words "
        f"{hostile['many_words_ms']} ms; others asking at that moment p50 "
        f"{hostile['long_word_others_p50_ms']} / {hostile['many_words_others_p50_ms']} ms, "
        f"max {hostile['long_word_others_max_ms']} / {hostile['many_words_others_max_ms']} ms"
    )
    rounds = reminders_bench.run()
    figures["reminder round"] = rounds
    print(
        f"Reminders: {rounds['agreements']:,} agreements x {rounds['criteria_each']} criteria; "
        f"a round with nothing due {rounds['quiet_round_ms']} ms ({rounds['quiet_round_rows']} "
        f"rows read); the next day's round {rounds['day_round_ms']} ms "
        f"({rounds['day_round_rows']} rows, {rounds['day_round_sent']} reminders sent)"
    )
    for name, runner in (("round (SQLite)", round_bench.run_sqlite),
                         ("round (Azurite)", round_bench.run_azurite)):  # fmt: skip
        measured = round_bench.run(runner)
        figures[name] = measured
        small, large = measured["round_ms"]
        print(
            f"Background round, {name}: {small} ms beside {measured['closed'][0]:,} closed "
            f"tickets, {large} ms beside {measured['closed'][1]:,} ({large / small:.2f}x)"
        )
    fan_out = asyncio.run(digest_bench.run())
    figures["digest fan-out"] = fan_out
    print(
        f"Digest: {fan_out['channels']} channels at {fan_out['rate_per_s']:g}/s with "
        f"{fan_out['throttled_429']} answered 429; {fan_out['seconds']} s against a floor of "
        f"{fan_out['floor_seconds']:g} s ({fan_out['over_floor']}x), each channel exactly once"
    )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
