"""An answer is a few short rows: details open in place, "Fler träffar" pages in place."""

from __future__ import annotations

from typing import Any

from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, card_nodes, card_text, shown
from tests.teams.test_criteria_questions import ask


def _rows(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for n in card_nodes(card) if n.get("type") == "ColumnSet" and "selectAction" in n]


def _hidden(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["id"]: n for n in card_nodes(card) if n.get("isVisible") is False and "id" in n}


def _names(card: dict[str, Any]) -> set[str]:
    return {
        next(n["text"] for n in card_nodes(r) if n.get("type") == "TextBlock") for r in _rows(card)
    }


def _more(card: dict[str, Any]) -> dict[str, Any]:
    (button,) = [a for a in card.get("actions", []) if a.get("verb") == "answer.more"]
    return dict(button["data"])


async def _execute(bot: BotServer, connector: ConnectorStandIn, data: dict[str, Any]) -> Any:
    status, body = await bot.post(activities.execute(connector.url, data))
    assert status == 200
    return shown(body)


async def test_hits_are_short_rows_whose_details_open_in_place(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    card = await ask(bot, connector, "miljökrav på städtjänster")
    rows, hidden = _rows(card), _hidden(card)
    assert len(rows) == 3
    for row in rows:
        toggle = row["selectAction"]
        assert toggle["type"] == "Action.ToggleVisibility"
        (target,) = toggle["targetElements"]
        details = card_text(hidden[target])  # kravtext, proof and follow-up, hidden at first
        assert "Verifikat" in details
        assert "Uppföljning" in details
        row_lines = [n for n in card_nodes(row) if n.get("type") == "TextBlock"]
        assert row_lines[2]["maxLines"] == 1  # one line of kravtext
        assert "Krav ID" in row_lines[1]["text"]
    # What stays visible is the rows and a few buttons, not three criteria in full.
    assert len(card["actions"]) <= 3
    assert "choose" in hidden  # compare and plan checkboxes open on request


async def test_more_hits_replace_the_card_with_the_next_page(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    first = await ask(bot, connector, "miljökrav på städtjänster")
    connector.clear()
    second = await _execute(bot, connector, _more(first))
    assert "sida 2" in card_text(second)
    assert _names(second)
    assert not _names(first) & _names(second)
    assert connector.sent == []  # the page came in place, not as a new message


async def test_a_forged_page_gets_a_clear_answer(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    for page in (0, 99, "2", True, None):
        card = await _execute(
            bot, connector, {"verb": "answer.more", "question": "x", "page": page}
        )
        assert "förstod inte" in card_text(card).lower() or "knappen" in card_text(card).lower()


async def test_swedish_text_goes_to_teams_as_utf8(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    # A long expert answer full of å, ä and ö: ASCII-escaped JSON would be three times the
    # bytes; sent as UTF-8 it stays under Teams' limit and arrives.
    card = await ask(bot, connector, "ö" * 1500 + " städkemikalier " + "å" * 1500)
    assert card["type"] == "AdaptiveCard"
    assert connector.too_big == 0
