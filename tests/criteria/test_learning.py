"""Learning from the network: an expert's published answer that cites a Krav ID, or three
different people saying "Ja", teach the search the words people use; with guards."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bot.clock import Clock
from bot.criteria import CriteriaLibrary
from bot.criteria.learning import LEARNED, LearnedWords, new_words, person_key
from bot.outbox import Outbox
from bot.personal import PersonRef
from bot.storage import Store
from cards import TicketCards
from tests.conftest import ZONE
from tests.routing.conftest import AREA, RecordingMessenger, network_of
from tests.routing.test_service import expert_person

QUESTION = "koldioxidavtryck för nya servrar och datorer"


def _top3(library: CriteriaLibrary, question: str) -> list[str]:
    return [library.describe(h)["id"] for h in library.search(question, 3)]


async def test_a_published_expert_answer_citing_a_krav_id_teaches_the_search(
    store: Store, clock: Clock
) -> None:
    from bot.routing import NetworkRepository, RoutingService
    from tests.routing.test_service import ASKER, CHANNEL

    await NetworkRepository(store).save(network_of(3, clock.now()))
    library = CriteriaLibrary(store, clock)
    await library.load()
    assert "11550" not in _top3(library, QUESTION)  # the one everyday miss
    service = RoutingService(store, RecordingMessenger(), library, TicketCards(ZONE), clock,
                             Outbox(store, clock))  # fmt: skip
    await service.set_experts_channel(CHANNEL)
    ticket, _ = await service.ask(ASKER, QUESTION, AREA, "Lund", True)
    await service.claim(ticket.number, expert_person(1))
    answer = "Ställ kravet 11550 (klimatdeklaration enligt ISO 14067) på avancerad nivå."
    await service.answer(ticket.number, expert_person(1), answer, publish=True)
    await library.refresh_if_changed()
    await library.load()  # as every instance does within 10 s of the revision bump
    assert "11550" in _top3(library, QUESTION)
    assert "11550" in _top3(library, "koldioxidavtryck servrar")  # the word, not the question


async def test_three_different_people_saying_yes_are_needed(store: Store, clock: Clock) -> None:
    library = CriteriaLibrary(store, clock)
    await library.load()
    question = "skärmar som slukar lite ström"
    before = _top3(library, "slukar")
    for person in ("aad-a", "aad-a", "aad-b"):  # the same person twice counts once
        await library.record_feedback(question, True, ["11169"], person=person)
    await library.load()
    assert _top3(library, "slukar") == before
    await library.record_feedback(question, True, ["11169"], person="aad-c")
    await library.load()
    assert _top3(library, "slukar")[0] == "11169"
    await library.record_feedback("ignoreras helt", False, ["11169"], person="aad-d")
    assert await store.get(LEARNED, "11169", "ignoreras") is None  # "Nej" teaches nothing


async def test_guards_against_noise_gaming_and_drift(store: Store) -> None:
    # Stop words, short words, digits and the criterion's own words are not learned; six at most.
    words = new_words("och att för ett servrar 12345 pc klimatpåverkan a1b2 alfa beta gamma delta "
                      "epsilon zeta", "Klimatpåverkan, ny utrustning")  # fmt: skip
    assert words == ["servrar", "alfa", "beta", "gamma", "delta", "epsilon"]
    learned = LearnedWords(store)
    today = date(2026, 11, 27)
    assert await learned.add("11550", ["servrar"], today, expert=True)
    assert (await learned.active(today)) == {"11550": ["servrar"]}
    assert await learned.active(today + timedelta(days=366)) == {}  # support lapses
    many = [f"ord{chr(97 + n)}xyz" for n in range(26)]
    for start in range(0, 26, 6):
        await learned.add("10699", many[start : start + 6], today, expert=True)
    assert len((await learned.active(today))["10699"]) == 20  # at most 20 a criterion


async def test_a_persons_support_goes_with_their_data(store: Store) -> None:
    learned = LearnedWords(store)
    today = date(2026, 11, 27)
    for person in ("aad-a", "aad-b", "aad-c"):
        await learned.add("11169", ["slukar"], today, person=person_key(person))
    alex = PersonRef("29:a", "aad-a")
    assert (await learned.export_person(alex)) == {"learned_words": ["11169: slukar"]}
    assert await learned.erase_person(alex) == 1
    assert await learned.active(today) == {}  # two people left: not enough any more


async def test_an_admin_sees_and_forgets_learned_words(tmp_path: Path, connector: Any) -> None:
    from tests.conftest import local_settings
    from tests.support.botserver import BotServer
    from tests.support.connector import card_text

    server = BotServer(local_settings(tmp_path, admin_ids=frozenset({"aad-alex"})))
    await server.start()
    try:
        library = server.services.node.criteria
        assert "Inga inlärda ord" in card_text(await _say(server, connector, "inlärda ord"))
        await library.learn_from_answer(QUESTION, "Se kriteriet 11550.")
        listed = card_text(await _say(server, connector, "inlärda ord"))
        assert "11550" in listed
        assert "koldioxidavtryck" in listed
        gone = card_text(await _say(server, connector, "glöm ord 11550 koldioxidavtryck"))
        assert "glömt" in gone
        assert "koldioxidavtryck" not in card_text(await _say(server, connector, "inlärda ord"))
        assert "Skriv så här" in card_text(await _say(server, connector, "glöm ord 11550"))
        # Only admins.
        other = {"user_id": "29:bo", "aad_id": "aad-bo", "conversation_id": "a:personal-bo"}
        refused = card_text(await _say(server, connector, "inlärda ord", **other))
        assert "Inlärda ord" not in refused
    finally:
        await server.stop()


async def _say(server: Any, connector: Any, text: str, **kw: Any) -> dict[str, Any]:
    from tests.support import activities

    connector.clear()
    status, _ = await server.post(activities.message(connector.url, text, **kw))
    assert status == 200
    (sent,) = connector.sent
    return dict(sent.card)
