"""`python -m bench instructions`: instructions per criteria turn of the node process, counted
by valgrind's callgrind. Counts depend far less on what else the machine is doing than CPU
seconds (which vary up to 1.7x between runs on a shared machine; counts about 1.1x, from the
background round falling into the window), so this is the figure to compare two commits by.
The node runs under callgrind twice, for `small` and `large` turns; the difference divided by
the turns between them leaves start-up and shut-down out. Slow: about five minutes on two
cores."""

from __future__ import annotations

import asyncio
import os
import signal
import tempfile
from pathlib import Path
from typing import Any

import aiohttp

from bench._processes import NODE, start
from tests.support import activities
from tests.support.connector import ConnectorStandIn
from tests.support.processes import free_port

QUESTION = "Vilka miljökrav kan jag ställa på städtjänster?"


async def _total(turns: int, text: str, connector: ConnectorStandIn) -> int:
    """Instructions of a node that answered `turns` questions (after 3 to warm up)."""
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        env = {**os.environ, "MicrosoftAppId": "", "NODE_ALLOWED_TENANTS": "",
               "NODE_DATA_DIR": folder}  # fmt: skip
        # Python starts slowly under callgrind: up to 15 minutes on a busy machine.
        node = start(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}",
                      *NODE, "--port", str(port), "--demo"], port, env, seconds=900)  # fmt: skip
        async with aiohttp.ClientSession() as session:
            for _ in range(turns + 3):
                body = activities.message(connector.url, text, conversation_id="a:cg")
                url = f"http://127.0.0.1:{port}/api/messages"
                async with session.post(url, json=body) as response:
                    if response.status != 200:
                        raise RuntimeError(f"HTTP {response.status}")
        node.send_signal(signal.SIGTERM)
        node.wait(timeout=900)
        totals = [line for line in out.read_text().splitlines()
                  if line.startswith(("totals:", "summary:"))]  # fmt: skip
        return int(totals[-1].split()[1])


async def _run(small: int, large: int, text: str) -> dict[str, Any]:
    connector = ConnectorStandIn(parse_bodies=False)
    await connector.start()
    try:
        low = await _total(small, text, connector)
        high = await _total(large, text, connector)
    finally:
        await connector.stop()
    return {"question": text, "turns": [small, large],
            "instructions_per_turn": round((high - low) / (large - small))}  # fmt: skip


def run(small: int = 5, large: int = 25, text: str = QUESTION) -> dict[str, Any]:
    return asyncio.run(_run(small, large, text))
