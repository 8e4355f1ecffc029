"""The pulse survey as people meet it: an admin opens the quarter's round, everyone who used
the node and can be reached gets the card once (not those who said `inga enkäter`), answers
count without names in `statistik`, a second answer replaces the first."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.survey.service import ANSWERS
from tests.conftest import local_settings
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, card_nodes, card_text
from tests.teams.test_criteria_questions import ask, click

BO = {"user_id": "29:bo", "aad_id": "aad-bo", "name": "Bo Berg",
      "conversation_id": "a:personal-bo"}  # fmt: skip
EVA = {"user_id": "29:eva", "aad_id": "aad-eva", "name": "Eva Ek",
       "conversation_id": "a:personal-eva", "locale": "en-US"}  # fmt: skip


@pytest.fixture
async def node(tmp_path: Path, connector: ConnectorStandIn) -> AsyncIterator[BotServer]:
    """Alex (admin), Bo and Eva have used the node this quarter; Bo wants no surveys."""
    settings = local_settings(tmp_path, routing_interval_s=0.2, admin_ids=frozenset({"aad-alex"}))
    server = BotServer(settings)
    await server.start(demo=False)
    await server.post(activities.message(connector.url, "hjälp"))
    await server.post(activities.message(connector.url, "help", **EVA))
    declined = await ask(server, connector, "inga enkäter", **BO)
    assert "inga fler enkäter" in card_text(declined)
    connector.clear()
    yield server
    await server.stop()


async def test_the_round_reaches_the_active_once_and_the_answers_count_without_names(
    node: BotServer, connector: ConnectorStandIn
) -> None:
    opened = card_text(await ask(node, connector, "utvärdering"))
    assert "går ut till 2 personer" in opened  # Alex and Eva; Bo said no
    await connector.wait_for(3)  # the reply above and the two survey cards
    surveys = {s.conversation_id: s.card for s in connector.sent if "rating" in repr(s.card)}
    assert set(surveys) == {"a:personal-alex", "a:personal-eva"}
    assert "How does Miljökravsnoden work for you?" in card_text(surveys["a:personal-eva"])
    rating = next(n for n in card_nodes(surveys["a:personal-eva"]) if n.get("id") == "rating")
    assert rating["type"] == "Input.Rating"
    assert rating["fallback"]["type"] == "Input.ChoiceSet"  # for clients without stars
    send = next(n for n in card_nodes(surveys["a:personal-eva"])
                if n.get("type") == "Action.Execute")["data"]  # fmt: skip

    # Bo said no to surveys, so it was not sent to him: a forged answer is not taken.
    forged = {**send, "rating": 1, "competence": "nej", "followed_up": "nej"}
    assert "skickades inte till dig" in card_text(await click(node, connector, forged, **BO))
    missing = await click(node, connector, {**send, "rating": 4}, **EVA)
    assert "Answer yes or no." in card_text(missing)  # the card again, what is missing marked
    answer = {**send, "rating": 4, "competence": "ja", "followed_up": "nej", "comment": "Bra"}
    assert "Thank you for your answers" in card_text(await click(node, connector, answer, **EVA))
    again = {**answer, "rating": 5.0}
    assert "replace the ones you gave" in card_text(await click(node, connector, again, **EVA))
    assert node.node is not None
    stored = await node.node.store.query(ANSWERS)
    assert len(stored) == 1
    assert "29:eva" not in repr(stored[0].data)
    assert "Eva" not in repr(stored[0].data)

    again_opened = card_text(await ask(node, connector, "utvärdering"))
    assert "har redan skickats" in again_opened  # once a quarter
    stats = card_text(await ask(node, connector, "statistik"))
    assert "medel 5,0 av 5 (1 svar)" in stats


async def test_an_answer_to_a_round_that_does_not_exist_is_told_so(
    node: BotServer, connector: ConnectorStandIn
) -> None:
    answer = {"verb": "survey.answer", "round": "2020Q1", "rating": 3, "competence": "ja",
              "followed_up": "ja"}  # fmt: skip
    assert "Den enkäten finns inte" in card_text(await click(node, connector, answer, **BO))


async def test_only_admins_open_a_round(node: BotServer, connector: ConnectorStandIn) -> None:
    refused = card_text(await ask(node, connector, "utvärdering", **BO))
    assert "bara för nodens administratörer" in refused
