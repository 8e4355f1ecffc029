"""A local Microsoft Graph: user profiles and presence (getPresencesByUserId, Graph's batched
presence call), with switches for throttling and slowness. Records the tokens it was given."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.localserver import LocalServer


@dataclass
class GraphStandIn(LocalServer):
    profiles: dict[str, dict[str, str]] = field(default_factory=dict)
    availability: dict[str, str] = field(default_factory=dict)
    out_of_office: set[str] = field(default_factory=set)
    throttle_next: int = 0  # answer this many requests 429 first
    delay_s: float = 0.0
    fail: bool = False
    tokens_seen: list[str] = field(default_factory=list)
    presence_calls: int = 0
    owners: dict[str, list[str]] = field(default_factory=dict)  # group id -> owner ids

    def __post_init__(self) -> None:
        LocalServer.__init__(self)

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/v1.0/users/{id}", self._user)
        app.router.add_post("/v1.0/communications/getPresencesByUserId", self._presences)
        app.router.add_get("/v1.0/groups/{id}/owners", self._owners)

    async def _gate(self, request: web.Request) -> web.Response | None:
        self.tokens_seen.append(request.headers.get("Authorization", ""))
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self.throttle_next > 0:
            self.throttle_next -= 1
            return web.json_response({}, status=429, headers={"Retry-After": "0"})
        if self.fail:
            return web.json_response({"error": {"code": "serviceNotAvailable"}}, status=503)
        return None

    async def _user(self, request: web.Request) -> web.Response:
        if (refusal := await self._gate(request)) is not None:
            return refusal
        profile = self.profiles.get(request.match_info["id"])
        if profile is None:
            return web.json_response({"error": {"code": "Request_ResourceNotFound"}}, status=404)
        return web.json_response(profile)

    async def _presences(self, request: web.Request) -> web.Response:
        if (refusal := await self._gate(request)) is not None:
            return refusal
        self.presence_calls += 1
        ids: list[str] = (await request.json()).get("ids", [])
        value: list[dict[str, Any]] = [
            {
                "id": user_id,
                "availability": self.availability.get(user_id, "Available"),
                "activity": "Available",
                "outOfOfficeSettings": {"isOutOfOffice": user_id in self.out_of_office},
            }
            for user_id in ids
        ]
        return web.json_response({"value": value})

    async def _owners(self, request: web.Request) -> web.Response:
        if (refusal := await self._gate(request)) is not None:
            return refusal
        ids = self.owners.get(request.match_info["id"], [])
        return web.json_response({"value": [{"id": owner} for owner in ids]})
