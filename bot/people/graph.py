"""Microsoft Graph, read-only: a user's profile and people's presence.

One shared aiohttp session, the bot's own token (client credentials, cached and refreshed by
msal), short timeouts, one wait on 429 when Retry-After is short. A Graph failure never blocks
routing: callers get None and fall back; the failure is logged once per quiet period.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.tokens import AppTokenProvider

log = logging.getLogger(__name__)
GRAPH_URL = "https://graph.microsoft.com"
TIMEOUT_S = 2.0
MAX_RETRY_AFTER_S = 3.0
_LOG_EVERY_S = 300.0
# Presence values that mean the person is not at work right now.
AWAY = frozenset({"Away", "BeRightBack", "Offline", "OffWork"})


@dataclass(frozen=True)
class Presence:
    availability: str
    out_of_office: bool

    @property
    def available(self) -> bool:
        return not self.out_of_office and self.availability not in AWAY


class GraphClient:
    def __init__(
        self, tokens: AppTokenProvider, session: aiohttp.ClientSession, base_url: str = GRAPH_URL
    ) -> None:
        self._tokens = tokens
        self._session = session
        self._base = base_url.rstrip("/")
        self._failed_at = float("-inf")
        self.last_ok: bool | None = None

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        """The JSON answer, or None on any failure (logged once per quiet period)."""
        for attempt in range(2):
            try:
                token = await self._tokens.token()
                async with self._session.request(
                    method,
                    f"{self._base}{path}",
                    json=body,
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=aiohttp.ClientTimeout(total=TIMEOUT_S),
                ) as response:
                    if response.status == 429 and attempt == 0:
                        wait = float(response.headers.get("Retry-After", "1"))
                        if wait <= MAX_RETRY_AFTER_S:
                            await asyncio.sleep(wait)
                            continue
                    if response.status >= 400:
                        raise aiohttp.ClientResponseError(
                            response.request_info, (), status=response.status
                        )
                    self.last_ok = True
                    return await response.json()
            except (aiohttp.ClientError, TimeoutError, PermissionError, ValueError) as error:
                self._failed(error)
                return None
        self._failed(TimeoutError("throttled"))
        return None

    def _failed(self, error: Exception) -> None:
        self.last_ok = False
        if time.monotonic() - self._failed_at > _LOG_EVERY_S:
            self._failed_at = time.monotonic()
            log.warning(
                "Microsoft Graph unavailable; falling back", extra={"cause": type(error).__name__}
            )

    async def reachable(self) -> bool:
        """Whether a Graph token can be had now (for /readyz and the status card)."""
        try:
            await asyncio.wait_for(self._tokens.token(), TIMEOUT_S)
        except (TimeoutError, PermissionError, OSError, ValueError):
            return False
        return True

    async def profile(self, user_id: str) -> dict[str, str] | None:
        fields = "companyName,department,officeLocation,mail,userPrincipalName"
        answer = await self._call("GET", f"/v1.0/users/{user_id}?$select={fields}")
        return answer if isinstance(answer, dict) else None

    async def team_owners(self, group_id: str) -> set[str] | None:
        """Entra object ids of a team's owners (its Microsoft 365 group); None when unknown."""
        answer = await self._call("GET", f"/v1.0/groups/{group_id}/owners?$select=id")
        if not isinstance(answer, dict):
            return None
        return {str(owner.get("id")) for owner in answer.get("value", [])}

    async def presences(self, user_ids: list[str]) -> dict[str, Presence] | None:
        """Everyone's presence in one batched call; None when Graph cannot say."""
        if not user_ids:
            return {}
        answer = await self._call(
            "POST", "/v1.0/communications/getPresencesByUserId", {"ids": user_ids}
        )
        if not isinstance(answer, dict):
            return None
        found: dict[str, Presence] = {}
        for entry in answer.get("value", []):
            settings = entry.get("outOfOfficeSettings") or {}
            found[str(entry.get("id"))] = Presence(
                str(entry.get("availability", "")), bool(settings.get("isOutOfOffice"))
            )
        return found
