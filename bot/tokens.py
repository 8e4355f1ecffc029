"""The bot's own access tokens (client credentials through msal), cached in memory and
refreshed before they expire. One provider per scope: the Bot Connector and Microsoft Graph."""

from __future__ import annotations

import asyncio
import time

import msal

BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
DEFAULT_LOGIN = "https://login.microsoftonline.com"  # Entra
# Refresh a token this long before it expires, so no turn waits on Entra.
REFRESH_MARGIN_S = 300


class AppTokenProvider:
    """A token for one scope, fetched off the event loop (msal is synchronous)."""

    def __init__(
        self,
        app_id: str,
        password: str,
        authority: str,
        known_host: bool,
        scope: str = BOT_FRAMEWORK_SCOPE,
    ) -> None:
        # Instance discovery asks Entra about the authority's host; a configured authority
        # (a sovereign cloud, or the tests' local one) is taken as given.
        self._app = msal.ConfidentialClientApplication(
            client_id=app_id,
            client_credential=password,
            authority=authority,
            instance_discovery=known_host,
        )
        self._scope = scope
        self._token = ""
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        if time.monotonic() < self._expires_at - REFRESH_MARGIN_S:
            return self._token
        async with self._lock:
            if time.monotonic() >= self._expires_at - REFRESH_MARGIN_S:
                # msal is synchronous and may call the network: keep it off the event loop.
                result = await asyncio.to_thread(
                    self._app.acquire_token_for_client, scopes=[self._scope]
                )
                if "access_token" not in result:
                    # The error code says enough; the description may echo request details.
                    raise PermissionError(f"token request refused: {result.get('error')}")
                self._token = result["access_token"]
                self._expires_at = time.monotonic() + float(result.get("expires_in", 3600))
        return self._token
