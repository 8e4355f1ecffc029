"""Search from the compose box and link unfurling: the three invokes over real HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.teams._handlers.compose import SEARCH_COMMAND
from cards.actions import ShareAnalysis
from tests.sharing.test_sharing import ANALYSIS
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, card_nodes, card_text

MANIFEST = Path(__file__).parents[2] / "deployment" / "appPackage" / "manifest.json"


def query(text: Any, **options: Any) -> dict[str, Any]:
    return {"commandId": SEARCH_COMMAND, "parameters": [{"name": "query", "value": text}],
            "queryOptions": {"skip": 0, "count": 10, **options}}  # fmt: skip


async def invoke(
    bot: BotServer, connector: ConnectorStandIn, name: str, value: Any, **kw: Any
) -> list[dict[str, Any]]:
    status, body = await bot.post(activities.invoke(connector.url, name, value, **kw))
    assert status == 200
    extension = body["composeExtension"]
    assert extension["type"] == "result"
    return list(extension["attachments"])


def buttons_for_the_bot(card: dict[str, Any]) -> list[dict[str, Any]]:
    kinds = {"Action.Submit", "Action.Execute", "Action.ShowCard"}
    return [n for n in card_nodes(card) if n.get("type") in kinds]


async def test_typing_in_the_compose_box_finds_criteria_and_picking_one_inserts_it(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    results = await invoke(bot, connector, "composeExtension/query", query("städkemikalier"))
    assert results
    first = results[0]["preview"]
    assert first["contentType"] == "application/vnd.microsoft.card.thumbnail"
    assert first["content"]["title"] == "Städkemikalier"
    assert first["content"]["subtitle"] == "11567 · Basnivå"
    assert first["content"]["text"].startswith("Teknisk specifikation: ")
    assert "Kravtext" in card_text(results[0]["content"])  # picking it inserts the full card
    # A result's tap (Teams clients whose results carry one) gets the full card too.
    picked = await invoke(
        bot, connector, "composeExtension/selectItem", {"kind": "criterion", "id": "11567/bas"}
    )
    (card,) = picked
    text = card_text(card["content"])
    assert "Kravtext" in text  # the full criterion
    assert "Verifikat" in text
    # Inserted where the bot may not be: links only, no button that needs the bot.
    assert buttons_for_the_bot(card["content"]) == []
    assert connector.sent == []  # nothing goes to the chat until the person sends it


async def test_published_answers_and_shared_items_are_found_too(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    shared = {"verb": ShareAnalysis.VERB, **ANALYSIS}
    status, _ = await bot.post(activities.submit(connector.url, shared))
    assert status == 200
    results = await invoke(bot, connector, "composeExtension/query", query("godstransporter"))
    subtitles = " ".join(r["preview"]["content"]["subtitle"] for r in results)
    assert "Basnivå" in subtitles
    assert "Marknadsanalys" in subtitles


async def test_the_compose_box_speaks_the_persons_language(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    results = await invoke(
        bot, connector, "composeExtension/query", query("cleaning chemicals"), locale="en-US"
    )
    assert "Basic level" in results[0]["preview"]["content"]["subtitle"]


async def test_a_pasted_criterion_link_unfurls_into_its_card(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    url = (
        "https://www.upphandlingsmyndigheten.se/kriterier/stad-och-kemikalier/stadkemikalier/11567/"
    )
    (card,) = await invoke(bot, connector, "composeExtension/queryLink", {"url": url})
    assert "Städkemikalier" in card_text(card["content"])
    assert buttons_for_the_bot(card["content"]) == []
    several = "https://upphandlingsmyndigheten.se/kriterier/transporter/10699%3A2"
    (levels,) = await invoke(bot, connector, "composeExtension/queryLink", {"url": several})
    text = card_text(levels["content"])
    assert "alla nivåer" in text
    assert "Avancerad nivå" in text
    assert "Spjutspetsnivå" in text


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("composeExtension/query", query("")),
        ("composeExtension/query", query(None)),
        ("composeExtension/query", query(["x"])),
        ("composeExtension/query", query("x" * 100_000)),
        ("composeExtension/query", query("städ", skip=-5, count=10**9)),
        ("composeExtension/query", query("städ", skip="a", count=True)),
        ("composeExtension/query", {**query("städ"), "commandId": "other"}),
        ("composeExtension/query", {"parameters": "x"}),
        ("composeExtension/query", [1, 2]),
        ("composeExtension/query", None),
        ("composeExtension/selectItem", {"kind": "criterion", "id": "99999/bas"}),
        ("composeExtension/selectItem", {"kind": "ticket", "id": "1"}),
        ("composeExtension/selectItem", {"kind": "analysis", "id": "analysis/../#?x"}),
        ("composeExtension/selectItem", {"kind": "criterion", "id": 11567}),
        ("composeExtension/selectItem", "x"),
        ("composeExtension/queryLink", {"url": "https://evil.example/kriterier/11567"}),
        ("composeExtension/queryLink", {"url": "javascript:alert(1)"}),
        ("composeExtension/queryLink", {"url": "https://[::1"}),
        ("composeExtension/queryLink", {"url": "https://www.upphandlingsmyndigheten.se/"}),
        ("composeExtension/queryLink", {"url": 5}),
        ("composeExtension/queryLink", {}),
    ],
)
async def test_bad_parameters_get_an_empty_result(
    bot: BotServer, connector: ConnectorStandIn, name: str, value: Any
) -> None:
    assert await invoke(bot, connector, name, value) == []


def test_the_manifest_declares_the_search_command_and_the_link_domain() -> None:
    manifest = json.loads(MANIFEST.read_text("utf-8"))
    (extension,) = manifest["composeExtensions"]
    assert [c["id"] for c in extension["commands"]] == [SEARCH_COMMAND]
    (handler,) = extension["messageHandlers"]
    assert "www.upphandlingsmyndigheten.se" in handler["value"]["domains"]


async def test_a_card_inserted_into_the_bots_chat_is_not_taken_for_a_question(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    placeholder = (
        '\n<span class="inline-compose-card" itemid="0" '
        'itemtype="http://schema.skype.com/InputExtension">\n'
        '  <span content="0" itemprop="cardId"></span>\n</span>\n'
    )
    card = (await invoke(bot, connector, "composeExtension/query", query("städkemikalier")))[0]
    message = activities.message(connector.url, placeholder)
    message["attachments"] = [{"contentType": card["contentType"], "content": card["content"]}]
    status, _ = await bot.post(message)
    assert status == 200
    assert connector.sent == []
    # Words written next to the card are still read.
    asked = activities.message(connector.url, placeholder + " städkemikalier")
    status, _ = await bot.post(asked)
    assert status == 200
    (answer,) = connector.sent
    assert "Städkemikalier" in card_text(answer.card)
