"""The digest fan-out: every subscribed channel gets exactly one card per week, whatever
Teams answers and however the run is interrupted."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, time, timedelta
from typing import Any

import pytest

from bot.clock import Clock
from bot.config import Schedule
from bot.digest import DigestService, Subscription, SubscriptionRepository
from bot.messaging import Gone, Throttled, Unavailable
from bot.outbox import Outbox
from bot.storage import Store
from cards import DigestCards
from tests.conftest import ZONE

pytestmark = pytest.mark.calendar


class FlakyTeams:
    """Answers like Teams under load: some 429s, some 5xx, some channels gone."""

    def __init__(
        self,
        throttle: set[str] | None = None,
        fail_twice: set[str] | None = None,
        gone: set[str] | None = None,
        crash_after: int = 0,
    ) -> None:
        self.delivered: Counter[str] = Counter()
        self.attempts: Counter[str] = Counter()
        self.hanging = asyncio.Event()  # set when the first send hangs
        self._throttle = throttle or set()
        self._fail_twice = fail_twice or set()
        self._gone = gone or set()
        self._crash_after = crash_after

    async def to_channel(self, channel_id: str, card: dict[str, Any]) -> str:
        self.attempts[channel_id] += 1
        if self._crash_after and sum(self.delivered.values()) >= self._crash_after:
            self.hanging.set()
            await asyncio.Event().wait()  # hangs: the process is about to die
        if channel_id in self._gone:
            raise Gone("404")
        if channel_id in self._throttle and self.attempts[channel_id] == 1:
            raise Throttled(0.01)
        if channel_id in self._fail_twice and self.attempts[channel_id] <= 2:
            raise Unavailable("503")
        self.delivered[channel_id] += 1
        return f"msg-{channel_id}"

    async def update(self, conversation_id: str, activity_id: str, card: dict[str, Any]) -> None:
        raise AssertionError("the digest never updates")

    async def to_person(self, user_id: str, card: dict[str, Any]) -> bool:
        return True


def sending_time(clock: Clock) -> datetime:
    """Monday 08:00 of the pinned instant's week, when the digest is due."""
    now = clock.now()
    monday = now.date() - timedelta(days=now.weekday())
    return datetime.combine(monday, time(8, 0), ZONE)


@pytest.fixture
def monday(clock: Clock) -> Clock:
    """The clock at half past eight on the Monday of the pinned instant's week."""
    clock.set(sending_time(clock) + timedelta(minutes=30))
    return clock


async def no_sleep(seconds: float) -> None:
    return None


async def subscribe(store: Store, count: int) -> list[str]:
    repository = SubscriptionRepository(store)
    channels = [f"19:channel-{n}@thread.tacv2" for n in range(count)]
    for channel in channels:
        await repository.save(Subscription(channel, "team-1"))
    return channels


def service(store: Store, teams: FlakyTeams, clock: Clock) -> DigestService:
    """The digest on an outbox of its own: one instance of the node."""
    outbox = Outbox(store, clock, rate_per_s=1000, sleep=no_sleep)
    return DigestService(store, teams, DigestCards(), clock, outbox, Schedule())


async def test_every_channel_gets_exactly_one_card_despite_429_5xx_and_removals(
    store: Store, monday: Clock
) -> None:
    channels = await subscribe(store, 40)
    teams = FlakyTeams(throttle=set(channels[::10]), fail_twice={channels[3]}, gone={channels[7]})
    digest = service(store, teams, monday)
    assert await digest.due()
    report = await digest.run()
    assert (report.sent, report.gone, report.failed) == (38, 1, 1)  # one 503: tried again
    assert not await digest.due()  # the week is scheduled
    for wait in (5, 15):  # the outbox's backoff
        monday.advance(wait)
        report = await digest.run()  # e.g. the timer endpoint called again
    assert report.sent == 1
    assert report.already_sent == 38  # the removed channel is not scheduled again
    assert set(teams.delivered.values()) == {1}
    assert len(teams.delivered) == 39
    paused = await SubscriptionRepository(store).get(channels[7])
    assert paused is not None
    assert not paused.active


async def test_a_run_that_dies_midway_resumes_without_doubles(store: Store, monday: Clock) -> None:
    channels = await subscribe(store, 30)
    clock = monday
    dying = FlakyTeams(crash_after=12)
    run = asyncio.create_task(service(store, dying, clock).run())
    await dying.hanging.wait()  # twelve sent, the rest hanging in Teams
    await asyncio.sleep(0.5)  # the twelve are recorded (nothing else can move)
    run.cancel()  # the process dies
    with pytest.raises(asyncio.CancelledError):
        await run
    assert sum(dying.delivered.values()) == 12
    clock.advance(120)  # the dead run's claims expire
    resumed = FlakyTeams()
    report = await service(store, resumed, clock).run()  # the node, restarted
    assert report.already_sent == 12
    assert report.sent == 18
    both = dying.delivered + resumed.delivered
    assert set(both) == set(channels)
    assert set(both.values()) == {1}


async def test_two_instances_at_once_send_each_channel_once(store: Store, monday: Clock) -> None:
    channels = await subscribe(store, 25)
    teams = FlakyTeams()
    first, second = service(store, teams, monday), service(store, teams, monday)
    await asyncio.gather(first.run(), second.run(), first.run())
    assert set(teams.delivered) == set(channels)
    assert set(teams.delivered.values()) == {1}


async def test_due_from_monday_morning_until_the_week_is_scheduled(
    store: Store, clock: Clock
) -> None:
    digest = service(store, FlakyTeams(), clock)
    # At the pinned instant, whatever it is: due once this week's Monday 08:00 has passed.
    assert await digest.due() == (clock.now() >= sending_time(clock))
    clock.set(sending_time(clock) - timedelta(minutes=1))
    assert not await digest.due()
    clock.set(sending_time(clock) + timedelta(days=6, hours=15))  # Sunday evening
    assert await digest.due()


async def test_a_quiet_week_gives_a_short_card_or_none_as_chosen(
    store: Store, monday: Clock
) -> None:
    repository = SubscriptionRepository(store)
    await repository.save(Subscription("19:loud@thread.tacv2", "t"))
    await repository.save(Subscription("19:silent@thread.tacv2", "t", skip_quiet=True))
    teams = FlakyTeams()
    report = await service(store, teams, monday).run()
    assert report.sent == 1
    assert report.skipped_quiet == 1
    assert list(teams.delivered) == ["19:loud@thread.tacv2"]
