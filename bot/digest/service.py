"""The weekly digest: when it is due, composing each channel's card, and running the fan-out.

Due from Monday 08:00 Europe/Stockholm (configurable) until the week's run completes; the
background round checks every minute under the routing lease, so one instance runs it. A
week counts as done when every active subscription is sent, quiet, or gone."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import ClassVar, Protocol

from bot.clock import Clock
from bot.config import Schedule
from bot.digest.content import WeekContent, iso_week, week_content
from bot.digest.delivery import DigestSender, RunReport
from bot.digest.subscriptions import Subscription, SubscriptionRepository
from bot.messaging import Card, Messenger
from bot.storage import Lease, Record, Store

WEEKS = "digestweeks"


class DigestCards(Protocol):
    """The presentation's part: the digest card, in the node's language."""

    def digest(self, content: WeekContent) -> Card: ...


class DigestService:
    TABLES: ClassVar[dict[str, str]] = {WEEKS: ""}

    def __init__(
        self,
        store: Store,
        messenger: Messenger,
        cards: DigestCards,
        clock: Clock,
        rate_per_s: float = 40.0,
        schedule: Schedule | None = None,
        sender: DigestSender | None = None,
        lease_seconds: float = 60.0,
    ) -> None:
        self._store = store
        self._cards = cards
        self._zone = clock.zone
        self._schedule = schedule or Schedule()
        self._clock = clock
        self.subscriptions = SubscriptionRepository(store)
        self._sender = sender or DigestSender(store, messenger, clock, rate_per_s)
        holder = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._lease = Lease(store, "digest", holder, lease_seconds, clock)
        self._lease_seconds = lease_seconds
        self._renewed_at = float("-inf")

    def _now(self) -> datetime:
        return self._clock.now()

    def send_time(self, now: datetime) -> datetime:
        monday = (now - timedelta(days=now.weekday())).date()
        day = monday + timedelta(days=self._schedule.weekday)
        return datetime(day.year, day.month, day.day, self._schedule.hour, self._schedule.minute,
                        tzinfo=self._zone)  # fmt: skip

    async def due(self) -> bool:
        now = self._now()
        if now < self.send_time(now):
            return False
        return await self._store.get(WEEKS, "week", iso_week(now)) is None

    async def content(self) -> WeekContent:
        return await week_content(self._store, self._clock)

    def card(self, content: WeekContent, subscription: Subscription) -> Card | None:
        mine = content.for_areas(subscription.areas)
        if mine.quiet and subscription.skip_quiet:
            return None
        return self._cards.digest(mine)

    async def _keep_alive(self) -> bool:
        """Renew the run's lease when half of it has passed."""
        if self._clock.time() - self._renewed_at < self._lease_seconds / 2:
            return True
        self._renewed_at = self._clock.time()
        return await self._lease.acquire()

    async def run(self, only_channel: str = "") -> RunReport:
        content = await self.content()
        if not await self._lease.acquire():  # another instance is running it right now
            return RunReport(content.week, busy_elsewhere=1)
        self._renewed_at = self._clock.time()
        subscriptions = [
            s
            for s in await self.subscriptions.all()
            if not only_channel or s.channel_id == only_channel
        ]
        report = await self._sender.run(
            content.week,
            subscriptions,
            lambda s: self.card(content, s),
            run_id=uuid.uuid4().hex,
            keep_alive=self._keep_alive,
        )
        if report.complete and not only_channel:
            data = {"sent": report.sent, "at": self._clock.time()}
            await self._store.upsert(WEEKS, Record("week", content.week, data))
        return report

    async def dry_run(self, only_channel: str = "") -> list[tuple[str, Card | None]]:
        content = await self.content()
        return [
            (s.channel_id, self.card(content, s))
            for s in await self.subscriptions.all()
            if s.active and (not only_channel or s.channel_id == only_channel)
        ]
