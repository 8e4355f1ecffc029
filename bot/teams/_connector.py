"""Outbound Bot Connector calls without per-turn set-up.

botbuilder's `_ConnectorFactoryImpl` builds a new `ConnectorClient` on every turn, and its
default msrest pipeline sends through `requests` in a worker thread with a fresh session, while
the credentials call msal synchronously on the event loop. py-spy shows that set-up as most of
the CPU of a bare echo turn. Through the SDK's extension point (`BotFrameworkAuthentication`)
we hand out connector clients that live as long as the app: one per service URL, all sending
through one shared aiohttp session, with the bot's token fetched off the loop and cached.

The three calls every reply and card update makes (send, reply, update an activity) skip
msrest altogether: the activity becomes JSON straight from its attribute map and goes out as
UTF-8 through the same session, with the same token. A profile of a criteria answer under load
had msrest's model serialisation, pipeline and response deserialisation at 29 % of the turn.
What Teams answers is read the same way for every caller: 403/404 `Gone`, 429 `Throttled`
(with its Retry-After), 5xx and lost connections `Unavailable` (bot/messaging.py); who retries
is the caller's choice (the outbox for what the node sends on its own, bot/teams/_handler.py
for the replies of a turn).
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import quote

import aiohttp
import orjson
from botbuilder.schema import Activity, ResourceResponse
from botframework.connector import AsyncBfPipeline, BotFrameworkConnectorConfiguration
from botframework.connector.aio import ConnectorClient
from botframework.connector.aio.operations_async import ConversationsOperations
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)
from botframework.connector.auth.connector_factory import ConnectorFactory as _Factory
from msrest.pipeline import Request, Response
from msrest.pipeline.async_abc import AsyncHTTPPolicy, AsyncHTTPSender
from msrest.universal_http.aiohttp import AioHttpClientResponse

from bot.messaging import Gone, Throttled, Unavailable
from bot.teams._wire import plain
from bot.tokens import AppTokenProvider

log = logging.getLogger(__name__)


class _BearerTokenPolicy(AsyncHTTPPolicy[Any, Any]):
    """Adds the bot's token to outbound requests (nothing when authentication is off)."""

    def __init__(self, tokens: AppTokenProvider | None) -> None:
        super().__init__()
        self._tokens = tokens

    async def send(self, request: Request[Any], **kwargs: Any) -> Response[Any, Any]:
        if self._tokens is not None:
            request.http_request.headers["Authorization"] = f"Bearer {await self._tokens.token()}"
        assert self.next is not None  # linked by the pipeline
        return await self.next.send(request, **kwargs)


class _SharedSessionSender(AsyncHTTPSender[Any, Any]):
    """Sends msrest requests through the app's aiohttp session (pooled keep-alive connections)."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> _SharedSessionSender:
        return self

    async def __aexit__(self, *exc_details: object) -> None:
        """The app owns the session and closes it on shutdown."""

    async def send(self, request: Request[Any], **config: Any) -> Response[Any, Any]:
        http_request = request.http_request
        data = _as_utf8(http_request.data)
        headers = http_request.headers
        if data is not http_request.data:  # msrest's Content-Length counted the escapes
            headers = {k: v for k, v in headers.items() if k.lower() != "content-length"}
        raw = await self._session.request(
            http_request.method, http_request.url, headers=headers, data=data
        )
        response = AioHttpClientResponse(http_request, raw)
        await response.load_body()
        return Response(request, response)


# Below this many characters a body fits in Teams' limit however it is escaped: re-encoding
# it (about 0.13 ms for a 9 KB answer) would only cost.
_REENCODE_FROM = 16_000


def _as_utf8(data: Any) -> Any:
    """msrest writes JSON ASCII-escaped, "ö" as six bytes ("\\u00f6"). Teams refuses a message
    over about 28 KB, so a large body with Swedish text goes as UTF-8 (two bytes)."""
    if isinstance(data, str) and len(data) > _REENCODE_FROM and "\\u" in data:
        return json.dumps(json.loads(data), ensure_ascii=False, separators=(",", ":")).encode()
    return data


class ConnectorError(Exception):
    """Teams refused a call for a reason no retry changes (400, 401, 413...)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"Bot Connector answered {status}")
        self.status = status


def delivery_error(status: int, retry_after: str | None) -> Exception:
    """What Teams' HTTP status means for whoever sent the message."""
    if status in (403, 404):
        return Gone(str(status))
    if status == 429:
        try:
            return Throttled(float(retry_after or "1"))
        except ValueError:
            return Throttled(1.0)
    if status >= 500:
        return Unavailable(str(status))
    return ConnectorError(status)


class _DirectConversations(ConversationsOperations):  # type: ignore[misc]
    """msrest's conversation operations, but the three every reply makes go out directly."""

    def __init__(
        self, client: ConnectorClient, session: aiohttp.ClientSession,
        tokens: AppTokenProvider | None,
    ) -> None:  # fmt: skip
        inner = client.conversations
        super().__init__(inner._client, inner.config, inner._serialize, inner._deserialize)
        self._session = session
        self._tokens = tokens
        self._user_agent = str(client.config.user_agent)

    async def send_to_conversation(
        self, conversation_id: str, activity: Activity, **_: Any
    ) -> ResourceResponse | None:
        return await self._call("POST", conversation_id, "", activity)

    async def reply_to_activity(
        self, conversation_id: str, activity_id: str, activity: Activity, **_: Any
    ) -> ResourceResponse | None:
        return await self._call("POST", conversation_id, activity_id, activity)

    async def update_activity(
        self, conversation_id: str, activity_id: str, activity: Activity, **_: Any
    ) -> ResourceResponse | None:
        return await self._call("PUT", conversation_id, activity_id, activity)

    async def _call(
        self, method: str, conversation_id: str, activity_id: str, activity: Activity
    ) -> ResourceResponse | None:
        path = f"v3/conversations/{quote(conversation_id, safe='')}/activities"
        if activity_id:
            path += f"/{quote(activity_id, safe='')}"
        headers = {
            "Accept": "application/json",
            "Content-Type": "application/json; charset=utf-8",
            "x-ms-conversation-id": conversation_id,
            "User-Agent": self._user_agent,
        }
        if self._tokens is not None:
            headers["Authorization"] = f"Bearer {await self._tokens.token()}"
        # orjson: a 9 KB answer in 12 µs where json.dumps takes 230 µs (11 % of a criteria
        # turn). UTF-8, not ASCII escapes: "ö" is two bytes, not six, under Teams' ~28 KB.
        body = orjson.dumps(plain(activity), option=orjson.OPT_NON_STR_KEYS)
        try:
            async with self._session.request(
                method, self._client.format_url(path), headers=headers, data=body
            ) as response:
                if response.status not in (200, 201, 202):
                    raise delivery_error(response.status, response.headers.get("Retry-After"))
                answer = await response.read()
        except (aiohttp.ClientError, TimeoutError) as error:
            raise Unavailable(type(error).__name__) from error
        return _resource(answer)


def _resource(answer: bytes) -> ResourceResponse | None:
    """The id Teams gave the message, when its answer has one."""
    try:
        data = json.loads(answer) if answer else None
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        return ResourceResponse(id=data["id"])
    return None


class SharedConnectorFactory(_Factory):  # type: ignore[misc]
    """One ConnectorClient per service URL for the life of the app."""

    def __init__(self, session: aiohttp.ClientSession, tokens: AppTokenProvider | None) -> None:
        self._session = session
        self._tokens = tokens
        self._clients: dict[str, ConnectorClient] = {}

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        client = self._clients.get(service_url)
        if client is None:
            configuration = BotFrameworkConnectorConfiguration(
                _BearerTokenPolicy(self._tokens),
                service_url,
                pipeline_type=AsyncBfPipeline,
                sender=_SharedSessionSender(self._session),
            )
            client = ConnectorClient(None, custom_configuration=configuration)
            # msrest builds its default pipeline after ours and re-links our token policy
            # into it (towards `requests`); building ours last links it to the shared session.
            client._client.config.pipeline = AsyncBfPipeline(configuration)
            client.conversations = _DirectConversations(client, self._session, self._tokens)
            self._clients[service_url] = client
        return client


class ReusingAuthentication(BotFrameworkAuthentication):  # type: ignore[misc]
    """The SDK's configured authentication for inbound checks; shared clients for outbound."""

    def __init__(self, inner: BotFrameworkAuthentication, factory: SharedConnectorFactory) -> None:
        self._inner = inner
        self._factory = factory
        self._user_token_client: UserTokenClient | None = None

    async def authenticate_request(
        self, activity: Activity, auth_header: str | None
    ) -> AuthenticateRequestResult:
        result = await self._inner.authenticate_request(activity, auth_header)
        result.connector_factory = self._factory
        return result

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._factory

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        # The node uses no OAuth sign-in; the SDK still asks for this client on every turn.
        if self._user_token_client is None:
            self._user_token_client = await self._inner.create_user_token_client(claims_identity)
        return self._user_token_client

    def create_bot_framework_client(self) -> Any:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return str(self._inner.get_originating_audience())

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)
