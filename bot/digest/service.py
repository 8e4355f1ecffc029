"""The weekly digest: when it is due, composing each channel's card, and the fan-out.

Due from Monday 08:00 Europe/Stockholm (configurable) until the week's messages are
scheduled: one message per active subscription in the one outbox (kind "digest", key
week|channel), which sends each once, paced within Teams' limits, waiting out 429s, retrying
5xx with backoff and pausing a subscription whose channel answers 403/404. A run that dies
midway resumes where it stopped: a channel's message is sent again only when the process died
between Teams taking it and the record (the outbox's documented window)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import ClassVar, Protocol

from bot import telemetry
from bot.clock import Clock
from bot.config import Schedule
from bot.digest.content import WeekContent, iso_week, week_content
from bot.digest.subscriptions import Subscription, SubscriptionRepository
from bot.messaging import Card, Messenger
from bot.outbox import (
    GONE,
    PENDING,
    SENDING,
    SENT,
    SKIPPED,
    Kind,
    Message,
    Outbox,
    Result,
    Sent,
    Skip,
)
from bot.storage import Record, Store

WEEKS = "digestweeks"
DIGEST = "digest"  # the outbox kind
_CONTENT_TTL_S = 300.0


class DigestCards(Protocol):
    """The presentation's part: the digest card, in the node's language."""

    def digest(self, content: WeekContent) -> Card: ...


@dataclass
class RunReport:
    week: str
    sent: int = 0
    already_sent: int = 0
    skipped_quiet: int = 0
    gone: int = 0
    failed: int = 0  # not sent in this run: tried again by the next rounds
    channels: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.failed == 0


class DigestService:
    TABLES: ClassVar[dict[str, str]] = {WEEKS: ""}

    def __init__(
        self,
        store: Store,
        messenger: Messenger,
        cards: DigestCards,
        clock: Clock,
        outbox: Outbox,
        schedule: Schedule | None = None,
    ) -> None:
        self._store = store
        self._messenger = messenger
        self._cards = cards
        self._zone = clock.zone
        self._schedule = schedule or Schedule()
        self._clock = clock
        self._outbox = outbox
        self.subscriptions = SubscriptionRepository(store)
        self._content: tuple[float, WeekContent] | None = None
        outbox.declare(Kind(DIGEST, self._send, on_gone=self._gone))

    def send_time(self, now: datetime) -> datetime:
        monday = (now - timedelta(days=now.weekday())).date()
        day = monday + timedelta(days=self._schedule.weekday)
        return datetime(day.year, day.month, day.day, self._schedule.hour, self._schedule.minute,
                        tzinfo=self._zone)  # fmt: skip

    async def due(self) -> bool:
        """This week's digest is due and not yet scheduled."""
        now = self._clock.now()
        if now < self.send_time(now):
            return False
        return await self._store.get(WEEKS, "week", iso_week(now)) is None

    async def content(self) -> WeekContent:
        """This week's content, composed once for all the channels of a run."""
        now = self._clock.time()
        week = iso_week(self._clock.now())
        cached = self._content
        if cached is None or cached[1].week != week or not 0 <= now - cached[0] <= _CONTENT_TTL_S:
            cached = self._content = (now, await week_content(self._store, self._clock))
        return cached[1]

    def card(self, content: WeekContent, subscription: Subscription) -> Card | None:
        mine = content.for_areas(subscription.areas)
        if mine.quiet and subscription.skip_quiet:
            return None
        return self._cards.digest(mine)

    async def schedule_week(self, only_channel: str = "") -> list[Message]:
        """One message per active subscription for this week (the same week again: the same
        messages); the week counts as scheduled when every channel has its message."""
        week = iso_week(self._clock.now())
        messages = []
        for subscription in await self.subscriptions.all():
            if not subscription.active or (
                only_channel and subscription.channel_id != only_channel
            ):
                continue
            key = f"{week}|{subscription.channel_id}"
            data = {"week": week, "channel": subscription.channel_id}
            messages.append(await self._outbox.schedule(DIGEST, key, data))
        if not only_channel:
            done = {"channels": len(messages), "at": self._clock.time()}
            await self._store.upsert(WEEKS, Record("week", week, done))
        return messages

    async def run(self, only_channel: str = "") -> RunReport:
        """Schedule this week's digest (if not yet) and send what is due of it now."""
        messages = await self.schedule_week(only_channel)
        report = RunReport(iso_week(self._clock.now()))
        waiting = [m for m in messages if m.state in (PENDING, SENDING)]
        report.already_sent = len(messages) - len(waiting)
        outcome = await self._outbox.run([DIGEST])
        duplicates = outcome.count(DIGEST, "duplicate")  # sent on an earlier day of the week
        report.already_sent += duplicates
        report.sent = outcome.count(DIGEST, SENT)
        report.skipped_quiet = outcome.count(DIGEST, SKIPPED) - duplicates
        report.gone = outcome.count(DIGEST, GONE)
        settled = report.sent + report.skipped_quiet + report.gone + duplicates
        report.failed = max(0, len(waiting) - settled)
        return report

    async def _send(self, message: Message) -> Result:
        subscription = await self.subscriptions.get(message.data["channel"])
        if subscription is None or not subscription.active:
            return Skip("unsubscribed or paused")
        content = await self.content()
        if content.week != message.data["week"]:
            return Skip("a new week has begun")
        card = self.card(content, subscription)
        if card is None:
            return Skip("quiet week")
        activity_id = await self._messenger.to_channel(subscription.channel_id, card)
        telemetry.count("digests")
        return Sent({"activity_id": activity_id})

    async def _gone(self, message: Message) -> None:
        """403/404: the bot was removed from that team; its subscription pauses (kept)."""
        await self.subscriptions.pause(message.data["channel"], "removed")

    async def dry_run(self, only_channel: str = "") -> list[tuple[str, Card | None]]:
        content = await self.content()
        return [
            (s.channel_id, self.card(content, s))
            for s in await self.subscriptions.all()
            if s.active and (not only_channel or s.channel_id == only_channel)
        ]
