"""Criteria questions in Teams, end to end: the question, the answer card and its buttons."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, card_nodes, card_text, shown


def submit_actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button that sends something back (Action.Execute), wherever it sits."""
    return [node for node in card_nodes(card) if node.get("type") == "Action.Execute"]


def action(card: dict[str, Any], verb: str, **match: Any) -> dict[str, Any]:
    for candidate in submit_actions(card):
        data = candidate.get("data") or {}
        if data.get("verb") == verb and all(data.get(k) == v for k, v in match.items()):
            return dict(data)
    raise AssertionError(f"no {verb} button in the card")


async def ask(bot: BotServer, connector: ConnectorStandIn, text: str, **kw: Any) -> dict[str, Any]:
    connector.clear()
    status, _ = await bot.post(activities.message(connector.url, text, **kw))
    assert status == 200
    (sent,) = connector.sent
    return sent.card


async def click(
    bot: BotServer, connector: ConnectorStandIn, value: dict[str, Any], **kw: Any
) -> dict[str, Any]:
    """A button (Action.Execute): the card that replaces the one clicked, else the one card
    it sends below, else the note shown at the clicked card."""
    connector.clear()
    status, body = await bot.post(activities.execute(connector.url, value, **kw))
    assert status == 200
    if body["type"] == "application/vnd.microsoft.card.adaptive" or not connector.sent:
        return shown(body)
    (sent,) = connector.sent
    return sent.card


async def test_a_question_gets_criteria_with_level_type_kravtext_proof_and_follow_up(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    card = await ask(bot, connector, "Vilket bevis krävs för EU-ekologisk vara?")
    text = card_text(card)
    assert "EU-ekologisk vara" in text
    # The row: name, Krav ID, level and type; the details open in place.
    for label in ("Krav ID 11009", "Basnivå", "Teknisk specifikation", "Verifikat", "Uppföljning"):
        assert label in text
    assert "tredjepartsorgan" in text  # the proof itself
    assert "Exempeldata" in text  # the sample library says so
    assert '"Action.OpenUrl"' in str(card).replace("'", '"')


async def test_the_answer_is_in_english_for_an_english_user(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    card = await ask(bot, connector, "cleaning chemicals", locale="en-GB")
    text = card_text(card)
    assert "Criteria matching your question" in text
    assert "Städkemikalier" in text
    assert "Did this help?" in text


async def test_a_question_in_a_channel_is_answered_there(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    card = await ask(bot, connector, "städkemikalier", conversation_type="channel")
    assert "Städkemikalier" in card_text(card)
    assert connector.sent[0].conversation_id == "19:general@thread.tacv2"


async def test_show_full_text_and_all_levels_from_the_card(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    card = await ask(bot, connector, "alternativa drivmedel godstransporter")
    full = await click(bot, connector, action(card, "criterion.show"))
    full_text = card_text(full)
    assert "Motiv" in full_text
    assert "drivmedelsfakturor" in full_text.lower()
    levels = await click(bot, connector, action(card, "criterion.levels", krav_id="10699"))
    levels_text = card_text(levels)
    assert "Avancerad nivå" in levels_text
    assert "Spjutspetsnivå" in levels_text
    assert "70 procent" in levels_text
    assert "100 procent" in levels_text


async def test_compare_two_criteria_side_by_side(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    card = await ask(bot, connector, "miljökrav på städtjänster")
    choice_set = next(e for e in card_nodes(card) if e.get("type") == "Input.ChoiceSet")
    keys = [choice["value"] for choice in choice_set["choices"][:2]]
    value = action(card, "criterion.compare") | {choice_set["id"]: ",".join(keys)}
    compared = await click(bot, connector, value)
    columns = compared["body"][1]["columns"]
    assert len(columns) == 2


async def test_comparing_one_or_four_is_explained(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    card = await click(bot, connector, {"verb": "criterion.compare", "keys": "11567/bas"})
    assert "två eller tre" in card_text(card)


async def test_helped_feedback_is_stored_without_who_asked(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    card = await ask(bot, connector, "städkemikalier")
    thanks = await click(bot, connector, action(card, "answer.feedback", helpful=True))
    assert "Tack" in card_text(thanks)
    assert bot.node is not None
    (stored,) = await bot.node.store.query("feedback")
    assert stored.data["helpful"] is True
    assert stored.data["question"] == "städkemikalier"
    assert "11567" in stored.data["ids"]
    assert "Alex" not in str(stored.data)


async def test_nothing_matching_says_so_and_offers_an_expert(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    card = await ask(bot, connector, "vad kostar en glass i kiosken")
    text = card_text(card)
    assert "hittade inget kriterium" in text
    assert "Fråga en expert" in text


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("kriterium 11567", "Städkemikalier"),
        ("kriterium 10699:2", "Alternativa drivmedel: alla nivåer"),
        ("nivåer 11430", "Spjutspetsnivå"),
        ("jämför 11567 LOK-101", "Jämförelse"),
        ("jämför 11430", "Jämförelse"),
        ("kriterium 99999", "hittar inget kriterium med Krav ID 99999"),
        ("kriterium 1**x**", "hittar inget kriterium med Krav ID 1\\*\\*x\\*\\*"),
        ("krav på laddinfrastruktur för elbilar", "Elfordon"),  # a question, not a command
        ("jämför basnivå och spjutspets för bilar", "Miljöbilar"),
    ],
)
async def test_commands_for_one_criterion(
    bot: BotServer, connector: ConnectorStandIn, command: str, expected: str
) -> None:
    assert expected in card_text(await ask(bot, connector, command))


@pytest.mark.parametrize(
    "value",
    [
        {"verb": "criterion.show", "key": "../../etc/passwd"},
        {"verb": "criterion.show"},
        {"verb": "nonsense"},
        {"verb": "answer.feedback", "question": "x" * 5000, "helpful": True, "ids": []},
        {"verb": "answer.feedback", "question": "x", "helpful": "kanske", "ids": []},
        {"verb": "criterion.compare", "keys": 5},
    ],
)
async def test_tampered_card_payloads_get_a_clear_message(
    bot: BotServer, connector: ConnectorStandIn, value: dict[str, Any]
) -> None:
    card = await click(bot, connector, value)
    assert "knappen kunde inte hanteras" in card_text(card)
    assert bot.node is not None
    assert await bot.node.store.query("feedback") == []


async def test_user_text_is_escaped_in_cards(bot: BotServer, connector: ConnectorStandIn) -> None:
    card = await ask(bot, connector, "[klicka här](https://evil.example) **glass**")
    text = card_text(card)
    assert "](https://evil.example)" not in text.replace("\\]", "")
    assert "\\*\\*glass\\*\\*" in text


async def test_feedback_teaches_only_from_answers_given_to_that_person_once(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    """The search learns a word when three people say an answer helped (learning.py). A
    feedback button carries the answer's id, checked against what the node gave whoever
    clicks: forged identities reusing one answer teach nothing, a second click counts once."""
    assert bot.node is not None
    library = bot.node.criteria
    card = await ask(bot, connector, "städkemikalier glassbilar")
    yes = action(card, "answer.feedback", helpful=True)
    people = [{"user_id": f"29:p{n}", "aad_id": f"aad-p{n}", "name": f"P {n}",
               "conversation_id": f"a:personal-p{n}"} for n in range(3)]  # fmt: skip
    for person in people:
        assert "Tack" in card_text(await click(bot, connector, yes, **person))
    assert await library.learned_words() == {}
    for person in people:
        card = await ask(bot, connector, "städkemikalier glassbilar", **person)
        mine = action(card, "answer.feedback", helpful=True)
        assert "Tack" in card_text(await click(bot, connector, mine, **person))
        again = await click(bot, connector, mine, **person)
        assert "redan svarat" in card_text(again)
    assert "glassbilar" in (await library.learned_words()).get("11567", [])
