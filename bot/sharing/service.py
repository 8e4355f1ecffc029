"""Sharing market analyses and completed follow-ups: stored, posted to the regional sharing
channel, found by search and by lists; and how others followed up a criterion."""

from __future__ import annotations

import logging
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from bot.audit import AuditLog
from bot.channels import ChannelSettings
from bot.clock import Clock
from bot.criteria import CriteriaLibrary, split_krav_id
from bot.forms import Context, FormProblems
from bot.messaging import Card, Messenger, Person
from bot.outbox import Kind, Message, Outbox, Result, Sent, Skip
from bot.sharing.forms import ANALYSIS, FOLLOWUP_REPORT, ROWS
from bot.sharing.models import FollowUpCheck, FollowUpReport, MarketAnalysis
from bot.sharing.repository import SharedItem, SharedItems
from bot.storage import Store

log = logging.getLogger(__name__)

# A check that found the requirement not (fully) met.
DEVIATIONS = frozenset({"delvis", "ej uppfyllt"})


SHARED_POST = "shared.post"  # a shared item posted to the sharing channel (the outbox kind)


class SharedCards(Protocol):
    """The presentation's part: a shared item as the sharing channel shows it."""

    def item(self, item: SharedItem) -> Card: ...


@dataclass(frozen=True)
class FollowUpSummary:
    reports: list[FollowUpReport]
    methods: Counter[str]
    results: Counter[str]
    # Per method, the checks that found a deviation: whether a supplier's own declaration is
    # enough for this criterion, or only a sample or an audit shows anything.
    deviations: Counter[str] = field(default_factory=Counter)


class SharingService:
    def __init__(
        self,
        store: Store,
        messenger: Messenger,
        library: CriteriaLibrary,
        clock: Clock,
        outbox: Outbox,
        cards: SharedCards,
    ) -> None:
        self._store = store
        self._messenger = messenger
        self._library = library
        self._clock = clock
        self._outbox = outbox
        self._cards = cards
        # The shared follow-ups as of a library revision: every criteria answer shows how
        # others followed its hits up, and sharing one bumps the revision (sources_changed),
        # so an answer reads none of them while nothing new was shared.
        self._followups_at: tuple[int, list[FollowUpReport]] | None = None
        outbox.declare(Kind(SHARED_POST, self._send_post))
        self._channels = ChannelSettings(store)
        self._items = SharedItems(store)
        self._audit = AuditLog(store, clock)

    async def sharing_channel(self) -> str:
        return await self._channels.get("sharing_channel")

    async def set_sharing_channel(self, conversation_id: str, by: str) -> None:
        channel = await self._channels.set("sharing_channel", conversation_id)
        await self._audit.record(by or "system", "sharing_channel.set", channel)

    async def item(self, item_id: str) -> SharedItem | None:
        return await self._items.get(item_id)

    def _new_id(self, prefix: str) -> str:
        """Ordered by when it was shared; the random tail keeps two at one instant apart."""
        return f"{prefix}{int(self._clock.time() * 1000)}{secrets.token_hex(2)}"

    def context(self) -> Context:
        return Context(self._clock.today())

    async def share_analysis(self, person: Person, values: dict[str, str]) -> MarketAnalysis:
        values = ANALYSIS.clean(values)
        problems = ANALYSIS.check(values, self.context())
        if problems:
            raise FormProblems(problems)
        item = MarketAnalysis(
            id=self._new_id("MA"),
            title=values["title"].strip(),
            area=values["area"],
            product_group=values.get("product_group", "").strip(),
            municipality=values["municipality"],
            date=values["date"],
            suppliers_consulted=int(values["suppliers_consulted"]),
            summary=values["summary"].strip(),
            findings=values.get("findings", "").strip(),
            link=values["link"].strip(),
            contact=values["contact"].strip(),
            shared_by=person.user_id,
            shared_at=self._clock.time(),
        )
        await self._items.add(item)
        await self._library.sources_changed()
        return item

    async def share_followup(self, person: Person, values: dict[str, str]) -> FollowUpReport:
        values = FOLLOWUP_REPORT.clean(values)
        problems = FOLLOWUP_REPORT.check(values, self.context())
        if problems:
            raise FormProblems(problems)
        checks = tuple(
            FollowUpCheck(values[f"krav_{n}"].strip(), values[f"method_{n}"], values[f"result_{n}"])
            for n in range(1, ROWS + 1)
            if values.get(f"krav_{n}", "").strip()
        )
        item = FollowUpReport(
            id=self._new_id("FU"),
            agreement=values["agreement"].strip(),
            supplier=values.get("supplier", "").strip(),
            area=values["area"],
            municipality=values["municipality"],
            date=values["date"],
            checks=checks,
            findings=values.get("findings", "").strip(),
            link=values.get("link", "").strip(),
            shared_by=person.user_id,
            shared_at=self._clock.time(),
        )
        await self._items.add(item)
        await self._library.sources_changed()
        return item

    async def post(self, item: SharedItem) -> None:
        """Post a shared item to the sharing channel (through the outbox: retried when Teams
        fails; the item is stored and found either way)."""
        await self._outbox.send(SHARED_POST, item.id, {"item": item.id})

    async def _send_post(self, message: Message) -> Result:
        channel = await self.sharing_channel()
        item = await self.item(message.data["item"])
        if not channel or item is None:
            return Skip("no sharing channel, or the item is gone")
        await self._messenger.to_channel(channel, self._cards.item(item))
        return Sent()

    async def analyses(
        self, area: str = "", municipality: str = "", max_age_days: int = 0
    ) -> list[MarketAnalysis]:
        return self._filtered(await self._items.analyses(), area, municipality, max_age_days)

    async def followups(
        self, area: str = "", municipality: str = "", max_age_days: int = 0
    ) -> list[FollowUpReport]:
        return self._filtered(await self._items.followups(), area, municipality, max_age_days)

    def _filtered(
        self, items: list[Any], area: str, municipality: str, max_age_days: int
    ) -> list[Any]:
        today = self._clock.today()
        oldest = (today - timedelta(days=max_age_days)).isoformat() if max_age_days else ""
        kept = [
            item
            for item in items
            if (not area or item.area == area)
            and (not municipality or item.municipality.lower() == municipality.lower())
            and item.date >= oldest
        ]
        return sorted(kept, key=lambda item: item.date, reverse=True)

    async def followups_for(self, krav_id: str) -> FollowUpSummary:
        return (await self.followups_for_each([krav_id]))[krav_id]

    async def followups_for_each(self, krav_ids: list[str]) -> dict[str, FollowUpSummary]:
        """How others followed each criterion up, from the shared follow-ups read once per
        library revision."""
        revision = self._library.revision
        if self._followups_at is None or self._followups_at[0] != revision:
            self._followups_at = (revision, await self.followups())
        reports = self._followups_at[1]
        out: dict[str, FollowUpSummary] = {}
        for krav_id in krav_ids:
            base = split_krav_id(krav_id)[0]
            summary = FollowUpSummary([], Counter[str](), Counter[str]())
            for report in reports:
                checks = [c for c in report.checks if split_krav_id(c.krav_id)[0] == base]
                if checks:
                    summary.reports.append(report)
                    summary.methods.update(c.method for c in checks)
                    summary.results.update(c.result for c in checks)
                    summary.deviations.update(c.method for c in checks if c.result in DEVIATIONS)
            out[krav_id] = summary
        return out
