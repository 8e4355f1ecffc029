"""The bot's own access tokens (client credentials through msal), cached in memory and
refreshed before they expire. One provider per scope: the Bot Connector and Microsoft Graph.

msal asks the identity provider about the authority when its application is built, so it is
built at the first token, not at start: a restart during an Entra or DNS outage must not keep
the node down (`wait_until_reachable` retries in the background; /readyz tells)."""

from __future__ import annotations

import asyncio
import logging
import time

import msal
import requests
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    wait_exponential_jitter,
)

log = logging.getLogger(__name__)

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
        managed_identity: bool = False,
    ) -> None:
        """With `managed_identity`, `app_id` is the client id of the user-assigned managed
        identity the bot runs as (MicrosoftAppType=UserAssignedMSI): no secret anywhere."""
        self._app_id, self._password = app_id, password
        self._authority, self._known_host = authority, known_host
        self._app: msal.ConfidentialClientApplication | None = None
        self._managed: msal.ManagedIdentityClient | None = None
        self._use_managed_identity = managed_identity
        self._scope = scope
        self._token = ""
        self._expires_at = 0.0
        self._lock = asyncio.Lock()
        self.reachable = False  # the provider has answered once with a token

    def _msal_app(self) -> msal.ConfidentialClientApplication:
        if self._app is None:
            # Instance discovery asks Entra about the authority's host; a configured
            # authority (a sovereign cloud, or the tests' local one) is taken as given.
            self._app = msal.ConfidentialClientApplication(
                client_id=self._app_id,
                client_credential=self._password,
                authority=self._authority,
                instance_discovery=self._known_host,
            )
        return self._app

    def _acquire(self) -> dict[str, object]:
        if self._use_managed_identity:
            if self._managed is None:
                # App Service's identity endpoint (IDENTITY_ENDPOINT, IDENTITY_HEADER).
                identity = msal.UserAssignedManagedIdentity(client_id=self._app_id)
                self._managed = msal.ManagedIdentityClient(identity, http_client=requests.Session())
            resource = self._scope.removesuffix("/.default")
            managed: dict[str, object] = self._managed.acquire_token_for_client(resource=resource)
            return managed
        result: dict[str, object] = self._msal_app().acquire_token_for_client(scopes=[self._scope])
        return result

    async def wait_until_reachable(self, max_wait_s: float = 60.0) -> None:
        """Fetch a first token, retrying with growing, jittered pauses (up to `max_wait_s`)
        for as long as the identity provider cannot be reached."""
        async for attempt in AsyncRetrying(
            wait=wait_exponential_jitter(multiplier=0.1, max=max_wait_s),
            retry=retry_if_exception_type(Exception),
            before_sleep=_log_retry,
        ):
            with attempt:
                await self.token()
        log.info("identity provider reachable")

    async def token(self) -> str:
        if time.monotonic() < self._expires_at - REFRESH_MARGIN_S:
            return self._token
        async with self._lock:
            if time.monotonic() >= self._expires_at - REFRESH_MARGIN_S:
                # msal is synchronous and may call the network: keep it off the event loop.
                result = await asyncio.to_thread(self._acquire)
                if "access_token" not in result:
                    # The error code says enough; the description may echo request details.
                    raise PermissionError(f"token request refused: {result.get('error')}")
                self._token = str(result["access_token"])
                self._expires_at = time.monotonic() + float(str(result.get("expires_in", 3600)))
                self.reachable = True
        return self._token


def _log_retry(state: RetryCallState) -> None:
    failure = state.outcome.exception() if state.outcome else None
    log.warning(
        "identity provider not reachable; retrying",
        extra={"attempt": state.attempt_number, "cause": type(failure).__name__},
    )
