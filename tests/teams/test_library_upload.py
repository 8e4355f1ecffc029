"""An admin sends the criteria library's export in the 1:1 chat: the change set comes back
first, and the import happens only when they click, from the same file (checked), fetched
only from an allowed host. Nobody else can import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests.conftest import local_settings
from tests.criteria.test_importer import GOOD, HEADER
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, card_nodes, card_text
from tests.support.localserver import LocalServer
from tests.teams.test_criteria_questions import ask, click

PROCURER = {"user_id": "29:kim", "aad_id": "aad-kim", "name": "Kim",
            "conversation_id": "a:personal-kim"}  # fmt: skip


class FileHost(LocalServer):
    """Where Teams would keep the sent file (SharePoint/OneDrive), on loopback."""

    def __init__(self) -> None:
        super().__init__()
        self.content = ";".join(HEADER) + "\n" + ";".join(GOOD) + "\n"

    def routes(self, app: web.Application) -> None:
        async def serve(request: web.Request) -> web.Response:
            return web.Response(body=self.content.encode())

        app.router.add_get("/export.csv", serve)


@pytest.fixture
async def files() -> AsyncIterator[FileHost]:
    host = FileHost()
    await host.start()
    yield host
    await host.stop()


@pytest.fixture
async def node(tmp_path: Path) -> AsyncIterator[BotServer]:
    settings = local_settings(tmp_path, admin_ids=frozenset({"aad-alex"}),
                              file_hosts=("127.0.0.1",))  # fmt: skip
    server = BotServer(settings)
    await server.start()
    yield server
    await server.stop()


def sent_file(connector: ConnectorStandIn, url: str, **who: str) -> dict[str, Any]:
    activity = activities.message(connector.url, "", **who)
    activity["attachments"] = [{
        "contentType": "application/vnd.microsoft.teams.file.download.info",
        "name": "export.csv", "content": {"downloadUrl": url, "fileType": "csv"}}]  # fmt: skip
    return activity


async def test_an_admin_previews_then_imports_the_export(
    node: BotServer, connector: ConnectorStandIn, files: FileHost
) -> None:
    url = f"{files.url}export.csv"
    connector.clear()
    await node.post(sent_file(connector, url))
    (preview,) = connector.sent
    text = card_text(preview.card)
    assert "Så här skulle export.csv ändra kriteriebiblioteket" in text
    assert "20001" in text
    buttons = {n["title"]: n["data"] for n in card_nodes(preview.card)
               if n.get("type") == "Action.Execute"}  # fmt: skip
    apply = next(data for title, data in buttons.items() if title.startswith("Importera (1 nya"))
    assert "20001" not in card_text(await ask(node, connector, "snålspolande duschar"))
    done = await click(node, connector, apply)
    assert "Importerat: 1 nya" in card_text(done)
    assert "20001" in card_text(await ask(node, connector, "snålspolande duschar"))


async def test_a_file_changed_after_the_preview_is_not_imported(
    node: BotServer, connector: ConnectorStandIn, files: FileHost
) -> None:
    connector.clear()
    await node.post(sent_file(connector, f"{files.url}export.csv"))
    (preview,) = connector.sent
    apply = next(n["data"] for n in card_nodes(preview.card) if n.get("type") == "Action.Execute")
    files.content += ";".join(["20002", *GOOD[1:]]) + "\n"
    assert "har ändrats sedan förhandsvisningen" in card_text(await click(node, connector, apply))


async def test_only_admins_and_only_from_allowed_hosts(
    node: BotServer, connector: ConnectorStandIn, files: FileHost
) -> None:
    connector.clear()
    await node.post(sent_file(connector, f"{files.url}export.csv", **PROCURER))
    assert "bara emot från nodens administratörer" in card_text(connector.sent[-1].card)
    connector.clear()
    await node.post(sent_file(connector, "http://example.com/export.csv"))
    assert "bara hämta filer som skickats i Teams" in card_text(connector.sent[-1].card)
