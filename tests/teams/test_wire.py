"""The node reads and writes activities without msrest (bot/teams/_wire.py); what it reads
and writes must be what msrest would have: the same activity in, the same JSON out."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity, Mention
from botframework.connector import models
from msrest.serialization import Serializer

from bot.teams._handler import _Reply
from bot.teams._wire import WireError, from_plain, plain
from cards import message_card
from tests.support import activities

URL = "http://teams.local"
INBOUND = {
    "message": activities.message(URL, "hjälp"),
    "channel mention": activities.message(URL, "hjälp", conversation_type="channel"),
    "card submit": activities.submit(URL, {"verb": "sharing.followup", "krav_1": "11567"}),
    "bot added": activities.bot_added(URL, conversation_type="channel"),
    "shared channel member": {**activities.message(URL, "hjälp", conversation_type="channel"),
                              "from": {"id": "29:dc", "aadObjectId": "o", "tenantId": "t"}},
    "execute": activities.execute(URL, {"verb": "answer.more", "question": "x", "page": 1}),
    "odd types": {**activities.message(URL, "x"), "text": 5, "unknownKey": {"a": [1]},
                  "listenFor": ["a"], "expiration": "2026-12-01T10:00:00.1234567+01:00",
                  "localTimestamp": "2026-12-01T10:00:00"},
}  # fmt: skip


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


@pytest.mark.parametrize("name", sorted(INBOUND))
def test_an_inbound_activity_reads_as_msrest_reads_it(name: str) -> None:
    body = INBOUND[name]
    ours, theirs = from_plain(Activity, body), Activity().deserialize(body)
    assert _json(plain(ours)) == _json(plain(theirs))
    assert ours.additional_properties == theirs.additional_properties
    assert ours.timestamp == theirs.timestamp


@pytest.mark.parametrize(
    "broken",
    [{"from": "alex"}, {"entities": {"type": "mention"}}, {"membersAdded": ["x"]},
     {"timestamp": "igår"}, {"recipient": [1]}],
)  # fmt: skip
def test_an_activity_of_the_wrong_shape_is_refused_as_msrest_refuses_it(
    broken: dict[str, Any],
) -> None:
    body = {**activities.message(URL, "x"), **broken}
    with pytest.raises(WireError):
        from_plain(Activity, body)
    with pytest.raises(Exception):  # noqa: B017, PT011 - msrest raises several kinds
        Activity().deserialize(body)


def _msrest_json(activity: Activity) -> Any:
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
        assert json.loads(json.dumps(plain(reply))) == json.loads(json.dumps(_msrest_json(reply)))


def test_a_card_reply_is_what_message_factory_makes() -> None:
    card = message_card("Hej")
    made = MessageFactory.attachment(CardFactory.adaptive_card(card))
    assert plain(_Reply(card)) == plain(made)
