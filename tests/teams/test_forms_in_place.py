"""Forms are sent with Action.Execute: a problem comes back in the same card, the fields
marked and what was written kept; success replaces the form."""

from __future__ import annotations

from typing import Any

from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, card_nodes, card_text
from tests.teams.test_criteria_questions import action, ask, click


def _send(form: dict[str, Any]) -> dict[str, Any]:
    (send,) = [a for a in form["actions"] if a["type"] == "Action.Execute"]
    return dict(send["data"])


def _marked_after(form: dict[str, Any], field: str) -> str:
    """The warning shown right below the input `field` ("" when none)."""
    containers = [n["items"] for n in card_nodes(form) if isinstance(n.get("items"), list)]
    for elements in [form["body"], *containers]:
        ids = [e.get("id") for e in elements]
        if field in ids:
            at = ids.index(field)
            break
    after = elements[at + 1] if at + 1 < len(elements) else {}
    return str(after.get("text", "")) if after.get("color") == "Attention" else ""


async def _execute(
    bot: BotServer, connector: ConnectorStandIn, value: dict[str, Any]
) -> dict[str, Any]:
    connector.clear()
    status, body = await bot.post(activities.execute(connector.url, value))
    assert status == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    return dict(body["value"])


async def test_a_missing_municipality_is_marked_in_the_same_form(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    answer = await ask(bot, connector, "miljökrav på städtjänster")
    form = await click(bot, connector, action(answer, "expert.ask"))
    question = "Kan vi kräva svanenmärkta städkemikalier i vår upphandling?"
    value = {**_send(form), "question": question, "area": "stad-och-kemikalier",
             "municipality": "", "consent": "false"}  # fmt: skip
    again = await _execute(bot, connector, value)
    assert connector.sent == []  # no second copy of the form below the first
    assert "kommun" in _marked_after(again, "municipality").lower()
    assert _marked_after(again, "question") == ""
    kept = next(n for n in card_nodes(again) if n.get("id") == "question")
    assert kept["value"] == question
    done = await _execute(bot, connector, {**value, "municipality": "Lund"})
    assert "skickad" in card_text(done)
    receipt = await connector.wait_for(1)
    assert "ärendenummer" in card_text(receipt[0].card)


async def test_a_shared_analysis_with_a_bad_link_is_marked_in_place(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    form = await ask(bot, connector, "dela marknadsanalys")
    value = {**_send(form), "title": "Fossilfria transporter", "area": "fordon-och-transport",
             "municipality": "Lund", "date": "2026-10-01", "summary": "Kort.",
             "link": "ftp://x"}  # fmt: skip
    again = await _execute(bot, connector, value)
    assert connector.sent == []
    assert _marked_after(again, "link")
    assert next(n for n in card_nodes(again) if n.get("id") == "title")["value"] == (
        "Fossilfria transporter"
    )


async def test_the_share_forms_open_in_the_words_people_use(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    for text, title in (("share market analysis", "Share a market analysis"),
                        ("dela analys", "Dela en marknadsanalys"),
                        ("share followup", "Share a completed follow-up")):  # fmt: skip
        form = await ask(bot, connector, text, locale="en-US")
        assert title in card_text(form), text
