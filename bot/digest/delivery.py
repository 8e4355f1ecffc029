"""Fan-out of one week's digest: exactly once per channel and ISO week, within Teams' limits.

Each channel's delivery is a record (week, channel): taken with a conditional insert before
sending, marked sent right after. Runs are exclusive (the caller holds a lease), so a
"sending" record left by another run belongs to a run that died: it is taken over. A run that
crashes thus resumes where it stopped; the one case where a card could arrive twice is a crash
between Teams accepting it and the mark, the narrowest window the platform allows.
429 waits Retry-After, 5xx retries with jittered backoff, 403/404 pauses the subscription.
A rate limiter (default 40 requests/s) paces it.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from aiolimiter import AsyncLimiter

from bot import telemetry
from bot.clock import Clock
from bot.digest.subscriptions import Subscription, SubscriptionRepository
from bot.messaging import Gone, Messenger, Throttled, Unavailable
from bot.storage import AlreadyExistsError, ConcurrencyError, Record, Store

log = logging.getLogger(__name__)
DELIVERIES = "digestdeliveries"
MAX_ATTEMPTS = 8
Card = dict[str, Any]


@dataclass
class RunReport:
    week: str
    sent: int = 0
    already_sent: int = 0
    skipped_quiet: int = 0
    gone: int = 0
    failed: int = 0
    throttled: int = 0
    busy_elsewhere: int = 0
    channels: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.failed == 0 and self.busy_elsewhere == 0


class DigestSender:
    TABLES: ClassVar[dict[str, str]] = {DELIVERIES: ""}  # channels and weeks

    def __init__(
        self,
        store: Store,
        messenger: Messenger,
        clock: Clock,
        rate_per_s: float = 40.0,
        concurrency: int = 16,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._store = store
        self._messenger = messenger
        self._limiter = AsyncLimiter(rate_per_s, 1.0)
        self._concurrency = concurrency
        self._sleep = sleep
        self._clock = clock
        self._subscriptions = SubscriptionRepository(store)

    async def run(
        self,
        week: str,
        subscriptions: list[Subscription],
        card_for: Callable[[Subscription], Card | None],
        run_id: str = "",
        keep_alive: Callable[[], Awaitable[bool]] | None = None,
    ) -> RunReport:
        """Deliver to every active subscription; `keep_alive` renews the caller's lease."""
        report = RunReport(week)
        gate = asyncio.Semaphore(self._concurrency)
        run_id = run_id or uuid.uuid4().hex

        stopping: list[BaseException] = []

        async def one(subscription: Subscription) -> None:
            async with gate:
                if stopping:  # a delivery died: start no new ones
                    return
                if keep_alive is not None:
                    await keep_alive()
                try:
                    await self._deliver(week, subscription, card_for, report, run_id)
                except BaseException as error:
                    stopping.append(error)
                    raise

        # When one delivery dies, the ones already sending finish and record it (so a resumed
        # run does not send them again), no new ones start, and the failure is raised after.
        outcomes = await asyncio.gather(
            *(one(s) for s in subscriptions if s.active), return_exceptions=True
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
        return report

    async def _claim(self, week: str, channel: str, run_id: str) -> Record | str:
        """The delivery record to send under, or "sent" / "busy" when not ours to send."""
        now = self._clock.time()
        fresh = Record(week, channel, {"state": "sending", "since": now, "run": run_id})
        try:
            return await self._store.insert(DELIVERIES, fresh)
        except AlreadyExistsError:
            current = await self._store.get(DELIVERIES, week, channel)
        if current is None:
            return "busy"
        state = current.data.get("state")
        if state in ("sent", "quiet", "gone"):
            return "sent"
        if current.data.get("run") == run_id:
            return "busy"  # this run's own claim: being sent right now
        try:  # a claim of another run: runs are exclusive, so that run is dead; take it over
            return await self._store.replace(
                DELIVERIES, Record(week, channel, fresh.data, current.etag)
            )
        except ConcurrencyError:
            return "busy"

    async def _mark(self, claim: Record, state: str, **details: Any) -> None:
        data = {**claim.data, "state": state, "at": self._clock.time(), **details}
        await self._store.replace(DELIVERIES, Record(claim.partition, claim.key, data, claim.etag))

    async def _deliver(
        self,
        week: str,
        subscription: Subscription,
        card_for: Callable[[Subscription], Card | None],
        report: RunReport,
        run_id: str,
    ) -> None:
        channel = subscription.channel_id
        claim = await self._claim(week, channel, run_id)
        if claim == "sent":
            report.already_sent += 1
            return
        if not isinstance(claim, Record):
            report.busy_elsewhere += 1
            return
        card = card_for(subscription)
        if card is None:
            await self._mark(claim, "quiet")
            report.skipped_quiet += 1
            return
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                async with self._limiter:
                    activity_id = await self._messenger.to_channel(channel, card)
            except Throttled as throttled:
                report.throttled += 1
                await self._sleep(max(throttled.retry_after, 0.0))
                continue
            except Unavailable:
                await self._sleep(min(30.0, 0.5 * 2**attempt) * (0.5 + random.random()))
                continue
            except Gone:
                await self._subscriptions.pause(channel, "removed")
                await self._mark(claim, "gone")
                report.gone += 1
                return
            await self._mark(claim, "sent", activity_id=activity_id)
            report.sent += 1
            telemetry.count("digests")
            report.channels.append(channel)
            return
        log.warning("digest not delivered after retries", extra={"attempts": MAX_ATTEMPTS})
        await self._store.delete(DELIVERIES, week, channel)  # free for the next run
        report.failed += 1
