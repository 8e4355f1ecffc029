"""The HTTP edge: /api/messages, /healthz and /readyz on one aiohttp application.

The body is checked here before botbuilder sees it (a bare botbuilder bot answers malformed
JSON with HTTP 500): size, JSON, a `type`, and the tenant allow-list. Authentication runs
next, separately from the turn, so a refused request is a 401 and nothing is processed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import aiohttp
from aiohttp import web
from botbuilder.core import (
    CardFactory,
    ConversationState,
    MessageFactory,
    TurnContext,
    UserState,
    serializer_helper,
)
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity, CallerIdConstants
from botframework.connector.auth import AuthenticationConstants, EmulatorValidation
from msrest.serialization import Model

from bot.config import Settings
from bot.digest import DigestService
from bot.i18n import texts_for
from bot.links import LinkSigner
from bot.logs import activity_id
from bot.node import Node
from bot.people import GraphClient
from bot.privacy import PersonalData
from bot.routing import RoutingService
from bot.sharing import SharingService, plan_xlsx
from bot.stats import ActivityLog
from bot.storage import Lease
from bot.teams._connector import (
    DEFAULT_LOGIN,
    ReusingAuthentication,
    SharedConnectorFactory,
)
from bot.teams._handler import NodeBot
from bot.teams._input import (
    MAX_DEPTH,
    SURROGATE_ESCAPE,
    activity_problem,
    nesting_depth,
    without_lone_surrogates,
)
from bot.teams._messenger import TeamsMessenger
from bot.teams._pages import privacy, terms
from bot.teams._references import ConversationBook, InboundLedger
from bot.teams._resolver import Resolver
from bot.teams._state import StoreStorage
from bot.tokens import GRAPH_SCOPE, AppTokenProvider
from cards import message_card
from cards._tickets import TicketCards

log = logging.getLogger(__name__)

NODE = web.AppKey("node", Node)
ADAPTER = web.AppKey("adapter", CloudAdapter)
BOT = web.AppKey("bot", NodeBot)
ROUTING = web.AppKey("routing", RoutingService)
LINKS = web.AppKey("links", LinkSigner)
DIGEST = web.AppKey("digest", DigestService)
GRAPH = web.AppKey("graph", GraphClient)


def _graph(settings: Settings, session: aiohttp.ClientSession) -> GraphClient | None:
    """Microsoft Graph with the bot's own registration, when configured (NODE_GRAPH_ENABLED)."""
    if not (settings.graph_enabled and settings.app_id and settings.app_tenant_id):
        return None
    base = (settings.graph_login_url or DEFAULT_LOGIN).rstrip("/")
    tokens = AppTokenProvider(
        settings.app_id,
        settings.app_password,
        f"{base}/{settings.app_tenant_id}",
        known_host=not settings.graph_login_url,
        scope=GRAPH_SCOPE,
    )
    return GraphClient(tokens, session, settings.graph_url)


AUTH = web.AppKey("auth", ReusingAuthentication)
_PRUNE_INTERVAL_S = 3600
# A follow-up plan link names at most this many criteria (a card offers far fewer).
MAX_PLAN_KEYS = 50


def _sdk_configuration(settings: Settings) -> SimpleNamespace:
    """The attribute names botbuilder's ConfigurationBotFrameworkAuthentication reads.

    Always the full public-cloud set, so the SDK takes one code path (its "parameterized"
    authentication) whether or not the OpenID metadata URL is overridden, as the tests do.
    """
    return SimpleNamespace(
        APP_ID=settings.app_id,
        APP_PASSWORD=settings.app_password,
        APP_TYPE=settings.app_type,
        APP_TENANTID=settings.app_tenant_id,
        VALIDATE_AUTHORITY=True,
        TO_CHANNEL_FROM_BOT_LOGIN_URL=_authority(settings),
        TO_CHANNEL_FROM_BOT_OAUTH_SCOPE=AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER,
        OAUTH_URL=AuthenticationConstants.OAUTH_URL,
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=settings.openid_metadata_url
        or AuthenticationConstants.TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL,
        # The node refuses emulator tokens before the SDK sees them (see `messages`); the
        # override reaches this path too, so a test can show they are refused.
        TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL=settings.openid_metadata_url
        or AuthenticationConstants.TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL,
        CALLER_ID=CallerIdConstants.public_azure_channel,
    )


def _authority(settings: Settings) -> str:
    base = (settings.login_url or DEFAULT_LOGIN).rstrip("/")
    if settings.login_url and settings.app_type != "SingleTenant":
        return base
    tenant = settings.app_tenant_id if settings.app_type == "SingleTenant" else "botframework.com"
    return f"{base}/{tenant}"


def build_adapter(settings: Settings, session: aiohttp.ClientSession) -> CloudAdapter:
    """The CloudAdapter with the node's authentication and reused connector clients."""
    tokens = (
        AppTokenProvider(
            settings.app_id,
            settings.app_password,
            _authority(settings),
            known_host=not settings.login_url,
        )
        if settings.auth_enabled
        else None
    )
    auth = ReusingAuthentication(
        ConfigurationBotFrameworkAuthentication(_sdk_configuration(settings)),
        SharedConnectorFactory(session, tokens),
    )
    adapter = CloudAdapter(auth)
    adapter.on_turn_error = _on_turn_error
    return adapter


async def _lifespan(app: web.Application) -> AsyncIterator[None]:
    """Everything with a life of its own starts here and stops here, in that order."""
    node = app[NODE]
    settings = node.settings
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
    adapter = build_adapter(settings, session)
    auth = adapter.bot_framework_authentication
    storage = StoreStorage(node.store)
    book = ConversationBook(node.store)
    messenger = TeamsMessenger(adapter, book, settings.app_id)
    graph = _graph(settings, session)
    routing = RoutingService(
        node.store,
        messenger,
        node.criteria,
        TicketCards(settings.zone),
        settings.zone,
        settings.escalation_hours,
        presence=graph.presences if graph else None,
        claim_seconds=settings.delivery_claim_s,
    )
    links = await LinkSigner.shared(node.store, settings.link_secret)
    sharing = SharingService(node.store, messenger, node.criteria)
    digest = DigestService(
        node.store,
        messenger,
        settings.zone,
        settings.digest_rate,
        settings.digest_schedule,
        lease_seconds=settings.routing_interval_s * 3,
    )
    app[AUTH] = auth
    app[ADAPTER] = adapter
    app[ROUTING] = routing
    app[LINKS] = links
    app[DIGEST] = digest
    if graph is not None:
        app[GRAPH] = graph
    app[BOT] = NodeBot(
        Resolver(node, routing, sharing, links, digest, messenger, graph),
        book,
        InboundLedger(node.store),
        ConversationState(storage),
        UserState(storage),
        ActivityLog(node.store),
    )
    background = _Background(node, routing, digest)
    background.start()
    yield
    await background.stop()
    await session.close()
    await node.close()


class _Background:
    """Background rounds owned by the app (started and stopped with it): deliver tickets the
    process stopped before posting, escalate unclaimed ones, prune old inbound marks. One
    instance at a time does this, by a lease in storage."""

    def __init__(self, node: Node, routing: RoutingService, digest: DigestService) -> None:
        self._digest = digest
        self._ledger = InboundLedger(node.store)
        self._privacy = PersonalData(node.store)
        self._retention_months = node.settings.retention_months
        self._routing = routing
        self._interval = node.settings.routing_interval_s
        holder = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._lease = Lease(node.store, "routing", holder, seconds=self._interval * 3)
        self._task: asyncio.Task[None] | None = None
        self._pruned_at = float("-inf")

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="background")

    async def _run(self) -> None:
        while True:
            try:
                await self.round()
            except Exception:
                log.exception("background round failed; trying again later")
            await asyncio.sleep(self._interval)

    async def round(self) -> None:
        if not await self._lease.acquire():
            return
        delivered = await self._routing.deliver_pending()
        escalated = await self._routing.escalate_due()
        if delivered or escalated:
            log.info("routing round", extra={"delivered": delivered, "escalated": escalated})
        if await self._digest.due():
            report = await self._digest.run()
            figures = {"sent": report.sent, "gone": report.gone, "failed": report.failed}
            log.info("weekly digest", extra={"week": report.week, **figures})
        if time.monotonic() - self._pruned_at > _PRUNE_INTERVAL_S:
            self._pruned_at = time.monotonic()
            removed = await self._ledger.prune() + await self._routing.forget_origins()
            anonymised = await self._privacy.apply_retention(self._retention_months)
            if removed or anonymised:
                log.info("housekeeping", extra={"pruned": removed, "anonymised": anonymised})

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


async def _on_turn_error(turn_context: TurnContext, error: Exception) -> None:
    log.error("turn failed", exc_info=error)
    texts = texts_for(turn_context.activity.locale)
    try:
        await turn_context.send_activity(
            MessageFactory.attachment(
                CardFactory.adaptive_card(message_card(texts("error.generic")))
            )
        )
    except Exception as send_error:  # the channel itself may be what failed
        log.warning("could not tell the user about the failure", exc_info=send_error)


def _from_emulator(authorization: str) -> bool:
    try:
        return bool(EmulatorValidation.is_token_from_emulator(authorization))
    except Exception:  # an unreadable token is the SDK's to refuse
        return False


def _refuse(status: int, reason: str, **fields: Any) -> web.Response:
    log.warning("request refused: %s", reason, extra={"status": status, **fields})
    return web.json_response({"error": reason}, status=status)


def _tenant_of(body: dict[str, Any]) -> str:
    conversation = body.get("conversation")
    if isinstance(conversation, dict) and isinstance(conversation.get("tenantId"), str):
        return str(conversation["tenantId"])
    channel_data = body.get("channelData")
    if isinstance(channel_data, dict):
        tenant = channel_data.get("tenant")
        if isinstance(tenant, dict) and isinstance(tenant.get("id"), str):
            return str(tenant["id"])
    return ""


async def messages(request: web.Request) -> web.Response:
    app = request.app
    settings = app[NODE].settings
    activity_id.set("-")
    if request.content_type != "application/json":
        return _refuse(415, "content type must be application/json")
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return _refuse(413, "body too large", limit=settings.max_body_bytes)
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _refuse(400, "body is not valid JSON")
    if not isinstance(body, dict) or not isinstance(body.get("type"), str) or not body["type"]:
        return _refuse(400, "activity has no type")
    if raw.count(b"{") + raw.count(b"[") > MAX_DEPTH and nesting_depth(body) > MAX_DEPTH:
        return _refuse(400, "activity nested too deeply", limit=MAX_DEPTH)
    if SURROGATE_ESCAPE.search(raw):
        body = without_lone_surrogates(body)
    problem = activity_problem(body)
    if problem:
        return _refuse(400, problem)
    if isinstance(body.get("id"), str):
        activity_id.set(body["id"])
    if settings.allowed_tenants and _tenant_of(body) not in settings.allowed_tenants:
        return _refuse(403, "tenant not allowed", tenant=_tenant_of(body))
    try:
        activity = Activity().deserialize(body)
    except Exception:
        return _refuse(400, "activity does not match the Bot Framework schema")
    if not activity.conversation or not activity.conversation.id or not activity.service_url:
        return _refuse(400, "activity lacks conversation or serviceUrl")

    authorization = request.headers.get("Authorization")
    if settings.auth_enabled and authorization and _from_emulator(authorization):
        # Teams never sends Emulator tokens, and the SDK does not check their audience.
        return _refuse(401, "authentication failed", cause="emulator token")
    try:
        authenticated = await app[AUTH].authenticate_request(activity, authorization)
    except Exception as error:  # the SDK raises bare Exceptions for bad tokens
        return _refuse(401, "authentication failed", cause=f"{type(error).__name__}: {error}")

    started = time.perf_counter()
    invoke_response = await app[ADAPTER].process_activity(authenticated, activity, app[BOT].on_turn)
    log.debug("turn done", extra={"ms": round((time.perf_counter() - started) * 1000, 2)})
    if invoke_response:
        body = invoke_response.body
        # ActivityHandler hands back a serialized dict; an adapter-made response a model.
        data = serializer_helper(body) if isinstance(body, Model) else body
        return web.json_response(data=data, status=invoke_response.status)
    return web.Response(status=200)


async def download(request: web.Request) -> web.Response:
    """A signed, expiring download: built when fetched, never stored as a file."""
    payload = request.app[LINKS].verify(request.match_info["token"])
    if payload is None:
        log.info("download refused: invalid or expired link")
        return web.Response(
            status=410,
            text="Länken är ogiltig eller har gått ut. Be boten om en ny (skriv: mina data).",
        )
    kind = payload.get("kind")
    keys = payload.get("keys")
    if kind == "plan" and isinstance(keys, list) and all(isinstance(k, str) for k in keys):
        library = request.app[NODE].criteria
        chosen = [library.criterion(key) for key in keys[:MAX_PLAN_KEYS]]
        criteria = [c for c in chosen if c is not None]
        if not criteria:
            return web.Response(status=404, text="Kriterierna finns inte längre i biblioteket.")
        workbook = plan_xlsx(criteria, "Uppföljningsplan")
        return web.Response(
            body=workbook,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": 'attachment; filename="uppfoljningsplan.xlsx"'},
        )
    user, aad = payload.get("user"), payload.get("aad", "")
    if kind == "mydata" and isinstance(user, str) and user and isinstance(aad, str):
        data = await PersonalData(request.app[NODE].store).export(user, aad)
        return web.Response(
            body=json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json",
            headers={"Content-Disposition": 'attachment; filename="mina-data.json"'},
        )
    return web.Response(status=404, text="Okänd fil.")


async def run_digest(request: web.Request) -> web.Response:
    """For an Azure timer: runs this week's digest now (exactly once per channel anyway)."""
    secret = request.app[NODE].settings.digest_secret
    given = request.headers.get("X-Digest-Secret", "")
    if not secret or not hmac.compare_digest(secret, given):
        return _refuse(404 if not secret else 401, "digest run refused")
    report = await request.app[DIGEST].run(request.query.get("channel", ""))
    return web.json_response(
        {"week": report.week, "sent": report.sent, "already_sent": report.already_sent,
         "quiet": report.skipped_quiet, "gone": report.gone, "failed": report.failed}
    )  # fmt: skip


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "alive"})


async def readyz(request: web.Request) -> web.Response:
    graph = request.app.get(GRAPH)
    graph_state = "off" if graph is None else ("ok" if await graph.reachable() else "unreachable")
    try:
        await request.app[NODE].store.ping()
    except Exception as error:
        log.warning("storage not reachable", extra={"cause": type(error).__name__})
        body = {"status": "unready", "storage": "unreachable", "graph": graph_state}
        return web.json_response(body, status=503)
    # Graph is optional: routing works without it, so it never makes the node unready.
    return web.json_response({"status": "ready", "storage": "ok", "graph": graph_state})


def create_app(node: Node) -> web.Application:
    app = web.Application(client_max_size=node.settings.max_body_bytes)
    app[NODE] = node
    app.cleanup_ctx.append(_lifespan)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    app.router.add_post("/api/digest/run", run_digest)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/privacy", privacy)
    app.router.add_get("/files/{token}", download)
    app.router.add_get("/terms", terms)
    return app
