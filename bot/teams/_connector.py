"""Outbound Bot Connector calls without per-turn set-up.

botbuilder's `_ConnectorFactoryImpl` builds a new `ConnectorClient` on every turn, and its
default msrest pipeline sends through `requests` in a worker thread with a fresh session, while
the credentials call msal synchronously on the event loop. py-spy shows that set-up as most of
the CPU of a bare echo turn. Through the SDK's extension point (`BotFrameworkAuthentication`)
we hand out connector clients that live as long as the app: one per service URL, all sending
through one shared aiohttp session, with the bot's token fetched off the loop and cached.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp
from botbuilder.schema import Activity
from botframework.connector import AsyncBfPipeline, BotFrameworkConnectorConfiguration
from botframework.connector.aio import ConnectorClient
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
from msrest.serialization import Serializer
from msrest.universal_http.aiohttp import AioHttpClientResponse

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


class _CardPassThroughSerializer(Serializer):
    """msrest serializes an attachment's `content` (typed `object`) by walking every node of
    the card dict, about a third of a card reply's CPU. Card content is already plain JSON
    (it comes from our JSON templates), so serialize the activity without it and put it back."""

    def body(self, data: Any, data_type: str, **kwargs: Any) -> Any:
        attachments = getattr(data, "attachments", None) if data_type == "Activity" else None
        if not attachments:
            return super().body(data, data_type, **kwargs)  # type: ignore[no-untyped-call]
        contents = [attachment.content for attachment in attachments]
        try:
            for attachment in attachments:
                attachment.content = None
            serialized = super().body(data, data_type, **kwargs)  # type: ignore[no-untyped-call]
        finally:
            for attachment, content in zip(attachments, contents, strict=True):
                attachment.content = content
        for entry, content in zip(serialized["attachments"], contents, strict=True):
            if content is not None:
                entry["content"] = content
        return serialized


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
            serializer = _CardPassThroughSerializer(client._serialize.dependencies)  # type: ignore[no-untyped-call]
            # msrest re-validates every model it serializes; the node's activities are built
            # by botbuilder and our own code, so the walk is pure cost on every reply.
            serializer.client_side_validation = False
            client.conversations._serialize = serializer
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
