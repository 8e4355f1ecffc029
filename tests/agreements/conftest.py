from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta

from bot.agreements import FollowUpService, due_dates
from bot.agreements.service import REMINDER
from bot.clock import Clock
from bot.criteria import CriteriaLibrary
from bot.messaging import Person
from bot.outbox import Outbox
from bot.routing import NetworkRepository, RoutingService
from bot.sharing import SharedItems, SharingService
from bot.storage import Store
from cards import AgreementCards, SharedItemCards, TicketCards
from tests.conftest import ZONE
from tests.routing.conftest import RecordingMessenger, network_of

ANNA = Person("29:anna", "aad-anna", "Anna Andersson", "sv-SE")
BO = Person("29:bo", "aad-bo", "Bo Berg", "en-US")


@dataclass
class People:
    """The directory: who an address is in Teams."""

    known: dict[str, Person] = field(
        default_factory=lambda: {"anna@lund.se": ANNA, "bo@malmo.se": BO}
    )

    async def person(self, who: str) -> Person | None:
        return self.known.get(who)

    async def emails_of(self, user_id: str) -> frozenset[str]:
        return frozenset(e for e, p in self.known.items() if p.user_id == user_id)


@dataclass
class Setup:
    service: FollowUpService
    messenger: RecordingMessenger
    clock: Clock
    people: People
    outbox: Outbox
    library: CriteriaLibrary
    store: Store

    async def remind(self) -> int:
        """A background round: how many reminders went out."""
        return (await self.outbox.run()).count(REMINDER)


@pytest.fixture
async def setup(store: Store, clock: Clock) -> Setup:
    library = CriteriaLibrary(store, clock)
    library.add_source(SharedItems(store))
    await library.load()
    await NetworkRepository(store).save(network_of(3, clock.now()))
    messenger = RecordingMessenger()
    outbox = Outbox(store, clock)
    routing = RoutingService(store, messenger, library, TicketCards(ZONE), clock, outbox)
    sharing = SharingService(store, messenger, library, clock, outbox, SharedItemCards())
    people = People()
    service = FollowUpService(store, messenger, library, AgreementCards(), people, clock, routing,
                              sharing, outbox)  # fmt: skip
    return Setup(service, messenger, clock, people, outbox, library, store)


def start_for_first_due(today: date, days: int, interval: str = "kvartal") -> date:
    """An agreement start whose first follow-up (quarterly: three months on) is due `days`
    days after `today`, give or take the few days a short month takes off."""
    months = {"kvartal": 3, "halvar": 6, "ar": 12}[interval]
    return today + timedelta(days=days) - relativedelta(months=months)


def first_due(values: dict[str, str]) -> date:
    """When an agreement registered with `values` owes its first follow-up."""
    start, end = date.fromisoformat(values["start"]), date.fromisoformat(values["end"])
    return due_dates(start, end, values["interval"])[0]


def agreement(today: date, **change: str) -> dict[str, str]:
    """Lund's cleaning agreement, running, its first quarterly follow-up due in 13 days."""
    start = start_for_first_due(today, 13)
    values = {"municipality": "Lund", "title": "Lokalvård skolor", "area": "stad-och-kemikalier",
              "supplier": "Städbolaget AB", "org_number": "556036-0793",
              "start": start.isoformat(), "end": (start + relativedelta(years=2)).isoformat(),
              "responsible": "anna@lund.se", "criteria": "11567, 10855:1",
              "interval": "kvartal"}  # fmt: skip
    return {**values, **change}
