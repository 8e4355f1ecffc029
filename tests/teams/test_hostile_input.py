"""Malformed and hostile input at the HTTP edge: a clear refusal or message, never a 5xx, and
nothing half stored."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.routing import Person
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, card_text
from tests.teams.test_expert_flow import as_expert, submit_question


async def test_deeply_nested_json_is_refused_and_the_node_keeps_answering(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    for depth in (1000, 20_000):
        deep = '{"a":' * depth + "1" + "}" * depth
        body = json.dumps(activities.message(connector.url, "hjälp"))[:-1] + f',"x":{deep}}}'
        status, _ = await bot.post(body.encode())
        assert status == 400
    # Just under the JSON parser's own limit, inside the activity's value.
    value: dict[str, Any] = {}
    for _ in range(900):
        value = {"v": value}
    status, _ = await bot.post(activities.submit(connector.url, value))
    assert status == 400
    status, _ = await bot.post(activities.message(connector.url, "hjälp"))
    assert status == 200
    assert "Det här kan jag" in card_text(connector.sent[-1].card)


@pytest.mark.parametrize(
    "value",
    [None, {}, {"action": {"type": "Action.Submit"}}, {"action": "x"}, [1, 2],
     {"action": {"type": "Action.Execute", "verb": 7}},
     {"action": {"type": "Action.Execute", "verb": "ticket.claim", "data": "x"}}],
)  # fmt: skip
async def test_a_malformed_universal_action_gets_a_card_not_a_server_error(
    bot: BotServer, connector: ConnectorStandIn, value: Any
) -> None:
    activity = activities.invoke(connector.url, "adaptiveCard/action", {})
    activity["value"] = value
    if value is None:
        del activity["value"]
    status, body = await bot.post(activity)
    assert status == 200
    assert "knappen kunde inte hanteras" in card_text(body["value"])


async def test_an_unknown_invoke_is_a_client_error(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    status, _ = await bot.post(activities.invoke(connector.url, "nothing/here", {"a": 1}))
    assert status == 400


@pytest.mark.parametrize("number", ["1e999", 1e999, True, "١", "1_0", " 1", 1.0, "0x1", [1]])
async def test_odd_ticket_numbers_are_refused(
    bot: BotServer, connector: ConnectorStandIn, number: Any
) -> None:
    data = {"verb": "ticket.refresh", "number": number}
    body = json.dumps(activities.execute(connector.url, data)).replace("Infinity", "1e999")
    status, answer = await bot.post(body.encode())
    assert status == 200
    assert "knappen kunde inte hanteras" in card_text(answer["value"])


async def test_a_lone_surrogate_is_stored_as_a_replacement_character(
    bot: BotServer, connector: ConnectorStandIn, network: None
) -> None:
    question = "Kan vi kräva biogas \\ud800 och utesluta HVO i godstransporter?"
    value = {"verb": "ticket.create", "question": "QUESTION", "area": "fordon-och-transport",
             "municipality": "Lund", "consent": "false"}  # fmt: skip
    body = json.dumps(activities.submit(connector.url, value)).replace("QUESTION", question)
    status, _ = await bot.post(body.encode())
    assert status == 200
    routing = bot.services.routing
    stored = await routing.get(1)
    assert stored.question == "Kan vi kräva biogas \ufffd och utesluta HVO i godstransporter?"
    # The next question gets the next number: none was used up by a failed write.
    assert await submit_question(bot, connector, "Vilken nivå ska vi välja för personbilar?") == 2


async def test_ticket_numbers_the_expert_sees_still_work(
    bot: BotServer, connector: ConnectorStandIn, network: None
) -> None:
    number = await submit_question(bot, connector, "Kan vi kräva biogas i godstransporter?")
    for given in (number, str(number)):
        data = {"verb": "ticket.refresh", "number": given}
        status, body = await bot.post(activities.execute(connector.url, data, **as_expert(2)))
        assert status == 200
        assert "Kan vi kräva biogas" in card_text(body["value"])


async def test_one_person_cannot_flood_the_experts_but_others_still_ask(
    bot: BotServer, connector: ConnectorStandIn, network: None
) -> None:
    def ask(n: int, **who: Any) -> dict[str, Any]:
        question = f"Kan vi kräva biogas, variant {n}?"
        value = {"verb": "ticket.create", "question": question, "area": "fordon-och-transport",
                 "municipality": "Lund", "consent": "false"}  # fmt: skip
        return activities.execute(connector.url, value, **who)

    for n in range(10):
        assert (await bot.post(ask(n)))[0] == 200
    connector.clear()
    status, body = await bot.post(ask(10))
    assert status == 200
    # Told at the form, which stays as it was: what was written is kept.
    assert body["type"] == "application/vnd.microsoft.activity.message"
    assert "många gånger på kort tid" in body["value"]
    assert len(await bot.services.routing.asked_by(_person("29:user-alex"))) == 10
    other = {"user_id": "29:user-b", "aad_id": "aad-b", "conversation_id": "a:personal-b"}
    assert (await bot.post(ask(11, **other)))[0] == 200
    assert len(await bot.services.routing.asked_by(_person("29:user-b"))) == 1


async def test_feedback_is_limited_per_person(bot: BotServer, connector: ConnectorStandIn) -> None:
    feedback = {"verb": "answer.feedback", "answer": "20261130a1b2c3d4e5f6", "helpful": True}
    for _ in range(60):
        await bot.post(activities.submit(connector.url, feedback))
    assert "Tack" in card_text(connector.sent[-1].card)
    await bot.post(activities.submit(connector.url, feedback))
    assert "många gånger på kort tid" in card_text(connector.sent[-1].card)


def _person(user_id: str) -> Person:
    return Person(user_id, "", "")


async def test_a_command_naming_thousands_of_criteria_is_refused_with_a_clear_message(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    """43,000 Krav IDs (258 KB) once stalled everyone while each was looked up; a command
    names at most five, and says so."""
    ids = " ".join(str(10000 + n) for n in range(43_000))
    for command in ("jämför", "uppföljningsplan"):
        connector.clear()
        status, _ = await bot.post(activities.message(connector.url, f"{command} {ids}"))
        assert status == 200
        assert "högst 5 Krav ID" in card_text(connector.sent[-1].card)
    connector.clear()
    await bot.post(activities.message(connector.url, "jämför 11567 LOK-101"))
    assert "Jämförelse" in card_text(connector.sent[-1].card)


def _malformed(service_url: str, kind: str) -> dict[str, Any]:
    """The four activities that once raised unhandled errors (answered 200, logged as errors)."""
    if kind == "members-added-empty":
        activity = activities.bot_added(service_url)
        activity["membersAdded"] = [{}]
    elif kind == "conversation-with-nul":
        activity = activities.message(service_url, "hjälp", conversation_id="a:personal\x00x")
    elif kind == "select-item-kind-object":
        activity = activities.invoke(
            service_url, "composeExtension/selectItem", {"kind": {"a": 1}, "id": "11567/bas"}
        )
    else:
        activity = activities.message(service_url, "hjälp")
        activity["serviceUrl"] = "str"
    return activity


@pytest.mark.parametrize(
    "kind",
    ["members-added-empty", "conversation-with-nul", "select-item-kind-object", "service-url"],
)
async def test_malformed_activities_get_a_client_error_or_are_ignored_without_an_error(
    bot: BotServer, connector: ConnectorStandIn, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    status, _ = await bot.post(_malformed(connector.url, kind))
    assert status in (200, 400)
    errors = [r.getMessage() for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    assert errors == []
    connector.clear()
    assert (await bot.post(activities.message(connector.url, "hjälp")))[0] == 200
    assert "Det här kan jag" in card_text(connector.sent[-1].card)
