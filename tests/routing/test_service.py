"""The routing core against a recording Messenger: what is stored, sent and updated."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.clock import Clock
from bot.criteria import CriteriaLibrary
from bot.i18n import UserError, texts_for
from bot.outbox import Outbox
from bot.routing import NetworkRepository, Outcome, Person, RoutingService
from bot.routing.service import ESCALATE, POST
from bot.routing.tickets import ANSWERED, CLAIMED, OPEN
from bot.storage import Store
from cards import TicketCards
from tests.conftest import ZONE
from tests.routing.conftest import AREA, RecordingMessenger, network_of
from tests.support.connector import card_text

pytestmark = pytest.mark.calendar
ASKER = Person("29:asker", "aad-asker", "Alex Wilber", "sv-SE")
CHANNEL = "19:experts@thread.tacv2"


def said(outcome: Outcome) -> str:
    """What the person who acted is told, in Swedish."""
    return outcome.notice.message(texts_for("sv")) if outcome.notice else ""


def expert_person(n: int) -> Person:
    return Person(f"29:expert-{n}", f"aad-expert-{n}", f"Expert {n}", "sv-SE")


def routing_service(
    store: Store, clock: Clock, library: CriteriaLibrary, messenger: RecordingMessenger
) -> tuple[RoutingService, Outbox]:
    """Routing as the node wires it, with an outbox of its own."""
    outbox = Outbox(store, clock)
    return RoutingService(store, messenger, library, TicketCards(ZONE), clock, outbox), outbox


@pytest.fixture
async def routing(store: Store, clock: Clock) -> tuple[RoutingService, RecordingMessenger]:
    await NetworkRepository(store).save(network_of(20, clock.now()))
    library = CriteriaLibrary(store, clock)
    await library.load()
    messenger = RecordingMessenger()
    service, _ = routing_service(store, clock, library, messenger)
    await service.set_experts_channel(CHANNEL)
    return service, messenger


async def escalated(service: RoutingService) -> int:
    """A background round's outbox run: how many tickets it escalated."""
    return (await service._outbox.run()).count(ESCALATE)


async def ask(
    service: RoutingService, question: str = "Kan vi kräva biogas i stället för HVO?"
) -> int:
    ticket, _ = await service.ask(ASKER, question, AREA, "Lund", True)
    return ticket.number


async def test_a_question_is_stored_posted_in_the_channel_and_sent_to_the_on_call_expert(
    routing: tuple[RoutingService, RecordingMessenger],
) -> None:
    service, messenger = routing
    ticket, experts = await service.ask(ASKER, "Kan vi kräva biogas?", AREA, "Lund", True)
    assert [e.name for e in experts] == ["Expert 2"]  # this week's in the rotation
    stored = await service.get(ticket.number)
    assert stored.posted
    assert stored.channel_activity_id == "post-1"
    ((channel, card),) = messenger.channel_posts
    assert channel == CHANNEL
    assert "Kan vi kräva biogas?" in card_text(card)
    assert card["msteams"]["entities"][0]["mentioned"]["id"] == "29:expert-2"
    assert "29:asker" in card["refresh"]["userIds"]
    (direct,) = messenger.direct_to("29:expert-2")
    assert "Ta ärendet" in card_text(direct)


@pytest.mark.parametrize(
    ("question", "area", "municipality", "key"),
    [
        ("kort", AREA, "Lund", "ask.error.question"),
        ("x" * 2001, AREA, "Lund", "ask.error.question"),
        ("En riktig fråga om bilar", "rymden", "Lund", "ask.error.area"),
        ("En riktig fråga om bilar", AREA, "Stockholm", "ask.error.municipality"),
    ],
)
async def test_an_invalid_question_stores_nothing(
    routing: tuple[RoutingService, RecordingMessenger],
    question: str,
    area: str,
    municipality: str,
    key: str,
) -> None:
    service, messenger = routing
    with pytest.raises(UserError) as raised:
        await service.ask(ASKER, question, area, municipality, True)
    assert raised.value.key == key
    assert await service.asked_by(ASKER) == []
    assert messenger.channel_posts == []


async def test_twenty_concurrent_claims_have_exactly_one_winner(
    routing: tuple[RoutingService, RecordingMessenger],
) -> None:
    service, messenger = routing
    number = await ask(service)
    outcomes = await asyncio.gather(
        *(service.claim(number, expert_person(n)) for n in range(1, 21))
    )
    winners = [o for o in outcomes if o.ticket.state == CLAIMED and "Du har tagit" in said(o)]
    assert len(winners) == 1
    losers = [o for o in outcomes if "Redan tagen av" in said(o)]
    assert len(losers) == 19
    stored = await service.get(number)
    assert stored.assignee == winners[0].ticket.assignee
    assert len(messenger.updates) == 1
    (notice,) = messenger.direct_to("29:asker")
    assert "har tagit din fråga" in card_text(notice)


async def test_only_experts_claim_and_answered_tickets_stay_closed(
    routing: tuple[RoutingService, RecordingMessenger],
) -> None:
    service, _ = routing
    number = await ask(service)
    refused = await service.claim(number, ASKER)
    assert "Bara registrerade" in said(refused)
    assert (await service.get(number)).state == OPEN
    await service.claim(number, expert_person(1))
    await service.answer(number, expert_person(1), "Ja, det går bra.", publish=False)
    again = await service.claim(number, expert_person(2))
    assert "redan besvarat" in said(again)
    # A second "Skicka svar" (a double click) is told the answer is sent, and changes nothing.
    twice = await service.answer(number, expert_person(1), "Ett till svar", publish=False)
    assert "Svaret är skickat" in said(twice)
    assert (await service.get(number)).answer == "Ja, det går bra."
    with pytest.raises(UserError):
        await service.answer(number, expert_person(2), "Ett till svar", publish=False)


async def test_an_empty_answer_re_shows_the_form_and_changes_nothing(
    routing: tuple[RoutingService, RecordingMessenger],
) -> None:
    service, _ = routing
    number = await ask(service)
    await service.claim(number, expert_person(1))
    outcome = await service.answer(number, expert_person(1), "   ", publish=False)
    assert "Skriv ett svar" in said(outcome)
    assert (await service.get(number)).state == CLAIMED
    long = await service.answer(number, expert_person(1), "x" * 4001, publish=False)
    assert "högst 4000" in said(long)
    assert (await service.get(number)).state == CLAIMED


async def test_the_answer_reaches_the_asker_and_with_consent_the_knowledge_base(
    routing: tuple[RoutingService, RecordingMessenger], clock: Clock
) -> None:
    service, messenger = routing
    number = await ask(service, "Kan vi kräva biogas och utesluta HVO i sopbilar?")
    await service.claim(number, expert_person(2))
    clock.advance(timedelta(hours=1))
    outcome = await service.answer(
        number, expert_person(2), "Ja, om kravet motiveras av lokala klimatmål.", publish=True
    )
    assert outcome.ticket.state == ANSWERED
    assert outcome.ticket.published
    assert outcome.ticket.seconds_to_answer == pytest.approx(3600)
    answer_card = messenger.direct_to("29:asker")[-1]
    text = card_text(answer_card)
    assert "lokala klimatmål" in text
    assert "Följdfråga" in text
    assert "Hjälpte det?" in text
    hits = service._library.search("utesluta HVO biogas", 3)
    assert hits[0].document.kind == "answer"
    assert "Alex" not in str(hits[0].document.fields)


async def test_without_consent_the_answer_is_not_published(
    routing: tuple[RoutingService, RecordingMessenger],
) -> None:
    service, _ = routing
    ticket, _ = await service.ask(ASKER, "En privat fråga om laddstolpar", AREA, "Lund", False)
    await service.claim(ticket.number, expert_person(1))
    outcome = await service.answer(ticket.number, expert_person(1), "Svar", publish=True)
    assert not outcome.ticket.published


async def test_release_and_reassign(routing: tuple[RoutingService, RecordingMessenger]) -> None:
    service, messenger = routing
    number = await ask(service)
    await service.claim(number, expert_person(1))
    with pytest.raises(UserError):
        await service.release(number, expert_person(2))  # not theirs
    moved = await service.reassign(number, expert_person(1), "aad-expert-5")
    assert moved.ticket.assignee == "aad-expert-5"
    assert "lämnat över" in card_text(messenger.direct_to("29:expert-5")[-1])
    released = await service.release(number, expert_person(5))
    assert released.ticket.state == OPEN
    assert not released.ticket.assignee


async def test_unclaimed_tickets_escalate_after_four_working_hours(
    routing: tuple[RoutingService, RecordingMessenger], clock: Clock
) -> None:
    service, messenger = routing
    number = await ask(service)
    deadline = (await service.get(number)).deadline
    assert deadline - clock.time() >= 4 * 3600  # four working hours, or more over a night
    clock.set(clock.local(deadline - 60))
    assert await escalated(service) == 0
    clock.set(clock.local(deadline + 60))
    assert await escalated(service) == 1
    ticket = await service.get(number)
    assert ticket.escalation == 1
    assert ticket.notified == ("aad-expert-2", "aad-expert-3")  # next in the rotation
    assert "nästa expert" in card_text(messenger.updates[-1][2])
    clock.set(clock.local(ticket.deadline + 60))  # past the next deadline: everyone in the area
    assert await escalated(service) == 1
    ticket = await service.get(number)
    assert ticket.escalation == 2
    assert len(ticket.notified) == 20
    clock.set(clock.local(ticket.deadline + 60))
    assert await escalated(service) == 0  # nobody left to escalate to


async def test_a_claimed_ticket_does_not_escalate(
    routing: tuple[RoutingService, RecordingMessenger], clock: Clock
) -> None:
    service, _ = routing
    number = await ask(service)
    await service.claim(number, expert_person(1))
    clock.advance(timedelta(days=6))
    assert await escalated(service) == 0
    assert (await service.get(number)).escalation == 0


async def test_a_stored_but_unposted_ticket_is_delivered_later(store: Store, clock: Clock) -> None:
    """Teams failed the channel post: a later round posts it, once; the expert's 1:1, which
    went through, is not sent again."""
    await NetworkRepository(store).save(network_of(3, clock.now()))
    library = CriteriaLibrary(store, clock)

    class Failing(RecordingMessenger):
        async def to_channel(self, channel_id: str, card: dict) -> str:  # type: ignore[type-arg]
            raise ConnectionError("Teams is unreachable")

    failing = Failing()
    first, _ = routing_service(store, clock, library, failing)
    await first.set_experts_channel(CHANNEL)
    stored, experts = await first.ask(ASKER, "Vad gäller för elbussar?", AREA, "Lund", True)
    assert not stored.posted
    assert [e.name for e in experts] == ["Expert 2"]
    assert len(failing.direct_to("29:expert-2")) == 1
    later = RecordingMessenger()
    second, outbox = routing_service(store, clock, library, later)  # another instance
    assert (await outbox.run()).count(POST) == 0  # the failed post waits a little first
    clock.advance(timedelta(seconds=6))
    assert (await outbox.run()).count(POST) == 1
    assert len(later.channel_posts) == 1
    assert later.direct == []
    assert (await outbox.run()).count(POST) == 0  # never twice
    (ticket,) = await second.asked_by(ASKER)
    assert ticket.posted
