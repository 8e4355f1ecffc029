from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.agreements import FollowUpService
from bot.criteria import CriteriaLibrary
from bot.messaging import Person
from bot.routing import NetworkRepository, RoutingService
from bot.sharing import SharedItems, SharingService
from bot.storage import Store
from cards import AgreementCards, TicketCards
from tests.routing.conftest import RecordingMessenger, network_of

ZONE = ZoneInfo("Europe/Stockholm")
ANNA = Person("29:anna", "aad-anna", "Anna Andersson", "sv-SE")
BO = Person("29:bo", "aad-bo", "Bo Berg", "en-US")


class Clock:
    def __init__(self, day: str) -> None:
        self.now = datetime.fromisoformat(day + "T09:00").replace(tzinfo=ZONE).timestamp()

    def __call__(self) -> float:
        return self.now

    def days(self, count: float) -> None:
        self.now += count * 86400


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


@pytest.fixture
async def setup(store: Store) -> Setup:
    clock = Clock("2026-11-27")
    library = CriteriaLibrary(store)
    library.add_source(SharedItems(store))
    await library.load()
    await NetworkRepository(store).save(network_of(3))
    messenger = RecordingMessenger()
    routing = RoutingService(store, messenger, library, TicketCards(ZONE), ZONE, clock=clock)
    sharing = SharingService(store, messenger, library, clock=clock)
    people = People()
    service = FollowUpService(store, messenger, library, AgreementCards(), people, ZONE, routing,
                              sharing, clock=clock)  # fmt: skip
    return Setup(service, messenger, clock, people)


def agreement(**change: str) -> dict[str, str]:
    values = {"municipality": "Lund", "title": "Lokalvård skolor", "area": "stad-och-kemikalier",
              "supplier": "Städbolaget AB", "org_number": "556036-0793",
              "start": "2026-09-10", "end": "2028-09-09", "responsible": "anna@lund.se",
              "criteria": "11567, 10855:1", "interval": "kvartal"}  # fmt: skip
    return {**values, **change}
