"""Who may see and change a ticket, on both backends: only the asker, the area's experts, the
holder and admins see it (others are told it does not exist); two clicks at once, or a
release and an answer at once, end in one stored outcome and a clear card, never an error."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.routing import NetworkRepository, Person
from tests.routing.conftest import expert, network_of
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, card_text
from tests.teams.test_expert_flow import EXPERTS_CHANNEL, as_expert

# The time-sensitive tests run again at other pinned instants (make test-calendar).
pytestmark = pytest.mark.calendar

STRANGER = {"user_id": "29:stranger", "aad_id": "aad-stranger", "name": "Sam Stranger",
            "conversation_id": "a:personal-stranger"}  # fmt: skip
ELSEWHERE = 30  # an expert of another area


@pytest.fixture
async def asked(any_bot: BotServer, connector: ConnectorStandIn) -> int:
    """Three experts of fordon-och-transport, one of livsmedel; Alex has asked a question."""
    assert any_bot.node is not None
    network = network_of(3, any_bot.node.clock.now())
    network.experts[f"aad-expert-{ELSEWHERE}"] = expert(ELSEWHERE, areas=("livsmedel",))
    await NetworkRepository(any_bot.node.store).save(network)
    routing = any_bot.services.routing
    routing.forget_network()
    channel = {"conversation_type": "channel", "conversation_id": EXPERTS_CHANNEL}
    await any_bot.post(activities.bot_added(connector.url, **channel))
    await routing.set_experts_channel(EXPERTS_CHANNEL)
    value = {"verb": "ticket.create", "question": "Kan vi kräva biogas i sopbilarna?",
             "area": "fordon-och-transport", "municipality": "Lund", "consent": "true"}  # fmt: skip
    status, _ = await any_bot.post(activities.submit(connector.url, value))
    assert status == 200
    (ticket,) = await routing.asked_by(Person("29:user-alex", "aad-alex", "Alex Wilber"))
    return ticket.number


async def _view(bot: BotServer, connector: ConnectorStandIn, verb: str, number: Any,
                **who: Any) -> str:  # fmt: skip
    if verb == "ticket.refresh":
        activity = activities.execute(connector.url, {"verb": verb, "number": number}, **who)
        status, body = await bot.post(activity)
        assert status == 200
        return card_text(body["value"])
    connector.clear()
    status, _ = await bot.post(
        activities.submit(connector.url, {"verb": verb, "number": number}, **who)
    )
    assert status == 200
    return card_text(connector.sent[-1].card)


@pytest.mark.parametrize("verb", ["ticket.refresh", "ticket.show"])
async def test_only_those_involved_see_a_ticket(
    any_bot: BotServer, connector: ConnectorStandIn, asked: int, verb: str
) -> None:
    question = "Kan vi kräva biogas i sopbilarna?"
    assert question in await _view(any_bot, connector, verb, asked)  # the asker
    assert question in await _view(any_bot, connector, verb, asked, **as_expert(1))
    never_given = await _view(any_bot, connector, verb, 9999, **STRANGER)
    assert "Jag hittar inget ärende #9999" in never_given
    for outsider in (STRANGER, as_expert(ELSEWHERE, "a:personal-elsewhere")):
        seen = await _view(any_bot, connector, verb, asked, **outsider)
        assert question not in seen
        assert seen == never_given.replace("9999", str(asked))


async def test_an_expert_of_another_area_cannot_claim(
    any_bot: BotServer, connector: ConnectorStandIn, asked: int
) -> None:
    claim = {"verb": "ticket.claim", "number": asked}
    status, body = await any_bot.post(
        activities.execute(connector.url, claim, **as_expert(ELSEWHERE))
    )
    assert status == 200
    # Refused exactly as a number never given out: nothing of the question is shown.
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert body["value"] == f"Jag hittar inget ärende #{asked}."
    assert (await any_bot.services.routing.get(asked)).state == "open"


async def claimed(bot: BotServer, connector: ConnectorStandIn, number: int) -> dict[str, Any]:
    """Expert 1 has claimed the ticket; returns the payload of their answer."""
    claim = {"verb": "ticket.claim", "number": number}
    await bot.post(activities.execute(connector.url, claim, **as_expert(1)))
    return {"verb": "ticket.answer", "number": number, "publish": "false",
            "answer": "Ja, som särskilt kontraktsvillkor."}  # fmt: skip


async def test_a_double_click_on_send_answer_answers_once(
    any_bot: BotServer, connector: ConnectorStandIn, asked: int
) -> None:
    answer = await claimed(any_bot, connector, asked)
    clicks = await asyncio.gather(
        *(any_bot.post(activities.execute(connector.url, answer, **as_expert(1))) for _ in "ab")
    )
    assert [status for status, _ in clicks] == [200, 200]
    for _, body in clicks:
        text = card_text(body["value"])
        assert "Svaret är skickat" in text
        assert "Något gick fel" not in text
    stored = await any_bot.services.routing.get(asked)
    assert stored.state == "answered"
    answered = [e for e in stored.events if e["kind"] == "answered"]
    assert len(answered) == 1
    await asyncio.sleep(0.1)
    assert len([s for s in connector.to("a:personal-alex") if "Ja, som" in card_text(s.card)]) == 1


async def test_release_and_answer_at_once_end_in_one_outcome(
    any_bot: BotServer, connector: ConnectorStandIn, asked: int
) -> None:
    answer = await claimed(any_bot, connector, asked)
    release = {"verb": "ticket.release", "number": asked}
    replies = await asyncio.gather(
        any_bot.post(activities.execute(connector.url, answer, **as_expert(1))),
        any_bot.post(activities.execute(connector.url, release, **as_expert(1))),
    )
    assert [status for status, _ in replies] == [200, 200]
    texts = [card_text(body["value"]) for _, body in replies]
    assert not any("Något gick fel" in text for text in texts)
    stored = await any_bot.services.routing.get(asked)
    if stored.state == "answered":
        assert "Svaret är skickat" in texts[0]
        assert "redan besvarat" in texts[1]
    else:
        assert stored.state == "open"
        assert "släppt ärendet" in texts[1]
        assert "inte ditt att ändra" in texts[0]
