"""A greeting gets a greeting, not "no criterion fits"; consent to publish is opt-in; the
statistics card has one title and speaks minutes where hours would say "0 h"."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.i18n import texts_for
from bot.stats import Questions
from cards import statistics_card
from tests.cards.test_official_renderer import empty_statistics
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, card_nodes, card_text
from tests.teams.test_criteria_questions import ask


@pytest.mark.parametrize(
    ("said", "answer"),
    [("hej", "Hej! Jag är Miljökravsnoden."), ("Hej!", "Hej! Jag är Miljökravsnoden."),
     ("tack", "Varsågod!"), ("vem är du?", "Skånekommunernas stöd"),
     ("vad kan du", "det viktigaste jag kan")],
)  # fmt: skip
async def test_small_talk_gets_a_friendly_answer_with_things_to_try(
    bot: BotServer, connector: ConnectorStandIn, said: str, answer: str
) -> None:
    card = await ask(bot, connector, said)
    text = card_text(card)
    assert answer in text
    assert "hittade inget kriterium" not in text
    buttons = [a["title"] for a in card["actions"]]
    assert buttons == ["Visa ett exempel", "Visa kommandon", "Fråga en expert", "Registrera avtal"]


async def test_hej_in_a_sentence_is_still_a_question(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    card = await ask(bot, connector, "hej, vilka krav kan jag ställa på städkemikalier?")
    assert "Städkemikalier" in card_text(card)


async def test_consent_to_publish_is_opt_in_and_says_what_is_published(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    await bot.post(activities.message(connector.url, "fråga expert"))
    form = connector.sent[-1].card
    consent = next(n for n in card_nodes(form) if n.get("id") == "consent")
    assert consent["value"] == "false"
    assert "utan namn" in card_text(form)


def test_the_statistics_card_has_one_title_and_minutes_below_two_hours() -> None:
    stats = replace(empty_statistics(), questions=Questions(
        3, 2, claim_hours=(0.25, 1.5), answer_hours=(3.0, 26.5)))  # fmt: skip
    card = statistics_card(stats, texts_for("sv"))
    text = card_text(card)
    assert text.count("Statistik för noden") == 1
    assert "median 15 min, 90:e percentil 90 min" in text
    assert "median 3 h, 90:e percentil 26.5 h" in text
