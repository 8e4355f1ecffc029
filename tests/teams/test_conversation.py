"""The basic conversation, end to end over HTTP: install, help, unknown input, retries,
bad bodies and tenants."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.config import Settings
from bot.storage import Record
from bot.teams._references import InboundLedger
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, card_text


@pytest.mark.parametrize("conversation_type", ["personal", "channel"])
async def test_installing_the_bot_greets_with_a_welcome_card(
    bot: BotServer, connector: ConnectorStandIn, conversation_type: str
) -> None:
    status, _ = await bot.post(
        activities.bot_added(connector.url, conversation_type=conversation_type)
    )
    assert status == 200
    (sent,) = connector.sent
    text = card_text(sent.card)
    assert "Välkommen till Miljökravsnoden" in text
    assert "hjälp" in text
    assert sent.card["version"] == "1.5"


async def test_help_lists_the_commands_in_swedish(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    await bot.post(activities.message(connector.url, "hjälp"))
    (sent,) = connector.sent
    text = card_text(sent.card)
    assert "Det här kan jag" in text
    for command in ("kriterium", "nivåer", "jämför"):
        assert command in text


async def test_help_answers_in_english_for_an_english_locale(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    await bot.post(activities.message(connector.url, "help", locale="en-US"))
    assert "What I can do" in card_text(connector.sent[0].card)


async def test_help_in_a_channel_works_through_the_mention(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    await bot.post(activities.message(connector.url, "hjälp", conversation_type="channel"))
    (sent,) = connector.sent
    assert sent.conversation_id == "19:general@thread.tacv2"
    assert "Det här kan jag" in card_text(sent.card)


async def test_a_mistyped_command_gets_a_suggestion(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    await bot.post(activities.message(connector.url, "hjälpp"))
    text = card_text(connector.sent[0].card)
    assert "hjälp" in text


async def test_a_repeated_delivery_is_acknowledged_but_answered_once(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    activity = activities.message(connector.url, "hjälp")
    first, _ = await bot.post(activity)
    second, _ = await bot.post(activity)
    assert (first, second) == (200, 200)
    assert len(connector.sent) == 1


async def test_a_turn_that_never_finished_is_processed_when_retried(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    """A process killed mid-turn leaves its mark unfinished: Teams' retry must not be dropped
    for it, while a retry of a finished turn still is."""
    activity = activities.message(connector.url, "hjälp")
    assert bot.node is not None
    # The killed process: its own ledger on the same store took the mark, then died.
    dead = InboundLedger(bot.node.store, bot.node.clock)
    assert await dead.take(activity["conversation"]["id"], activity["id"])
    status, _ = await bot.post(activity)
    assert status == 200
    assert len(connector.sent) == 1
    status, _ = await bot.post(activity)  # finished now: the next retry is dropped
    assert status == 200
    assert len(connector.sent) == 1


async def test_every_activity_keeps_the_conversation_reference(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    await bot.post(activities.message(connector.url, "hjälp"))
    assert bot.node is not None
    record = await bot.node.store.get("conversations", "ref", "a:personal-alex")
    assert record is not None
    assert record.data["reference"]["serviceUrl"] == connector.url
    person = await bot.node.store.get("people", "ref", "29:user-alex")
    assert person is not None
    assert person.data["name"] == "Alex Wilber"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b'{"text": "no type here"}', 400),
        (b"[1, 2, 3]", 400),
        (b'{"type": "message", "text": "x"}', 400),  # no conversation nor serviceUrl
        (b'{"type": "message", "conversation": 5, "serviceUrl": "x"}', 400),
        (b'{"type": "message", "text": "' + b"a" * 300_000 + b'"}', 413),
    ],
)
async def test_bad_bodies_get_4xx_and_the_server_keeps_serving(
    bot: BotServer, connector: ConnectorStandIn, body: bytes, status: int
) -> None:
    got, _ = await bot.post(body)
    assert got == status
    assert connector.sent == []
    # Recovery: the next good message is answered.
    await bot.post(activities.message(connector.url, "hjälp"))
    assert "Det här kan jag" in card_text(connector.sent[0].card)


async def test_wrong_content_type_is_refused(bot: BotServer) -> None:
    status, _ = await bot.post(b"hello", headers={"Content-Type": "text/plain"})
    assert status == 415


async def test_health_and_readiness(bot: BotServer) -> None:
    assert await bot.get("/healthz") == (200, {"status": "alive"})
    await bot.services.data_check.run()  # as at start and hourly
    ready = {"status": "ready", "storage": "ok", "graph": "off", "identity": "off", "data": "ok",
             "settings": "ok"}  # fmt: skip
    assert await bot.get("/readyz") == (200, ready)


async def test_readiness_fails_while_stored_data_cannot_be_read(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    """A ticket whose number is "x" (a damaged restore once left one) made `öppna frågor`
    and `statistik` fail while /readyz said 200."""
    assert bot.node is not None
    await bot.post(activities.message(connector.url, "fråga expert"))
    await bot.node.store.upsert("tickets", Record("t", "0000009", {"number": "x"}))
    await bot.services.data_check.run()
    status, body = await bot.get("/readyz")
    assert status == 503
    assert body["data"] == "damaged"


async def test_nothing_is_lost_when_a_turn_fails_midway(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    assert bot.node is not None
    await bot.node.store.upsert("conversations", Record("ref", "keep", {"reference": {}}))
    await connector.stop()  # replies cannot be delivered: the turn fails
    status, _ = await bot.post(activities.message(connector.url, "hjälp"))
    assert status == 200
    assert await bot.node.store.get("conversations", "ref", "keep") is not None


async def test_the_apps_website_page_is_served(bot: BotServer) -> None:
    """The manifest's websiteUrl is the node's own address: a real page, not a 404."""
    import aiohttp

    async with aiohttp.ClientSession() as session, session.get(bot.url + "/") as response:
        assert response.status == 200
        page = await response.text()
    assert "Miljökravsnoden" in page
    assert 'href="/privacy"' in page


async def test_readiness_names_an_unresolved_key_vault_reference(
    tmp_path: Path, connector: ConnectorStandIn
) -> None:
    reference = "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/node-digest/)"
    settings = Settings.from_env({"NODE_DATA_DIR": str(tmp_path), "NODE_DIGEST_SECRET": reference})
    server = BotServer(settings)
    await server.start()
    try:
        status, body = await server.get("/readyz")
        assert status == 503
        assert body["settings"] == "unresolved Key Vault reference: NODE_DIGEST_SECRET"
        assert "vault.azure.net" not in json.dumps(body)
    finally:
        await server.stop()
