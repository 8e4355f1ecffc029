"""The admins' view of the node: the audit log, what the search learned, and
status (storage, Graph, the outbox, the background jobs, the client secret)."""

from __future__ import annotations

from bot.audit import AuditLog
from bot.commands import Command, Group, Spec, T, Who
from bot.criteria import CriteriaLibrary
from bot.digest import DigestService
from bot.i18n import UserError
from bot.jobs import job_states
from bot.node import Node
from bot.outbox import Outbox
from bot.people import GraphClient
from bot.routing import RoutingService
from bot.storage.shapes import DataCheck
from bot.teams._routes import Handler, command
from bot.teams._turn import Card, Turn
from cards import (
    NodeStatus,
    audit_log_card,
    escape_markdown,
    learned_words_card,
    message_card,
    status_card,
)

AUDIT_EVENTS = 30


class AdminHandler(Handler):
    def __init__(
        self,
        node: Node,
        routing: RoutingService,
        digest: DigestService,
        outbox: Outbox,
        audit: AuditLog,
        graph: GraphClient | None,
        data: DataCheck,
    ) -> None:
        self._node = node
        self._library: CriteriaLibrary = node.criteria
        self._routing = routing
        self._digest = digest
        self._outbox = outbox
        self._audit = audit
        self._graph = graph
        self._data = data

    @command(Spec("audit_log", ("granskningslogg",), ("audit",), Group.ADMIN, Who.ADMIN))
    async def audit_log(self, command: Command, turn: Turn) -> list[Card]:
        events = await self._audit.recent(AUDIT_EVENTS)
        return [audit_log_card(events, self._node.clock.zone, turn.texts)]

    @command(Spec("status", ("status",), ("status",), Group.ADMIN, Who.ADMIN))
    async def status(self, command: Command, turn: Turn) -> list[Card]:
        node = self._node
        try:
            await node.store.ping()
            storage = "ok"
        except Exception:  # status reports it; it is not the admin's error
            storage = "?"
        graph = "off" if self._graph is None else ("ok" if await self._graph.reachable() else "!")
        status = NodeStatus(
            storage=storage, graph=graph, criteria=self._library.size,
            sample=self._library.is_sample, experts=len((await self._routing.network()).experts),
            subscriptions=len(await self._digest.subscriptions.all()),
            secret_days=node.settings.secret_expires_in_days(node.clock.today()),
            outbox=await self._outbox.status(), jobs=await job_states(node.store),
            damaged=self._data.damaged,
        )  # fmt: skip
        return [status_card(status, node.clock.zone, turn.texts)]

    @command(Spec("learned_words", ("inlärda ord",), ("learned words",), Group.ADMIN, Who.ADMIN))
    async def learned_words(self, command: Command, turn: Turn) -> list[Card]:
        learned = await self._library.learned_words()
        names = {krav_id: levels[0].name for krav_id in learned
                 if (levels := self._library.levels_of(krav_id))}  # fmt: skip
        return [learned_words_card(learned, names, turn.texts)]

    @command(Spec("forget_word", ("glöm ord",), ("forget word",), Group.ADMIN, Who.ADMIN,
                  argument=T))  # fmt: skip
    async def forget_word(self, command: Command, turn: Turn) -> list[Card]:
        krav_id, _, word = command.argument.strip().partition(" ")
        if not krav_id or not word.strip():
            raise UserError("learned.forget_usage")
        shown = escape_markdown(krav_id[:40])
        if not await self._library.forget_word(krav_id, word.strip()):
            raise UserError("learned.not_found", {"id": shown})
        await self._audit.record(turn.aad_id or turn.user_id, "learned.forget", krav_id[:40])
        return [message_card(turn.texts("learned.forgotten", id=shown))]
