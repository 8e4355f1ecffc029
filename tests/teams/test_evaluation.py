"""The region's evaluation in Teams: an admin makes someone coordinator (audited), who then
sees the statistics card and downloads the quarter's workbook; nobody else does."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from openpyxl import load_workbook

from bot.audit import AuditLog
from tests.conftest import local_settings
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, card_nodes, card_text
from tests.teams.test_criteria_questions import ask, click

KIM = {"user_id": "29:kim", "aad_id": "aad-kim", "name": "Kim Samordnare",
       "conversation_id": "a:personal-kim"}  # fmt: skip


@pytest.fixture
async def admin_bot(tmp_path: Path) -> AsyncIterator[BotServer]:
    server = BotServer(local_settings(tmp_path, admin_ids=frozenset({"aad-alex"})))
    await server.start()
    yield server
    await server.stop()


async def _download(bot: BotServer, card: dict[str, object]) -> tuple[int, bytes]:
    link = next(n["url"] for n in card_nodes(card) if n.get("type") == "Action.OpenUrl")
    url = str(link).replace(bot.settings.public_url, bot.url)
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.read()


async def test_a_coordinator_sees_the_statistics_and_downloads_the_report(
    admin_bot: BotServer, connector: ConnectorStandIn
) -> None:
    refused = card_text(await ask(admin_bot, connector, "statistik", **KIM))
    assert "samordnare och nodens administratörer" in refused
    granted = card_text(await ask(admin_bot, connector, "samordnare teams:29:kim"))
    assert "är nu samordnare" in granted
    assert admin_bot.node is not None
    events = await AuditLog(admin_bot.node.store, admin_bot.node.clock).recent(5)
    assert any(e.action == "coordinator.grant" for e in events)

    card = await ask(admin_bot, connector, "statistik", **KIM)
    assert "Följer konsekvent upp" in card_text(card)
    assert "före noden 1 av 25" in card_text(card)  # beside the study's baseline
    button = next(n for n in card_nodes(card) if n.get("verb") == "stats.report")
    report = await click(admin_bot, connector, button["data"], **KIM)
    status, body = await _download(admin_bot, report)
    assert status == 200
    book = load_workbook(io.BytesIO(body))
    assert "Sammanfattning" in book.sheetnames

    assert "Jag förstår inte kvartalet" in card_text(
        await ask(admin_bot, connector, "rapport 2026Q9", **KIM))  # fmt: skip
    await ask(admin_bot, connector, "samordnare teams:29:kim ingen")
    assert "samordnare och nodens administratörer" in card_text(
        await ask(admin_bot, connector, "rapport", **KIM))  # fmt: skip


async def test_a_report_in_english_for_an_english_speaker(
    admin_bot: BotServer, connector: ConnectorStandIn
) -> None:
    card = await ask(admin_bot, connector, "report 2026Q3", locale="en-US")
    assert "The report for 2026Q3 is ready" in card_text(card)
    status, body = await _download(admin_bot, card)
    assert status == 200
    assert load_workbook(io.BytesIO(body)).sheetnames[0] == "Summary"
