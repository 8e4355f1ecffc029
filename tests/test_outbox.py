"""The one outbox on both backends: scheduling by due time with a cursor, claims, outcomes,
retries, waiting for a first contact, the duplicate window, and a round's cost."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from bot.clock import Clock
from bot.messaging import Gone, Throttled, Unavailable
from bot.outbox import (
    BACKOFF_S,
    FAILED,
    HOLD_S,
    MAX_TRIES,
    SENT,
    SKIPPED,
    UNCERTAIN,
    Kind,
    Later,
    Message,
    Outbox,
    Result,
    Retry,
    Sent,
    Skip,
    Wait,
)
from bot.personal import PersonRef
from bot.storage import Record, Store

pytestmark = pytest.mark.calendar


@dataclass
class Teams:
    """What reached people, and how Teams answers each key."""

    delivered: Counter[str] = field(default_factory=Counter)
    failing: dict[str, int] = field(default_factory=dict)  # key -> 5xx answers still to give
    throttled: dict[str, int] = field(default_factory=dict)
    gone: set[str] = field(default_factory=set)
    unknown: set[str] = field(default_factory=set)  # people not reachable yet
    order: list[str] = field(default_factory=list)

    async def send(self, message: Message) -> Result:
        key = message.key
        if self.failing.get(key, 0) > 0:
            self.failing[key] -= 1
            raise Unavailable("503")
        if self.throttled.get(key, 0) > 0:
            self.throttled[key] -= 1
            raise Throttled(0.5)
        if key in self.gone:
            raise Gone("404")
        if message.to in self.unknown:
            return Wait(message.to)
        self.delivered[key] += 1
        self.order.append(key)
        return Sent()


async def no_sleep(seconds: float) -> None:
    return None


def outbox_for(store: Store, clock: Clock, teams: Teams, **kinds: Any) -> Outbox:
    outbox = Outbox(store, clock, claim_seconds=90, sleep=no_sleep)
    outbox.declare(Kind("note", teams.send, group=lambda m: str(m.data.get("group", m.key))))
    outbox.declare(Kind("reminder", teams.send, after_crash="give_up"))
    for name, kind in kinds.items():
        outbox.declare(Kind(name, kind))
    return outbox


async def test_a_message_goes_out_once_and_a_future_one_on_its_day(
    store: Store, clock: Clock
) -> None:
    teams = Teams()
    outbox = outbox_for(store, clock, teams)
    await outbox.schedule("note", "now")
    await outbox.schedule("note", "later", due=clock.time() + 3 * 86400)
    assert (await outbox.run()).count("note") == 1
    assert (await outbox.run()).count("note") == 0  # never twice
    clock.advance(timedelta(days=3))
    assert (await outbox.run()).count("note") == 1
    assert teams.delivered == Counter({"now": 1, "later": 1})


async def test_days_without_a_round_are_caught_up_and_history_is_not_read(
    store: Store, clock: Clock
) -> None:
    teams = Teams()
    outbox = outbox_for(store, clock, teams)
    for n in range(5):  # one due on each of the next five days
        await outbox.schedule("note", f"day-{n}", due=clock.time() + n * 86400)
    await outbox.run()
    clock.advance(timedelta(days=6))  # the node was down for six days
    report = await outbox.run()
    assert report.count("note") == 4
    assert report.days_read == 8  # from the day before the first message up to today
    quiet = await outbox.run()
    assert quiet.count("note") == 0
    assert quiet.days_read == 2  # yesterday and today: never the finished days


async def test_two_rounds_at_once_send_each_message_once(store: Store, clock: Clock) -> None:
    teams = Teams()
    first, second = outbox_for(store, clock, teams), outbox_for(store, clock, teams)
    for n in range(30):
        await first.schedule("note", f"m{n}")
    await asyncio.gather(first.run(), second.run(), first.run())
    assert len(teams.delivered) == 30
    assert set(teams.delivered.values()) == {1}


async def test_a_failing_send_is_retried_with_backoff_then_given_up_and_counted(
    store: Store, clock: Clock
) -> None:
    teams = Teams(failing={"flaky": 2, "broken": 99})
    outbox = outbox_for(store, clock, teams)
    await outbox.schedule("note", "flaky")
    await outbox.schedule("note", "broken")
    await outbox.schedule("note", "fine")
    report = await outbox.run()
    assert report.count("note") == 1  # one failing message holds up nothing else
    assert teams.delivered == Counter({"fine": 1})
    for wait in (*BACKOFF_S, BACKOFF_S[-1]):
        assert (await outbox.run()).count("note") == 0  # not before its backoff
        clock.advance(wait)
        await outbox.run()
    assert teams.delivered["flaky"] == 1
    status = await outbox.status()
    assert status.failed == {"note": 1}
    assert status.backlog == {}
    stored = await store.query("outbox", f"f:{clock.today().isoformat()}")
    (given_up,) = [Message.from_record(r) for r in stored]
    assert (given_up.key, given_up.state, given_up.tries) == ("broken", FAILED, MAX_TRIES)


async def test_teams_429_is_waited_out_without_costing_a_try(store: Store, clock: Clock) -> None:
    teams = Teams(throttled={"busy": 2})
    outbox = outbox_for(store, clock, teams)
    await outbox.schedule("note", "busy")
    assert (await outbox.run()).count("note") == 1
    message = await outbox.find("note", "busy")
    assert message is not None
    assert message.tries == 1


async def test_a_message_waits_for_the_persons_first_contact(store: Store, clock: Clock) -> None:
    teams = Teams(unknown={"anna@lund.se"})
    outbox = outbox_for(store, clock, teams)
    await outbox.schedule("note", "welcome", to="Anna@Lund.se")
    assert (await outbox.run()).count("note", "waiting") == 1
    clock.advance(timedelta(days=2))
    assert (await outbox.run()).count("note", "waiting") == 0  # not read by every round
    teams.unknown.clear()
    assert await outbox.wake(["anna@lund.se"]) == 1
    assert (await outbox.run()).count("note") == 1
    assert teams.delivered == Counter({"welcome": 1})


@pytest.mark.parametrize(
    ("kind", "sent", "outcome"), [("note", 1, SENT), ("reminder", 0, UNCERTAIN)]
)
async def test_a_claim_left_by_a_dead_process_is_resent_or_recorded_as_uncertain(
    store: Store, clock: Clock, kind: str, sent: int, outcome: str
) -> None:
    """The documented window: the process died after claiming (maybe after Teams took it)."""
    teams = Teams()
    outbox = outbox_for(store, clock, teams)
    message = await outbox.schedule(kind, "interrupted")
    stored = await store.get("outbox", message.partition, message.row)
    assert stored is not None
    dead = {**stored.data, "state": "sending", "until": clock.time() + 90, "claim": "dead"}
    await store.replace("outbox", Record(stored.partition, stored.key, dead, stored.etag))
    assert (await outbox.run()).sent == 0  # the claim has not expired yet
    clock.advance(91)
    report = await outbox.run()
    assert report.count(kind, outcome) == 1
    assert teams.delivered["interrupted"] == sent
    after = await outbox.find(kind, "interrupted")
    assert after is not None
    assert after.resumed == 1  # marked: a repeat from the window, not a defect


async def test_the_same_message_scheduled_on_two_days_goes_out_once(
    store: Store, clock: Clock
) -> None:
    teams = Teams()
    outbox = outbox_for(store, clock, teams)
    await outbox.schedule("note", "twice")
    await outbox.run()
    clock.advance(timedelta(days=1))
    await outbox.schedule("note", "twice")  # e.g. a retried request on the next day
    report = await outbox.run()
    assert report.count("note", SKIPPED) == 1
    assert teams.delivered["twice"] == 1


async def test_a_group_goes_out_in_key_order_one_at_a_time(store: Store, clock: Clock) -> None:
    teams = Teams()
    outbox = outbox_for(store, clock, teams)
    for key in ("t1:c", "t1:a", "t2:a", "t1:b"):
        await outbox.schedule("note", key, {"group": key.split(":")[0]})
    await outbox.run()
    assert [k for k in teams.order if k.startswith("t1")] == ["t1:a", "t1:b", "t1:c"]


async def test_gone_retry_skip_and_later_outcomes(store: Store, clock: Clock) -> None:
    gone: list[str] = []
    tries: Counter[str] = Counter()

    async def decide(message: Message) -> Result:
        tries[message.key] += 1
        if message.key == "not-yet":
            return Retry("not landed", give_up_as=SKIPPED)
        if message.key == "moved" and tries["moved"] == 1:
            return Later(clock.time() + 86400)
        return Skip("nothing to say") if message.key == "stale" else Sent()

    async def removed(message: Message) -> None:
        gone.append(message.key)

    teams = Teams(gone={"removed"})
    outbox = outbox_for(store, clock, teams, decided=decide)
    outbox.declare(Kind("post", teams.send, on_gone=removed))
    for key in ("not-yet", "moved", "stale"):
        await outbox.schedule("decided", key)
    await outbox.schedule("post", "removed")
    report = await outbox.run()
    assert report.count("post", "gone") == 1
    assert gone == ["removed"]
    assert report.count("decided", SKIPPED) == 1
    assert report.count("decided", "later") == 1
    for _ in range(MAX_TRIES):
        clock.advance(BACKOFF_S[-1])
        await outbox.run()
    assert tries["not-yet"] == MAX_TRIES
    assert (await outbox.status()).failed == {}  # given up as skipped: nothing failed
    assert tries["moved"] == 1
    clock.advance(timedelta(days=1))  # its new day
    await outbox.run()
    assert tries["moved"] == 2


async def test_a_round_reads_what_is_due_not_the_history(store: Store, clock: Clock) -> None:
    teams = Teams()
    outbox = outbox_for(store, clock, teams)
    for n in range(300):
        await outbox.schedule("note", f"old-{n}")
    await outbox.run()
    clock.advance(timedelta(days=3))

    reads: list[str] = []
    original = store.query

    async def counting(table: str, partition: str | None = None) -> list[Record]:
        records = await original(table, partition)
        reads.extend(r.key for r in records)
        return records

    store.query = counting  # type: ignore[method-assign]
    try:
        await outbox.schedule("note", "new")
        assert (await outbox.run()).count("note") == 1
    finally:
        store.query = original  # type: ignore[method-assign]
    assert len(reads) <= 3  # the new message and the cursor's days, never the 300 sent


async def test_a_persons_messages_are_in_their_data_and_go_with_an_erasure(
    store: Store, clock: Clock
) -> None:
    teams = Teams(unknown={"anna@lund.se"})
    outbox = outbox_for(store, clock, teams)
    await outbox.schedule("note", "waiting", to="anna@lund.se")
    await outbox.schedule("note", "later", to="anna@lund.se", due=clock.time() + 10 * 86400)
    await outbox.schedule("note", "other", to="bo@malmo.se")
    await outbox.run()
    anna = PersonRef("29:anna", emails=frozenset({"anna@lund.se"}))
    exported = await outbox.export_person(anna)
    assert sorted(m["state"] for m in exported["messages_to_you"]) == ["pending", "pending"]
    assert await outbox.erase_person(anna) == 2
    assert (await outbox.export_person(anna))["messages_to_you"] == []
    clock.advance(timedelta(days=10))
    teams.unknown.clear()
    await outbox.wake(["anna@lund.se"])
    await outbox.run()
    assert teams.delivered == Counter({"other": 1})


async def test_a_message_its_request_sends_at_once_is_left_to_it_unless_the_request_dies(
    store: Store, clock: Clock
) -> None:
    teams = Teams()
    outbox = outbox_for(store, clock, teams)
    held = await outbox.schedule("note", "receipt", hold=True)
    assert (await outbox.run()).count("note") == 0  # a round in between leaves it be
    assert (await outbox.send_now([held])).count("note") == 1  # the request sends it
    dying = await outbox.schedule("note", "lost", hold=True)  # ...a request that then died
    assert dying.state == "pending"
    clock.advance(HOLD_S + 1)
    assert (await outbox.run()).count("note") == 1  # the round takes it after all
    assert teams.delivered == Counter({"receipt": 1, "lost": 1})
