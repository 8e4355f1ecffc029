"""A restart during an Entra or DNS outage: the node starts, says it is alive but not ready,
and becomes ready by itself once the identity provider answers again."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiohttp

from tests.support.botserver import BotServer
from tests.support.identity import ChannelIssuer, TokenEndpoint
from tests.teams.test_auth import secured_settings


async def _get(server: BotServer, path: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.get(server.url + path) as response:
        return response.status, await response.json()


async def test_the_node_starts_during_an_identity_outage_and_gets_ready_after(
    tmp_path: Path, issuer: ChannelIssuer, authority: TokenEndpoint
) -> None:
    authority.down = True
    server = BotServer(secured_settings(tmp_path, issuer, authority))
    await server.start()
    try:
        assert (await _get(server, "/healthz"))[0] == 200
        status, body = await _get(server, "/readyz")
        assert status == 503
        assert body["identity"] == "unreachable"
        authority.down = False
        for _ in range(100):  # it retries by itself, with backoff
            status, body = await _get(server, "/readyz")
            if status == 200:
                break
            await asyncio.sleep(0.1)
        assert status == 200
        assert body["identity"] == "ok"
    finally:
        await server.stop()
