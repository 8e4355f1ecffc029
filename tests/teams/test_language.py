"""One language per person: what they write decides when it is clear, else their stored
choice, else their client's locale; used for everything sent to them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from tests.conftest import local_settings
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, card_text
from tests.teams.test_criteria_questions import ask
from tests.teams.test_expert_flow import (
    ASKER_CHAT,
    EXPERTS_CHANNEL,
    as_expert,
    experts_network,
    submit_question,
)

# The time-sensitive tests run again at other pinned instants (make test-calendar).
pytestmark = pytest.mark.calendar

EN = {"locale": "en-US"}


async def test_a_swedish_question_from_an_english_client_gets_swedish_labels(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    card = card_text(
        await ask(bot, connector, "Vilka krav kan jag ställa på städkemikalier?", **EN)
    )
    assert "Verifikat" in card
    assert "Basnivå" in card
    assert "Proof" not in card
    assert "level" not in card
    again = card_text(await ask(bot, connector, "11567", **EN))  # unclear: the stored choice
    assert "Proof" not in again
    assert "level" not in again


async def test_english_text_gets_english_and_the_choice_can_be_set(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    card = card_text(await ask(bot, connector, "What are the requirements for cleaning?"))
    assert "Proof" in card
    assert "level" in card
    assert "Jag svarar dig på svenska" in card_text(await ask(bot, connector, "språk svenska"))
    assert "Det här kan jag" in card_text(await ask(bot, connector, "hjälp", **EN))
    assert "I will answer you in English" in card_text(
        await ask(bot, connector, "language english")
    )


async def test_notices_to_the_asker_follow_their_language(
    bot: BotServer, connector: ConnectorStandIn, network: None
) -> None:
    await ask(bot, connector, "Vilka krav gäller för elbussar?", **EN)  # Swedish: stored
    number = await submit_question(bot, connector, "Kan vi kräva biogas i godstransporter?")
    connector.clear()
    claim = {"verb": "ticket.claim", "number": number}
    await bot.post(activities.execute(connector.url, claim, **as_expert(2)))
    (told,) = connector.to("a:personal-alex")
    assert "har tagit din fråga" in card_text(told.card)


async def test_channel_posts_use_the_nodes_configured_language(
    tmp_path: Path, connector: ConnectorStandIn
) -> None:
    server = BotServer(local_settings(tmp_path, language="en"))
    await server.start()
    try:
        await experts_network(server, connector, 3)
        await submit_question(server, connector, "Kan vi kräva biogas i godstransporter?")
        (post,) = connector.to(EXPERTS_CHANNEL)
        assert "Waiting for an expert" in card_text(post.card)  # the ticket card in English
        receipt = next(s for s in connector.sent if s.conversation_id == ASKER_CHAT)
        assert "ärendenummer" in card_text(receipt.card)  # the asker still gets Swedish
    finally:
        await server.stop()


def test_an_unknown_node_language_stops_the_start() -> None:
    with pytest.raises(ValueError, match="NODE_LANGUAGE"):
        Settings.from_env({"NODE_LANGUAGE": "de"})
