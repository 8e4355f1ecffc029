"""Privacy, digest subscriptions, statistics, profile and status commands in Teams."""

from __future__ import annotations

import logging

from bot.audit import AuditLog
from bot.commands import Command
from bot.criteria import AREAS
from bot.digest import Subscription
from bot.i18n import UserError
from bot.jobs import job_states
from bot.people import canonical
from bot.stats import compute
from bot.teams._resolve_base import DOWNLOAD_SECONDS, Card, ResolverBase, Turn
from bot.teams._resolve_sharing import area_in
from cards import (
    Markdown,
    digest_card,
    escape_markdown,
    format_moment,
    message_card,
    render,
    statistics_card,
)
from cards.actions import ConfirmErase
from cards.actions import payload as payload_of

log = logging.getLogger(__name__)


class AdminCommands(ResolverBase):
    # --- your data ------------------------------------------------------------------------

    async def cmd_my_data(self, command: Command, turn: Turn) -> list[Card]:
        texts = turn.texts
        data = await self._privacy.export(turn.user_id, turn.aad_id)
        token = self._links.sign(
            {"kind": "mydata", "user": turn.user_id, "aad": turn.aad_id}, DOWNLOAD_SECONDS
        )
        summary = texts(
            "privacy.summary",
            questions=len(data["questions"]),
            expert=len(data["tickets_as_expert"]),
            events=len(data["audit_events"]),
            shared=len(data["shared_items"]),
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

    async def cmd_erase_my_data(self, command: Command, turn: Turn) -> list[Card]:
        texts = turn.texts
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

    async def cmd_my_municipality(self, command: Command, turn: Turn) -> list[Card]:
        municipality = canonical(command.argument)
        if not municipality:
            raise UserError("profile.unknown", {"name": escape_markdown(command.argument[:40])})
        await self._profiles.correct(turn.user_id, municipality)
        return [message_card(turn.texts("profile.set", municipality=municipality))]

    # --- the digest -----------------------------------------------------------------------

    async def cmd_preview_digest(self, command: Command, turn: Turn) -> list[Card]:
        texts = turn.texts
        subscriptions = self._digest.subscriptions
        content = await self._digest.content()
        current = await subscriptions.get(turn.conversation_id.split(";")[0])
        areas = current.areas if current else ()
        card = digest_card(content.for_areas(areas), texts)
        sent = await self._messenger.to_person(turn.user_id, card)
        return [message_card(texts("digest.preview_sent" if sent else "digest.preview_no_chat"))]

    async def cmd_unsubscribe(self, command: Command, turn: Turn) -> list[Card]:
        removed = await self._digest.subscriptions.remove(turn.conversation_id.split(";")[0])
        key = "digest.unsubscribed" if removed else "digest.not_subscribed"
        return [message_card(turn.texts(key))]

    async def cmd_subscribe(self, command: Command, turn: Turn) -> list[Card]:
        texts = turn.texts
        channel = turn.conversation_id.split(";")[0]
        words = command.argument.lower().split()
        areas = tuple(dict.fromkeys(a for w in words if (a := area_in(w))))
        quiet = "tyst" in words or "quiet" in words
        subscription = Subscription(channel, turn.team_id, areas, skip_quiet=quiet)
        await self._digest.subscriptions.save(subscription)
        named = (
            texts("digest.subscribed_areas", areas=", ".join(AREAS[a] for a in areas))
            if areas
            else ""
        )
        return [message_card(texts("digest.subscribed", areas=named))]

    # --- administration -------------------------------------------------------------------

    async def cmd_statistics(self, command: Command, turn: Turn) -> list[Card]:
        settings = self._node.settings
        stats = await compute(self._node.store, self._node.clock, settings.escalation_hours)
        return [statistics_card(stats, turn.texts)]

    async def cmd_audit_log(self, command: Command, turn: Turn) -> list[Card]:
        texts = turn.texts
        events = await AuditLog(self._node.store, self._node.clock).recent(30)
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

    async def cmd_learned_words(self, command: Command, turn: Turn) -> list[Card]:
        texts = turn.texts
        learned = await self._criteria.learned_words()
        sections = []
        for krav_id, words in sorted(learned.items()):
            levels = self._criteria.levels_of(krav_id)
            name = levels[0].name if levels else ""
            sections.append({"title": f"{krav_id} {name}", "text": ", ".join(words)})
        return [render("criterion", {
            "name": texts("learned.title"), "facts": [],
            "sections": sections or [{"title": "", "text": texts("learned.empty")}],
        })]  # fmt: skip

    async def cmd_forget_word(self, command: Command, turn: Turn) -> list[Card]:
        krav_id, _, word = command.argument.strip().partition(" ")
        if not krav_id or not word.strip():
            raise UserError("learned.forget_usage")
        if not await self._criteria.forget_word(krav_id, word.strip()):
            raise UserError("learned.not_found", {"id": escape_markdown(krav_id[:40])})
        await AuditLog(self._node.store, self._node.clock).record(
            turn.aad_id or turn.user_id, "learned.forget", krav_id[:40]
        )
        return [message_card(turn.texts("learned.forgotten", id=escape_markdown(krav_id[:40])))]

    async def cmd_status(self, command: Command, turn: Turn) -> list[Card]:
        texts = turn.texts
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
        days = self._node.settings.secret_expires_in_days(self._node.clock.today())
        if days is not None:
            line += " " + texts("status.secret", days=days)
        outbox = await self._outbox.status()
        lines = [line, texts("status.outbox", backlog=sum(outbox.backlog.values()),
                             failed=sum(outbox.failed.values()))]  # fmt: skip
        zone = self._node.settings.zone
        for job in await job_states(self._node.store):
            name = texts(f"job.{job.name}")
            when = format_moment(job.last_ok, zone, texts.language) if job.last_ok else "–"
            if job.failures:
                lines.append(texts("status.job_failing", job=name, count=job.failures,
                                   error=job.error, when=when))  # fmt: skip
            else:
                lines.append(texts("status.job", job=name, when=when))
        return [message_card("\n\n".join(lines), title=texts("status.title"))]
