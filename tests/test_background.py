"""The background round as an operator of a region's node relies on it: jobs that fail alone
and say so, nudges that survive a missed day, a Teams 5xx or a person not reachable yet, and
a round that never reads the history."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from bot.app import Background, Services, build_services
from bot.clock import Clock
from bot.digest import Subscription
from bot.jobs import job_states
from bot.messaging import Person, Unavailable
from bot.node import Node
from bot.storage import Record
from tests.conftest import backend_settings
from tests.routing.conftest import RecordingMessenger
from tests.support.processes import Azurite

pytestmark = pytest.mark.calendar
ANNA = Person("29:anna", "aad-anna", "Anna Andersson", "sv-SE")


class Teams(RecordingMessenger):
    """Records what went out; answers 503 to people in `failing` a number of times."""

    def __init__(self) -> None:
        super().__init__()
        self.failing: dict[str, int] = {}

    async def to_person(self, user_id: str, card: dict[str, Any]) -> bool:
        if self.failing.get(user_id, 0) > 0:
            self.failing[user_id] -= 1
            raise Unavailable("503")
        return await super().to_person(user_id, card)


class Directory:
    def __init__(self) -> None:
        self.known: dict[str, Person] = {}

    async def person(self, who: str) -> Person | None:
        return self.known.get(who)

    async def emails_of(self, user_id: str) -> frozenset[str]:
        return frozenset(e for e, p in self.known.items() if p.user_id == user_id)


class Node_:
    def __init__(self, services: Services, teams: Teams, people: Directory, clock: Clock) -> None:
        self.services, self.teams, self.people, self.clock = services, teams, people, clock
        self.background = Background(services)

    async def plan(self, announce: date) -> str:
        """Lund's plan to be announced that month, Anna its contact; its key."""
        start = (announce + relativedelta(months=6)).replace(day=1)
        plan = await self.services.procurements.register(
            {"municipality": "Lund", "title": "Städ", "area": "stad-och-kemikalier",
             "announce": f"{announce:%Y-%m}", "contract_start": start.isoformat(),
             "contact": "anna@lund.se"}, "x",
        )  # fmt: skip
        return plan.key

    def nudges(self) -> int:
        return len(self.teams.direct_to(ANNA.user_id))


@pytest.fixture(params=["sqlite", "azure"])
async def node(
    request: pytest.FixtureRequest, tmp_path: Path, azurite: Azurite, clock: Clock
) -> AsyncIterator[Node_]:
    opened = await Node.open(backend_settings(request.param, tmp_path, azurite), clock=clock)
    teams, people = Teams(), Directory()
    services = await build_services(opened, teams, directory=people)
    yield Node_(services, teams, people, clock)
    await opened.close()


async def test_a_nudge_due_on_a_day_without_a_round_comes_the_next_day(node: Node_) -> None:
    node.people.known["anna@lund.se"] = ANNA
    # Announced in a month that begins more than ten weeks and a few days from now.
    announce = (node.clock.today() + timedelta(weeks=12)).replace(day=1) + relativedelta(months=1)
    key = await node.plan(announce)
    plan = await node.services.procurements.get(key)
    assert plan is not None
    nudge_day = plan.announce - timedelta(weeks=10)
    assert nudge_day > node.clock.today()
    await node.background.round()
    assert node.nudges() == 0  # not yet
    node.clock.set(node.clock.now() + (nudge_day - node.clock.today()) + timedelta(days=2))
    await node.background.round()  # the node was down on the day itself
    assert node.nudges() == 1


async def test_a_teams_5xx_while_nudging_is_retried_and_the_rest_of_the_round_runs(
    node: Node_,
) -> None:
    node.people.known["anna@lund.se"] = ANNA
    node.teams.failing[ANNA.user_id] = 1
    await node.services.digest.subscriptions.save(Subscription("19:c@thread.tacv2", "t"))
    node.clock.set(_monday_morning(node.clock))
    await node.plan(node.clock.today() + timedelta(weeks=6))  # the nudge is due now
    await node.background.round()
    assert node.nudges() == 0  # Teams failed it
    assert [c for c, _ in node.teams.channel_posts] == ["19:c@thread.tacv2"]  # the digest ran
    node.clock.advance(timedelta(seconds=6))  # after the outbox's first backoff
    await node.background.round()
    assert node.nudges() == 1
    (plan,) = await node.services.procurements.all()
    assert plan.nudged_on


async def test_a_person_not_reachable_yet_is_not_recorded_as_nudged(node: Node_) -> None:
    await node.plan(node.clock.today() + timedelta(weeks=6))
    await node.background.round()
    (plan,) = await node.services.procurements.all()
    assert plan.nudged_on == ""  # waiting for Anna's first contact, not "nudged"
    node.people.known["anna@lund.se"] = ANNA
    await node.services.outbox.wake(["anna@lund.se"])  # she opens the bot
    await node.background.round()
    assert node.nudges() == 1


async def test_a_failing_job_stops_no_other_and_status_says_which(node: Node_) -> None:
    await node.services.digest.subscriptions.save(Subscription("19:c@thread.tacv2", "t"))
    node.clock.set(_monday_morning(node.clock))

    async def broken() -> int:
        raise RuntimeError("a bug in the housekeeping")

    background = Background(node.services, housekeeping=[broken])
    await background.round()
    assert [c for c, _ in node.teams.channel_posts] == ["19:c@thread.tacv2"]  # digest went out
    states = {s.name: s for s in await job_states(node.services.node.store)}
    assert states["housekeeping"].failures == 1
    assert states["housekeeping"].error == "RuntimeError"
    assert states["outbox"].failures == 0
    assert states["outbox"].last_ok is not None


async def test_a_round_reads_no_ticket_however_many_were_asked(node: Node_) -> None:
    store = node.services.node.store
    for n in range(1, 201):  # the history: answered tickets
        await store.upsert("tickets", Record("t", f"{n:07d}", {"number": n}))
    read: list[str] = []
    original = store.query

    async def counting(table: str, partition: str | None = None) -> list[Record]:
        read.append(table)
        return await original(table, partition)

    store.query = counting  # type: ignore[method-assign]
    try:
        await node.background.round()
        node.clock.advance(timedelta(minutes=1))
        await node.background.round()
    finally:
        store.query = original  # type: ignore[method-assign]
    assert "tickets" not in read


def _monday_morning(clock: Clock) -> Any:
    now = clock.now()
    return (now - timedelta(days=now.weekday())).replace(hour=9, minute=0, second=0)
