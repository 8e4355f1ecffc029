"""A local Bot Connector: the REST endpoints the bot calls (/v3/conversations/...), which
record what the bot sent so tests can assert on it."""

from __future__ import annotations

import asyncio
import itertools
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.support.localserver import LocalServer


@dataclass
class Sent:
    """One call the bot made: kind is reply, send, update or create."""

    kind: str
    conversation_id: str
    activity: dict[str, Any]
    authorization: str
    activity_id: str = ""
    raw: bytes = b""  # the body as it came over the wire

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [
            a["content"]
            for a in self.activity.get("attachments") or []
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]

    @property
    def card(self) -> dict[str, Any]:
        (only,) = self.cards
        return only


def card_nodes(card: Any) -> Iterator[dict[str, Any]]:
    """Every object in a card (elements, actions, facts), depth first."""
    if isinstance(card, dict):
        yield card
        for value in card.values():
            yield from card_nodes(value)
    elif isinstance(card, list):
        for item in card:
            yield from card_nodes(item)


def input_of(card: dict[str, Any], input_id: str) -> dict[str, Any]:
    """A form's input by its id, wherever it sits in the card."""
    return next(node for node in card_nodes(card) if node.get("id") == input_id)


def shown(body: Any) -> dict[str, Any]:
    """What an Action.Execute's answer shows at the card clicked: the card that replaces it,
    or (the card staying as it was) its short note, as a card of one text."""
    if body.get("type") == "application/vnd.microsoft.activity.message":
        return {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": body["value"]}]}
    card: dict[str, Any] = body["value"]
    return card


def card_text(card: dict[str, Any] | str) -> str:
    """Every text, fact and action title of a card, joined: what a reader sees (a note shown
    at a clicked card, which stays as it was, is its text)."""
    if isinstance(card, str):
        return card
    return "\n".join(
        node[key]
        for node in card_nodes(card)
        for key in ("text", "title", "value")
        if isinstance(node.get(key), str)
    )


# Teams refuses a message activity over about 28 KB (413, MessageSizeTooBig).
MESSAGE_LIMIT = 28 * 1024


@dataclass
class ConnectorStandIn(LocalServer):
    sent: list[Sent] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    # Conversations whose new messages fail with HTTP 500 (Teams having a bad moment), and
    # ones that answer 404 (the bot was removed there).
    failing: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    # Benchmarks count replies without parsing them, so the harness takes less CPU from the
    # bot it measures.
    parse_bodies: bool = True
    # Share of new messages answered 429 Too Many Requests, with this Retry-After (seconds).
    throttle_ratio: float = 0.0
    retry_after: str = "1"
    throttled: int = 0
    throttle_next: int = 0  # this many next new messages answered 429, whatever the ratio
    _random: random.Random = field(default_factory=lambda: random.Random(48))
    # Seconds Teams takes to answer a new message or an update. A message is taken when the
    # answer is given: one whose sender went away meanwhile (a killed node) is not taken.
    latency: float = 0.0
    # Take a message when it arrives, before answering (then the sender may die before it
    # hears that it went through), instead of when the answer is given.
    takes_first: bool = False
    # Member profiles' e-mail by Teams id (Alex's Lund address for anyone else).
    emails: dict[str, str] = field(default_factory=dict)
    too_big: int = 0  # messages refused as over Teams' size limit

    def __post_init__(self) -> None:
        LocalServer.__init__(self)

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v3/conversations/{cid}/activities", self._send)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._reply)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._update)
        app.router.add_get("/v3/conversations/{cid}/members/{mid}", self._member)
        app.router.add_get("/v3/conversations/{cid}/members", self._members)

    def clear(self) -> None:
        self.sent.clear()

    def to(self, conversation_id: str) -> list[Sent]:
        return [s for s in self.sent if s.conversation_id == conversation_id]

    async def wait_for(self, count: int, seconds: float = 10.0) -> list[Sent]:
        async def enough() -> None:
            while len(self.sent) < count:
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(enough(), seconds)
        return self.sent

    async def _wait(self, request: web.Request) -> bool:
        """Teams' latency; False when the sender went away meanwhile."""
        if self.latency:
            await asyncio.sleep(self.latency)
            transport = request.transport
            return transport is not None and not transport.is_closing()
        return True

    def _record(
        self, kind: str, request: web.Request, body: dict[str, Any], raw: bytes = b""
    ) -> str:
        new_id = request.match_info.get("aid") if kind == "update" else f"msg-{next(self._ids)}"
        self.sent.append(
            Sent(
                kind,
                request.match_info.get("cid", ""),
                body,
                request.headers.get("Authorization", ""),
                new_id or "",
                raw,
            )
        )
        self._changed.set()
        return new_id or ""

    def _refused(self, request: web.Request) -> bool:
        return request.match_info.get("cid", "") in self.failing

    def _gone(self, request: web.Request) -> web.Response | None:
        if request.match_info.get("cid", "") in self.removed:
            return web.json_response({"error": {"code": "ConversationNotFound"}}, status=404)
        return None

    def _throttle(self) -> web.Response | None:
        forced = self.throttle_next > 0
        self.throttle_next -= forced
        if forced or (self.throttle_ratio and self._random.random() < self.throttle_ratio):
            self.throttled += 1
            return web.json_response(
                {"error": {"code": "TooManyRequests"}},
                status=429,
                headers={"Retry-After": self.retry_after},
            )
        return None

    async def _body(self, request: web.Request) -> tuple[dict[str, Any], bytes]:
        raw = await request.read()
        return (json.loads(raw) if self.parse_bodies else {}), raw

    async def _send(self, request: web.Request) -> web.Response:
        return await self._new_message("send", request)

    async def _reply(self, request: web.Request) -> web.Response:
        return await self._new_message("reply", request)

    async def _new_message(self, kind: str, request: web.Request) -> web.Response:
        if self._refused(request):
            return web.json_response({"error": {"code": "ServiceError"}}, status=500)
        if (refusal := self._gone(request) or self._throttle()) is not None:
            return refusal
        return await self._taken(kind, request)

    async def _update(self, request: web.Request) -> web.Response:
        return await self._taken("update", request)

    async def _taken(self, kind: str, request: web.Request) -> web.Response:
        if (request.content_length or 0) > MESSAGE_LIMIT:  # as Teams does
            self.too_big += 1
            return web.json_response({"error": {"code": "MessageSizeTooBig"}}, status=413)
        body, raw = await self._body(request)
        if self.takes_first:
            new_id = self._record(kind, request, body, raw)
            await self._wait(request)
            return web.json_response({"id": new_id})
        if not await self._wait(request):
            return web.Response(status=499)
        return web.json_response({"id": self._record(kind, request, body, raw)})

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        conversation_id = f"created-{next(self._ids)}"
        activity = body.get("activity") or {}
        self.sent.append(
            Sent("create", conversation_id, activity, request.headers.get("Authorization", ""))
        )
        self._changed.set()
        return web.json_response({"id": conversation_id, "activityId": f"msg-{next(self._ids)}"})

    async def _member(self, request: web.Request) -> web.Response:
        member_id = request.match_info["mid"]
        return web.json_response(
            {
                "id": member_id,
                "name": "Alex Wilber",
                "aadObjectId": "aad-" + member_id,
                "email": self.emails.get(member_id, "alex.wilber@lund.se"),
                "userPrincipalName": self.emails.get(member_id, "alex.wilber@lund.se"),
            }
        )

    async def _members(self, request: web.Request) -> web.Response:
        return web.json_response([{"id": "user-1", "name": "Alex Wilber"}])
