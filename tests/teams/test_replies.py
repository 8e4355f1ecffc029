"""A turn's replies go to the Bot Connector as UTF-8 JSON (tests/teams/test_wire.py: the JSON
msrest would have sent), and Teams' 429 and 5xx are tried again within the turn."""

from __future__ import annotations

import json

from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn
from tests.teams.test_criteria_questions import ask


async def test_a_reply_throttled_by_teams_arrives_after_the_wait(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    connector.throttle_next, connector.retry_after = 2, "0"
    card = await ask(bot, connector, "Vilka miljökrav kan jag ställa på städtjänster?")
    assert connector.throttled == 2
    assert "Kriterier som matchar" in json.dumps(card, ensure_ascii=False)


async def test_a_reply_goes_as_utf8_not_as_escapes(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    await ask(bot, connector, "Vilka miljökrav kan jag ställa på städtjänster?")
    (sent,) = connector.sent
    assert "ö".encode() in sent.raw
    assert b"\\u00f6" not in sent.raw
