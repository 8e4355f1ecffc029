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
import time
from collections.abc import AsyncIterator
from datetime import date
from types import SimpleNamespace
from typing import Any

import aiohttp
from aiohttp import web
from botbuilder.core import (
    CardFactory,
    MessageFactory,
    TurnContext,
    serializer_helper,
)
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity, CallerIdConstants
from botframework.connector.auth import AuthenticationConstants, EmulatorValidation
from msrest.serialization import Model
from opentelemetry.instrumentation.aiohttp_client import create_trace_config
from opentelemetry.trace import SpanKind, StatusCode

from bot import telemetry
from bot.app import Background, Services, build_services, load_demo_agreements
from bot.config import Settings
from bot.i18n import UserError, texts_for
from bot.logs import activity_id
from bot.node import Node
from bot.sharing import plan_xlsx
from bot.stats import ActivityLog, Period, report_xlsx
from bot.teams._assemble import dispatcher
from bot.teams._connector import (
    ReusingAuthentication,
    SharedConnectorFactory,
)
from bot.teams._files import FileFetcher
from bot.teams._handler import NodeBot
from bot.teams._input import (
    MAX_DEPTH,
    SURROGATE_ESCAPE,
    activity_problem,
    nesting_depth,
    without_lone_surrogates,
)
from bot.teams._messenger import TeamsMessenger
from bot.teams._pages import about, privacy, terms
from bot.teams._references import ConversationBook, InboundLedger
from bot.teams._wire import from_plain
from bot.tokens import DEFAULT_LOGIN, AppTokenProvider
from cards import message_card

log = logging.getLogger(__name__)

NODE = web.AppKey("node", Node)
ADAPTER = web.AppKey("adapter", CloudAdapter)
BOT = web.AppKey("bot", NodeBot)
SERVICES = web.AppKey("services", Services)


AUTH = web.AppKey("auth", ReusingAuthentication)
TOKENS = web.AppKey("tokens", AppTokenProvider)  # set only with authentication on
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
        # Without an app id there is nothing to be single-tenant about (the SDK would ask
        # for a tenant id).
        APP_TYPE=settings.app_type if settings.auth_enabled else "MultiTenant",
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


def bot_tokens(settings: Settings) -> AppTokenProvider | None:
    """The bot's own token for the Bot Connector; None with authentication off."""
    if not settings.auth_enabled:
        return None
    return AppTokenProvider(
        settings.app_id, settings.app_password, _authority(settings),
        known_host=not settings.login_url, managed_identity=settings.uses_managed_identity,
    )  # fmt: skip


def build_adapter(
    settings: Settings, session: aiohttp.ClientSession, tokens: AppTokenProvider | None = None
) -> CloudAdapter:
    """The CloudAdapter with the node's authentication and reused connector clients."""
    auth = ReusingAuthentication(
        ConfigurationBotFrameworkAuthentication(_sdk_configuration(settings)),
        SharedConnectorFactory(session, tokens),
    )
    adapter = CloudAdapter(auth)
    adapter.on_turn_error = _on_turn_error
    return adapter


async def _lifespan(app: web.Application) -> AsyncIterator[None]:
    """Everything with a life of its own starts here and stops here, in that order: the
    HTTP session, the SDK, the services (bot/app.py, shared with the CLI), the background."""
    node = app[NODE]
    settings = node.settings
    # With telemetry on, every call out (Teams, Graph) is a dependency span (no query strings
    # or bodies); off, the hooks would cost ~75 µs a call for nothing.
    traced = (
        [create_trace_config(url_filter=lambda url: str(url.with_query(None)))]
        if telemetry.enabled()
        else []
    )
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30), trace_configs=traced)
    tokens = bot_tokens(settings)
    adapter = build_adapter(settings, session, tokens)
    warm_up = None
    if tokens is not None:
        app[TOKENS] = tokens
        # Not at start's expense: an identity outage leaves the node alive and not ready.
        warm_up = asyncio.create_task(tokens.wait_until_reachable())
    book = ConversationBook(node.store)
    inbound = InboundLedger(node.store, node.clock)
    messenger = TeamsMessenger(adapter, book, settings.app_id)
    services = await build_services(node, messenger, session, personal=[book], directory=book,
                                    reachable=book.reachable)  # fmt: skip
    book.wakes(services.outbox.wake)
    if node.demo:
        await load_demo_agreements(services)
    app[AUTH] = adapter.bot_framework_authentication
    app[ADAPTER] = adapter
    app[SERVICES] = services
    app[BOT] = NodeBot(
        dispatcher(services, messenger, book, FileFetcher(session, settings.file_hosts)),
        book,
        inbound,
        ActivityLog(node.store, node.clock),
    )
    background = Background(services, housekeeping=[inbound.prune])
    background.start()
    # Each instance checks the stored data once at start (the round's job does it daily).
    data_check = asyncio.create_task(services.data_check.run(), name="data-check")
    yield
    if warm_up is not None:
        warm_up.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await warm_up
    data_check.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await data_check
    await background.stop()
    await session.close()
    await node.close()


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
        activity = from_plain(Activity, body)
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
    claims = getattr(authenticated.claims_identity, "claims", None) or {}
    if settings.auth_enabled and "exp" not in claims:
        # The JWT library checks exp only when it is there: a token that never expires is
        # not one the channel issues.
        return _refuse(401, "authentication failed", cause="token without exp")

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
    payload = request.app[SERVICES].links.verify(request.match_info["token"])
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
    if kind == "report":
        return await _report(request, payload)
    user, aad = payload.get("user"), payload.get("aad", "")
    if kind == "mydata" and isinstance(user, str) and user and isinstance(aad, str):
        data = await request.app[SERVICES].privacy.export(user, aad)
        return web.Response(
            body=json.dumps(data, ensure_ascii=False, indent=2),
            content_type="application/json",
            headers={"Content-Disposition": 'attachment; filename="mina-data.json"'},
        )
    return web.Response(status=404, text="Okänd fil.")


async def _report(request: web.Request, payload: dict[str, Any]) -> web.Response:
    """The steering group's workbook for the period the link was signed for."""
    try:
        period = Period.checked(date.fromisoformat(str(payload.get("start"))),
                                date.fromisoformat(str(payload.get("end"))))  # fmt: skip
    except (ValueError, UserError):
        return web.Response(status=404, text="Okänd fil.")
    stats = await request.app[SERVICES].statistics.compute(period)
    workbook = report_xlsx(stats, texts_for(str(payload.get("language", ""))))
    return web.Response(
        body=workbook,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="rapport-{period.label}.xlsx"'},
    )


async def run_digest(request: web.Request) -> web.Response:
    """For an Azure timer: runs this week's digest now (exactly once per channel anyway)."""
    secret = request.app[NODE].settings.digest_secret
    given = request.headers.get("X-Digest-Secret", "")
    if not secret or not hmac.compare_digest(secret, given):
        return _refuse(404 if not secret else 401, "digest run refused")
    report = await request.app[SERVICES].digest.run(request.query.get("channel", ""))
    return web.json_response(
        {"week": report.week, "sent": report.sent, "already_sent": report.already_sent,
         "quiet": report.skipped_quiet, "gone": report.gone, "failed": report.failed}
    )  # fmt: skip


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "alive"})


async def readyz(request: web.Request) -> web.Response:
    graph = request.app[SERVICES].graph
    tokens = request.app.get(TOKENS)
    body = {
        "graph": "off" if graph is None else ("ok" if await graph.reachable() else "unreachable"),
        # Without its own token the bot cannot answer anyone in Teams.
        "identity": "off" if tokens is None else ("ok" if tokens.reachable else "unreachable"),
        "storage": "ok",
    }
    try:
        await request.app[NODE].store.ping()
    except Exception as error:
        log.warning("storage not reachable", extra={"cause": type(error).__name__})
        body["storage"] = "unreachable"
    # Records the models cannot read (a damaged restore): the node would fail on them.
    check = request.app[SERVICES].data_check
    body["data"] = "damaged" if check.damaged else ("ok" if check.checked else "unchecked")
    # A secret App Service could not fetch from Key Vault (named, never shown).
    unresolved = request.app[NODE].settings.unresolved
    body["settings"] = f"unresolved Key Vault reference: {', '.join(unresolved)}" if (
        unresolved) else "ok"  # fmt: skip
    # Graph is optional: routing works without it, so it never makes the node unready.
    ready = body["storage"] == "ok" and body["identity"] != "unreachable"
    ready = ready and body["data"] != "damaged" and not unresolved
    return web.json_response({"status": "ready" if ready else "unready", **body},
                             status=200 if ready else 503)  # fmt: skip


@web.middleware
async def _traced(request: web.Request, handler: Any) -> web.StreamResponse:
    """A server span per request: the route's pattern (never a download token), the status."""
    resource = request.match_info.route.resource
    route = resource.canonical if resource is not None else "unmatched"
    attributes = {"http.request.method": request.method, "http.route": route}
    with telemetry.tracer().start_as_current_span(
        f"{request.method} {route}", kind=SpanKind.SERVER, attributes=attributes
    ) as span:
        response: web.StreamResponse = await handler(request)
        span.set_attribute("http.response.status_code", response.status)
        if response.status >= 500:
            span.set_status(StatusCode.ERROR)
        return response


def create_app(node: Node) -> web.Application:
    middlewares = [_traced] if telemetry.enabled() else []
    app = web.Application(client_max_size=node.settings.max_body_bytes, middlewares=middlewares)
    app[NODE] = node
    app.cleanup_ctx.append(_lifespan)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    app.router.add_post("/api/digest/run", run_digest)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/", about)  # the manifest's websiteUrl
    app.router.add_get("/privacy", privacy)
    app.router.add_get("/files/{token}", download)
    app.router.add_get("/terms", terms)
    return app
