"""A turn's replies go to the Bot Connector as JSON built straight from the activity (no msrest
round trip): the same JSON msrest would have sent, as UTF-8, and Teams' 429 and 5xx are tried
again within the turn."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity, Mention
from botframework.connector import models
from msrest.serialization import Serializer

from bot.teams._connector import plain
from cards import message_card
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn
from tests.teams.test_criteria_questions import ask


def _msrest(activity: Activity) -> Any:
    classes = {k: v for k, v in models.__dict__.items() if isinstance(v, type)}
    return Serializer(classes).body(activity, "Activity")  # type: ignore[no-untyped-call]


def _reply_to(inbound: dict[str, Any], outgoing: Activity) -> Activity:
    """The reply as botbuilder completes it before sending (TurnContext.send_activity)."""
    reference = TurnContext.get_conversation_reference(Activity().deserialize(inbound))
    return TurnContext.apply_conversation_reference(outgoing, reference)


@pytest.mark.parametrize("conversation_type", ["personal", "channel"])
def test_a_reply_is_the_json_msrest_would_have_sent(conversation_type: str) -> None:
    inbound = activities.message("http://teams.local", "hjälp", conversation_type=conversation_type)
    # A plain dict: msrest writes the node's own Card type (a dict subclass) as a string.
    card = json.loads(json.dumps(message_card("Tack för ditt svar – **åtgärden** är sparad.")))
    card_reply = MessageFactory.attachment(CardFactory.adaptive_card(card))
    text_reply = MessageFactory.text("hej <at>Alex</at>")
    text_reply.entities = [Mention(mentioned=inbound["from"], text="<at>Alex</at>", type="mention")]
    for outgoing in (card_reply, text_reply):
        reply = _reply_to(inbound, outgoing)
        assert json.loads(json.dumps(plain(reply))) == json.loads(json.dumps(_msrest(reply)))


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
