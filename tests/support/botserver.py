"""The node's real aiohttp application on a real port, in the test's process."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import web

from bot.app import Services
from bot.config import Settings
from bot.node import Node
from bot.storage import Store
from bot.teams import create_app
from bot.teams._web import SERVICES
from tests.support.processes import free_port


class BotServer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.node: Node | None = None
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, demo: bool = True, wrap: Callable[[Store], Store] | None = None) -> None:
        self.node = await Node.open(self.settings, demo=demo, wrap=wrap)
        self._runner = web.AppRunner(create_app(self.node), access_log=None)
        await self._runner.setup()
        self.port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self._session = aiohttp.ClientSession()

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def post(
        self,
        body: dict[str, Any] | bytes,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """POST to /api/messages; returns the status and the JSON body (or None)."""
        assert self._session is not None
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        data = body if isinstance(body, bytes) else None
        json_body = None if isinstance(body, bytes) else body
        async with self._session.post(
            f"{self.url}/api/messages", json=json_body, data=data, headers=all_headers
        ) as response:
            text = await response.text()
            try:
                payload = await response.json(content_type=None) if text else None
            except ValueError:
                payload = text
            return response.status, payload

    @property
    def services(self) -> Services:
        """The running node's services (as the server wired them)."""
        return self.app[SERVICES]

    @property
    def app(self) -> web.Application:
        assert self._runner is not None
        return self._runner.app

    async def get(self, path: str) -> tuple[int, Any]:
        assert self._session is not None
        async with self._session.get(f"{self.url}{path}") as response:
            return response.status, await response.json()
