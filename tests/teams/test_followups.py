"""Agreements and follow-ups in Teams, over HTTP: the form (errors in place, nothing stored
half), the reminder from the background round, acting on it, joint follow-up, permissions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from tests.conftest import TODAY, local_settings
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, card_nodes, card_text
from tests.teams.test_criteria_questions import ask, click

# The time-sensitive tests run again at other pinned instants (make test-calendar).
pytestmark = pytest.mark.calendar

ALEX_CHAT = "a:personal-alex"
BO = {"user_id": "29:bo", "aad_id": "aad-bo", "name": "Bo Berg",
      "conversation_id": "a:personal-bo"}  # fmt: skip


def starting_for_due_in(days: int) -> str:
    """An agreement start whose first quarterly follow-up is due `days` from today."""
    return (TODAY - relativedelta(months=3) + timedelta(days=days)).isoformat()


async def execute(node: BotServer, connector: ConnectorStandIn, value: dict[str, Any]) -> Any:
    """A form sent with Action.Execute; the card that replaces it."""
    connector.clear()
    status, body = await node.post(activities.execute(connector.url, value))
    assert status == 200
    return body["value"]


def form_values(**change: str) -> dict[str, Any]:
    values = {"verb": "agreement.create", "municipality": "Lund", "title": "Lokalvård skolor",
              "area": "stad-och-kemikalier", "product_group": "Städtjänster",
              "supplier": "Städbolaget AB", "org_number": "556036-0793", "framework": "false",
              "start": starting_for_due_in(5), "end": "2029-12-31",
              "responsible": "alex.wilber@lund.se", "criteria": "11567", "interval": "kvartal",
              "shared": "true"}  # fmt: skip
    return {**values, **change}


@pytest.fixture
async def node(tmp_path: Path, connector: ConnectorStandIn) -> AsyncIterator[BotServer]:
    """The node with its background round every 0.2 s; Alex (an admin) and Bo have written
    to it 1:1, so it knows their e-mail addresses."""
    settings = local_settings(tmp_path, routing_interval_s=0.2, admin_ids=frozenset({"aad-alex"}))
    server = BotServer(settings)
    await server.start(demo=False)
    connector.emails["29:bo"] = "bo@malmo.se"
    await server.post(activities.message(connector.url, "hjälp"))
    await server.post(activities.message(connector.url, "hjälp", **BO))
    connector.clear()
    yield server
    await server.stop()


def buttons(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every submit button of a card (forms opened in place included), by title."""
    found = {}
    for node in card_nodes(card):
        if node.get("type") == "Action.ShowCard":
            for inner in node["card"]["actions"]:
                found[node["title"]] = inner["data"]
        elif node.get("type") in ("Action.Submit", "Action.Execute") and isinstance(
            node.get("data"), dict
        ):
            found[node["title"]] = node["data"]
    return found


async def reminder_for(connector: ConnectorStandIn, chat: str) -> dict[str, Any]:
    for _ in range(100):
        cards = [s.card for s in connector.to(chat) if "Uppföljning" in card_text(s.card)]
        if cards:
            return cards[-1]
        await asyncio.sleep(0.05)
    raise AssertionError("no reminder arrived")


async def test_a_bad_form_comes_back_marked_and_stores_nothing(
    node: BotServer, connector: ConnectorStandIn
) -> None:
    form = await ask(node, connector, "nytt avtal")
    assert "Registrera avtal" in card_text(form)
    field = next(n for n in card_nodes(form) if n.get("id") == "responsible")
    assert field["value"] == "alex.wilber@lund.se"  # preset: the person registering
    bad = form_values(org_number="556036-0794", end="2020-01-01", criteria="99999")
    again = await click(node, connector, bad)
    text = card_text(again)
    for problem in ("giltigt svenskt organisationsnummer", "Avtalsslut måste komma efter",
                    "Krav-ID som finns i kriteriebiblioteket"):  # fmt: skip
        assert problem in text
    assert next(n for n in card_nodes(again) if n.get("id") == "title")["value"] == (
        "Lokalvård skolor"
    )
    assert node.node is not None
    assert await node.node.store.query("agreements") == []


async def test_the_responsible_person_is_reminded_and_records_a_result(
    node: BotServer, connector: ConnectorStandIn
) -> None:
    created = await click(node, connector, form_values())
    assert "Avtalet är registrerat" in card_text(created)
    reminder = await reminder_for(connector, ALEX_CHAT)
    text = card_text(reminder)
    assert "Om 14 dagar" in text
    assert "Städkemikalier" in text
    await asyncio.sleep(0.6)  # more rounds: still one reminder
    assert len([s for s in connector.to(ALEX_CHAT) if "Uppföljning" in card_text(s.card)]) == 1
    record = buttons(reminder)["Registrera resultat"]
    result = {**record, "result": "gron", "method": "stickprov", "checked": "Produktblad",
              "done_on": TODAY.isoformat(), "share": "true"}  # fmt: skip
    # Action.Execute: a problem comes back in the same card (nothing new in the chat).
    again = await execute(node, connector, {**result, "done_on": "2999-01-01"})
    assert "Städkemikalier" in card_text(again)
    assert "datum" in card_text(again).lower()
    assert connector.sent == []
    done = await execute(node, connector, result)
    assert "Resultatet är registrerat för 1 avtal" in card_text(done)
    found = card_text(await ask(node, connector, "kriterium 11567"))
    assert "uppfyllt (1)" in found  # "Så har andra följt upp" grew by itself
    assert "stickprov: 0 av 1 hittade avvikelser" in found  # which methods find deviations


async def test_someone_else_cannot_record_or_postpone(
    node: BotServer, connector: ConnectorStandIn
) -> None:
    await click(node, connector, form_values())
    reminder = await reminder_for(connector, ALEX_CHAT)
    for title, extra in (("Registrera resultat", {"result": "gron", "checked": "x"}),
                         ("Skjut upp", {"new_date": "2030-01-01", "reason": "x"})):  # fmt: skip
        refused = await click(node, connector, {**buttons(reminder)[title], **extra}, **BO)
        assert "Bara den avtalsansvariga" in card_text(refused)


async def test_twenty_takers_of_a_joint_follow_up_over_http_one_wins(
    node: BotServer, connector: ConnectorStandIn
) -> None:
    # Malmö's first: Alex's reminder, sent by the next round, knows of it.
    await click(node, connector, form_values(municipality="Malmö", title="Lokalvård",
                                             responsible="bo@malmo.se"), **BO)  # fmt: skip
    await click(node, connector, form_values())
    reminder = await reminder_for(connector, ALEX_CHAT)
    assert "Malmö följer också upp Städbolaget AB på 11567" in card_text(reminder)
    take = buttons(reminder)["Ta gemensam uppföljning"]
    connector.clear()
    people = [{"user_id": f"29:t{n}", "aad_id": f"aad-t{n}", "name": f"T {n}",
               "conversation_id": f"a:personal-t{n}"} for n in range(20)]  # fmt: skip
    await asyncio.gather(*(node.post(activities.submit(connector.url, take, **p)) for p in people))
    answers = [
        card_text(s.card) for s in connector.sent if s.conversation_id.startswith("a:personal-t")
    ]
    assert sum("Du gör nu den gemensamma uppföljningen" in a for a in answers) == 1
    losers = [a for a in answers if "Du gör nu" not in a]
    assert len(losers) == 19
    assert all("Den gemensamma uppföljningen görs av" in a for a in losers)
    told = [
        s for s in connector.to("a:personal-bo") if "gemensamma uppföljningen" in card_text(s.card)
    ]
    assert len(told) == 1  # Malmö's responsible person is told who does it
