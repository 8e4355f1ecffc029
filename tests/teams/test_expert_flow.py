"""Expert routing end to end over HTTP: ask, post to the experts' channel, claim (a race of
20), answer, and the asker hearing back."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.routing import NetworkRepository
from tests.routing.conftest import network_of
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, card_text, input_of, shown
from tests.teams.test_criteria_questions import action, ask, click

# The time-sensitive tests run again at other pinned instants (make test-calendar).
pytestmark = pytest.mark.calendar

EXPERTS_CHANNEL = "19:experts@thread.tacv2"
ASKER_CHAT = "a:personal-alex"


def as_expert(n: int, conversation: str = EXPERTS_CHANNEL) -> dict[str, Any]:
    kind = "channel" if conversation.startswith("19:") else "personal"
    return {
        "user_id": f"29:expert-{n}",
        "aad_id": f"aad-expert-{n}",
        "name": f"Expert {n}",
        "conversation_id": conversation,
        "conversation_type": kind,
    }


async def experts_network(bot: BotServer, connector: ConnectorStandIn, count: int) -> None:
    """`count` experts in fordon-och-transport (replacing the demo network), and the experts'
    channel, which the bot has been added to."""
    assert bot.node is not None
    await NetworkRepository(bot.node.store).save(network_of(count, bot.node.clock.now()))
    routing = bot.services.routing
    routing.forget_network()
    channel = {"conversation_type": "channel", "conversation_id": EXPERTS_CHANNEL}
    await bot.post(activities.bot_added(connector.url, **channel))
    await routing.set_experts_channel(EXPERTS_CHANNEL)


async def submit_question(bot: BotServer, connector: ConnectorStandIn, question: str) -> int:
    card = await ask(bot, connector, question)
    form = await click(bot, connector, action(card, "expert.ask"))
    assert "Fråga en miljöstrateg" in card_text(form)
    area = input_of(form, "area")
    assert area["value"] == "fordon-och-transport"  # preset from the search
    connector.clear()
    (send,) = [a for a in form["actions"] if a["type"] == "Action.Execute"]
    value = {**send["data"], "question": question, "area": area["value"],
             "municipality": "Lund", "consent": "true"}  # fmt: skip
    status, body = await bot.post(activities.execute(connector.url, value))
    assert status == 200
    assert "skickad" in card_text(shown(body))  # the form says so, in place
    receipt = next(s for s in connector.sent if s.conversation_id == ASKER_CHAT)
    text = card_text(receipt.card)
    assert "ärendenummer" in text
    assert "Expert 2 (Lund)" in text
    return int(text.split("#")[1].split("\\")[0].split("*")[0])


async def test_a_question_goes_to_the_experts_channel_and_the_on_call_expert(
    bot: BotServer, connector: ConnectorStandIn, network: None
) -> None:
    number = await submit_question(
        bot, connector, "Kan vi kräva biogas och utesluta HVO i godstransporter?"
    )
    (post,) = connector.to(EXPERTS_CHANNEL)
    assert post.kind in ("send", "reply")  # a new message, not an update
    assert f"Fråga #{number}" in card_text(post.card)
    assert post.card["refresh"]["action"]["verb"] == "ticket.refresh"
    (direct,) = connector.to("a:personal-expert-2")
    assert "Ta ärendet" in card_text(direct.card)


async def test_a_bad_form_is_shown_again_with_the_error_and_nothing_stored(
    bot: BotServer, connector: ConnectorStandIn, network: None
) -> None:
    value = {"verb": "ticket.create", "question": "kort", "area": "fordon-och-transport",
             "municipality": "Lund", "consent": "true"}  # fmt: skip
    card = await click(bot, connector, value)
    text = card_text(card)
    assert "mellan 10 och 2000 tecken" in text
    assert input_of(card, "question")["value"] == "kort"
    assert connector.to(EXPERTS_CHANNEL) == []
    assert bot.node is not None
    assert await bot.node.store.query("tickets") == []


async def test_a_question_of_1500_characters_is_taken(
    bot: BotServer, connector: ConnectorStandIn, network: None
) -> None:
    """The form allows 2,000 characters; so does every layer behind it."""
    question = "Hur formulerar vi krav på biogas i godstransporter? " + "x" * 1448
    assert len(question) == 1500
    number = await submit_question(bot, connector, question)
    (post,) = connector.to(EXPERTS_CHANNEL)
    assert "x" * 1448 in card_text(post.card)
    assert (await bot.services.routing.get(number)).question == question


async def test_a_too_long_question_comes_back_in_the_form_not_lost(
    bot: BotServer, connector: ConnectorStandIn, network: None
) -> None:
    question = "Får vi kräva elbussar? " + "y" * 2300
    value = {"verb": "ticket.create", "question": question, "area": "fordon-och-transport",
             "municipality": "Lund", "consent": "false"}  # fmt: skip
    card = await click(bot, connector, value)
    assert "mellan 10 och 2000 tecken (den har 2323)" in card_text(card)
    field = input_of(card, "question")
    assert field["value"] == question
    assert field["maxLength"] == 2000
    assert bot.node is not None
    assert await bot.node.store.query("tickets") == []


async def test_twenty_concurrent_claims_over_http_have_one_winner(
    bot: BotServer, connector: ConnectorStandIn, network: None
) -> None:
    number = await submit_question(bot, connector, "Vilka fordonskrav gäller för elbussar?")
    connector.clear()
    claim = {"verb": "ticket.claim", "number": number}
    responses = await asyncio.gather(
        *(bot.post(activities.execute(connector.url, claim, **as_expert(n))) for n in range(1, 21))
    )
    assert all(status == 200 for status, _ in responses)
    texts = [card_text(body["value"]) for _, body in responses]
    assert sum("Du har tagit ärendet" in t for t in texts) == 1
    assert sum("Redan tagen av" in t for t in texts) == 19
    updates = [s for s in connector.sent if s.kind == "update"]
    assert len(updates) == 1
    assert updates[0].conversation_id == EXPERTS_CHANNEL
    assert bot.node is not None
    (stored,) = await bot.node.store.query("tickets")
    winner = next(n for n, t in zip(range(1, 21), texts, strict=True) if "Du har tagit" in t)
    assert stored.data["assignee"] == f"aad-expert-{winner}"
    told = connector.to(ASKER_CHAT)
    assert len(told) == 1
    assert f"Expert {winner} (Lund) har tagit" in card_text(told[0].card)


async def test_claim_answer_and_publish_reach_the_asker_and_the_search(
    bot: BotServer, connector: ConnectorStandIn, network: None
) -> None:
    number = await submit_question(
        bot, connector, "Får vi kräva laddinfrastruktur hos transportören?"
    )
    status, body = await bot.post(
        activities.execute(
            connector.url, {"verb": "ticket.claim", "number": number}, **as_expert(2)
        )
    )
    assert status == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    claimed = body["value"]
    assert any(e.get("id") == "answer" for e in claimed["body"])  # the answer form
    connector.clear()
    reply = "Ja, som särskilt kontraktsvillkor med krav på laddinfrastruktur."
    answer = {"verb": "ticket.answer", "number": number, "publish": "true", "answer": reply}
    status, body = await bot.post(activities.execute(connector.url, answer, **as_expert(2)))
    assert "Svaret är skickat" in card_text(body["value"])
    (to_asker,) = connector.to(ASKER_CHAT)
    assert "laddinfrastruktur" in card_text(to_asker.card)
    assert "Följdfråga" in card_text(to_asker.card)
    assert any(s.kind == "update" for s in connector.to(EXPERTS_CHANNEL))
    found = await ask(bot, connector, "krav på laddinfrastruktur hos transportören")
    assert "Expertsvar" in card_text(found)


async def test_a_non_expert_cannot_claim_and_refresh_shows_each_their_view(
    bot: BotServer, connector: ConnectorStandIn, network: None
) -> None:
    number = await submit_question(bot, connector, "Hur följer vi upp krav på förnybara drivmedel?")
    claim = {"verb": "ticket.claim", "number": number}
    _, body = await bot.post(activities.execute(connector.url, claim))  # the asker
    assert "Bara registrerade" in card_text(body["value"])
    refresh = {"verb": "ticket.refresh", "number": number}
    _, as_asker = await bot.post(activities.execute(connector.url, refresh))
    _, as_expert_view = await bot.post(activities.execute(connector.url, refresh, **as_expert(7)))
    assert "Ta ärendet" not in card_text(as_asker["value"])
    assert "Ta ärendet" in card_text(as_expert_view["value"])


async def test_lists_for_askers_and_experts(
    bot: BotServer, connector: ConnectorStandIn, network: None
) -> None:
    number = await submit_question(bot, connector, "Vilka krav på fordon i hemtjänsten?")
    mine = await ask(bot, connector, "mina frågor")
    assert f"#{number}" in card_text(mine)
    open_list = await ask(bot, connector, "öppna frågor", **as_expert(4, "a:personal-expert-4"))
    assert f"#{number}" in card_text(open_list)
    refused = await ask(bot, connector, "öppna frågor")
    assert "Bara registrerade" in card_text(refused)


@pytest.mark.parametrize(
    "data",
    [
        {"verb": "ticket.claim", "number": "abc"},
        {"verb": "ticket.claim", "number": 999999},
        {"verb": "ticket.answer", "number": 1, "answer": 5, "publish": "true"},
        {"verb": "bogus"},
    ],
)
async def test_bad_invoke_payloads_get_a_clear_card(
    bot: BotServer, connector: ConnectorStandIn, network: None, data: dict[str, Any]
) -> None:
    status, body = await bot.post(activities.execute(connector.url, data, **as_expert(1)))
    assert status == 200
    text = card_text(shown(body))
    assert "kunde inte hanteras" in text or "hittar inget ärende" in text
