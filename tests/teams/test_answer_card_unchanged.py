"""The answer card a person sees stays the same when the way it is made changes.

tests/teams/golden/answer_cards.json holds the cards as the node sent them (over HTTP, to the
Bot Connector stand-in) for a set of questions in Swedish and English, recorded before the
answer's rendering was cached and its sending moved off msrest. Each answer's id (random per
answer) is blanked. To record them again after a deliberate change to the card:
`NODE_RECORD_GOLDEN=1 pytest tests/teams/test_answer_card_unchanged.py`.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.criteria.importer import ParsedFile
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn
from tests.teams.test_criteria_questions import ask

GOLDEN = Path(__file__).parent / "golden" / "answer_cards.json"
QUESTIONS = [
    ("sv-SE", "Vilka miljökrav kan jag ställa på städtjänster?"),
    ("sv-SE", "Hur följer jag upp krav på förnybara drivmedel i godstransporter?"),
    ("sv-SE", "Vilket bevis krävs för EU-ekologisk vara?"),
    ("sv-SE", "Hur poängsätter jag energieffektiva datorer?"),
    ("sv-SE", "Hur ställer jag klimatkrav i en anläggningsentreprenad?"),
    ("sv-SE", "avancerad nivå fordon"),
    ("en-US", "What can I require of cleaning services?"),
    ("en-US", "Vilka miljökrav kan jag ställa på städtjänster?"),
    ("en-US", "renewable fuels in freight transport"),
]
_ANSWER_ID = re.compile(r'"answer": "\d{8}[0-9a-f]{12}"')


def _blank_answer_ids(card: dict[str, Any]) -> Any:
    return json.loads(_ANSWER_ID.sub('"answer": "-"', json.dumps(card, ensure_ascii=False)))


async def _cards(bot: BotServer, connector: ConnectorStandIn) -> list[dict[str, Any]]:
    out = []
    for locale, question in QUESTIONS:
        # One person per locale: the language a person once wrote in sticks to them.
        card = await ask(bot, connector, question, locale=locale, user_id=f"29:golden-{locale}")
        out.append({"locale": locale, "question": question, "card": _blank_answer_ids(card)})
    return out


async def test_answer_cards_are_what_they_were(bot: BotServer, connector: ConnectorStandIn) -> None:
    cards = await _cards(bot, connector)
    # Twice: the second answers come from whatever the first ones left prepared.
    again = await _cards(bot, connector)
    if os.environ.get("NODE_RECORD_GOLDEN"):
        GOLDEN.write_text(json.dumps(cards, ensure_ascii=False, indent=1) + "\n", "utf-8")
    expected = json.loads(GOLDEN.read_text("utf-8"))
    for got, second, want in zip(cards, again, expected, strict=True):
        assert got == want, want["question"]
        assert second == want, want["question"]


async def test_an_answer_shows_the_library_as_it_is_after_a_change(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    """A criterion's rendered row is reused across answers, but not past a library change."""
    question = "Vilket bevis krävs för EU-ekologisk vara?"
    before = json.dumps(await ask(bot, connector, question), ensure_ascii=False)
    library = bot.services.node.criteria
    (criterion,) = [c for c in library.all_levels() if c.krav_id == "11009"]
    changed = replace(criterion, krav_id="11009:2", verifikat="Intyg från Kiwa, nytt sedan v2.")
    await library.import_parsed(ParsedFile([changed], []))
    after = json.dumps(await ask(bot, connector, question), ensure_ascii=False)
    assert "Intyg från Kiwa" not in before
    assert "Intyg från Kiwa" in after
    assert "Krav ID 11009:2" in after
