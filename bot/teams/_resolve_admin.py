"""Privacy, digest subscriptions, statistics, profile and status commands in Teams."""

from __future__ import annotations

import logging

from bot.audit import AuditLog
from bot.criteria import AREAS
from bot.digest import Subscription
from bot.i18n import UserError
from bot.people import canonical
from bot.stats import compute
from bot.teams._commands import Command
from bot.teams._resolve_base import DOWNLOAD_SECONDS, Card, ResolverBase, Turn
from bot.teams._resolve_sharing import area_in
from cards import (
    Markdown,
    escape_markdown,
    message_card,
    render,
)
from cards._digest import digest_card, statistics_card
from cards._tickets import format_moment
from cards.actions import ConfirmErase
from cards.actions import payload as payload_of

log = logging.getLogger(__name__)

PRIVACY_COMMANDS = frozenset({"my_data", "erase_my_data", "audit_log"})
DIGEST_COMMANDS = frozenset({"subscribe", "unsubscribe", "preview_digest", "statistics"})
PROFILE_COMMANDS = frozenset({"my_municipality", "status"})


class AdminCommands(ResolverBase):
    async def _privacy_command(self, command: Command, turn: Turn) -> list[Card]:
        texts = turn.texts
        if command.name == "my_data":
            data = await self._privacy.export(turn.user_id, turn.aad_id)
            token = self._links.sign(
                {"kind": "mydata", "user": turn.user_id, "aad": turn.aad_id}, DOWNLOAD_SECONDS
            )
            summary = texts(
                "privacy.summary",
                questions=len(data["questions"]),
                expert=len(data["tickets_as_expert"]),
                events=len(data["audit_events"]),
            )
            return [
                render(
                    "criterion",
                    {
                        "name": texts("privacy.title"),
                        "facts": [],
                        "sections": [
                            {"title": "", "text": summary},
                            {"title": "", "text": Markdown(texts("privacy.erase_hint"))},
                        ],
                        "link": f"{self._node.settings.public_url}/files/{token}",
                        "link_title": texts("privacy.download"),
                    },
                )
            ]
        if command.name == "erase_my_data":
            return [
                render(
                    "criterion",
                    {
                        "name": texts("privacy.confirm_title"),
                        "facts": [],
                        "sections": [{"title": "", "text": texts("privacy.confirm_text")}],
                        "actions": [
                            {"title": texts("privacy.confirm"), "data": payload_of(ConfirmErase())}
                        ],
                    },
                )
            ]
        if not self._is_admin(turn):
            raise UserError("admin.only")
        events = await AuditLog(self._node.store).recent(30)
        zone = self._node.settings.zone
        lines = [
            {
                "title": format_moment(e.at, zone, texts.language),
                "text": f"{e.who} · {e.action} · {e.target}",
            }
            for e in events
        ]
        return [
            render(
                "criterion",
                {
                    "name": texts("audit.title", count=len(events)),
                    "facts": [],
                    "sections": lines or [{"title": "", "text": texts("audit.empty")}],
                },
            )
        ]

    async def _digest_command(self, command: Command, turn: Turn) -> list[Card]:
        texts = turn.texts
        if command.name == "statistics":
            if not self._is_admin(turn):
                raise UserError("admin.only")
            settings = self._node.settings
            stats = await compute(self._node.store, settings.zone, settings.escalation_hours)
            return [statistics_card(stats, texts)]
        if turn.conversation_type != "channel":
            raise UserError("admin.channel_only")
        subscriptions = self._digest.subscriptions
        if command.name == "preview_digest":
            content = await self._digest.content()
            current = await subscriptions.get(turn.conversation_id.split(";")[0])
            areas = current.areas if current else ()
            card = digest_card(content.for_areas(areas), texts)
            sent = await self._messenger.to_person(turn.user_id, card)
            return [
                message_card(texts("digest.preview_sent" if sent else "digest.preview_no_chat"))
            ]
        # Team owners are told apart through Graph (when configured); admins always may.
        if not await self._is_owner_or_admin(turn):
            raise UserError("digest.owner_only")
        channel = turn.conversation_id.split(";")[0]
        if command.name == "unsubscribe":
            removed = await subscriptions.remove(channel)
            return [
                message_card(texts("digest.unsubscribed" if removed else "digest.not_subscribed"))
            ]
        words = command.argument.lower().split()
        areas = tuple(dict.fromkeys(a for w in words if (a := area_in(w))))
        await subscriptions.save(
            Subscription(
                channel, turn.team_id, areas, skip_quiet="tyst" in words or "quiet" in words
            )
        )
        named = (
            texts("digest.subscribed_areas", areas=", ".join(AREAS[a] for a in areas))
            if areas
            else ""
        )
        return [message_card(texts("digest.subscribed", areas=named))]

    async def _profile_command(self, command: Command, turn: Turn) -> list[Card]:
        texts = turn.texts
        if command.name == "my_municipality":
            municipality = canonical(command.argument)
            if not municipality:
                raise UserError("profile.unknown", {"name": escape_markdown(command.argument[:40])})
            await self._profiles.correct(turn.user_id, municipality)
            return [message_card(texts("profile.set", municipality=municipality))]
        if not self._is_admin(turn):
            raise UserError("admin.only")
        try:
            await self._node.store.ping()
            storage = "ok"
        except Exception:
            storage = "?"
        graph = "off" if self._graph is None else ("ok" if await self._graph.reachable() else "!")
        network = await self._routing.network()
        line = texts(
            "status.line",
            storage=storage,
            graph=graph,
            criteria=self._criteria.size,
            sample=" (exempel)" if self._criteria.is_sample else "",
            experts=len(network.experts),
            subscriptions=len(await self._digest.subscriptions.all()),
        )
        return [message_card(line, title=texts("status.title"))]
