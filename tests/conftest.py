from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import Clock, parse_instant
from bot.config import Settings
from bot.criteria import CriteriaLibrary
from bot.storage import Store
from bot.storage._azure import AzureTableStore
from bot.storage._sqlite import SqliteStore
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn
from tests.support.identity import ChannelIssuer, TokenEndpoint
from tests.support.processes import Azurite

ZONE = ZoneInfo("Europe/Stockholm")
# Time is an input: every test runs at one pinned instant, NODE_TEST_NOW or else this one, a
# Monday evening of an odd ISO week (49). `make test` also runs the time-sensitive tests
# (marker `calendar`) at three more: the Friday before midsummer (midsommarafton, a day off)
# at 16:59, New Year's Eve at 23:59, and 02:30 in the night the clocks go back (see Makefile).
DEFAULT_INSTANT = "2026-11-30T19:00:00+01:00"
INSTANT_TEXT = os.environ.get("NODE_TEST_NOW", "").strip() or DEFAULT_INSTANT
INSTANT: datetime = parse_instant(INSTANT_TEXT, ZONE).astimezone(ZONE)
TODAY = INSTANT.date()  # the pinned instant's date in Stockholm


def pytest_report_header() -> str:
    return f"pinned instant: {INSTANT.isoformat()} (NODE_TEST_NOW)"


@pytest.fixture
def clock() -> Clock:
    """The node's clock, frozen at the pinned instant: it moves only when the test moves it."""
    return Clock.frozen_at(ZONE, INSTANT)


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    server = Azurite()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "azure"])
async def store(
    request: pytest.FixtureRequest, tmp_path: Path, azurite: Azurite
) -> AsyncIterator[Store]:
    """Each backend in turn: tests written once run against both."""
    backend: Store
    if request.param == "sqlite":
        backend = SqliteStore(tmp_path / "store.sqlite3")
    else:
        # A fresh table prefix per test: Azurite's tables live for the whole session.
        backend = AzureTableStore(azurite.connection_string, prefix="t" + uuid.uuid4().hex[:10])
    yield backend
    await backend.close()


@pytest.fixture
async def connector() -> AsyncIterator[ConnectorStandIn]:
    stand_in = ConnectorStandIn()
    await stand_in.start()
    yield stand_in
    await stand_in.stop()


def local_settings(tmp_path: Path, **overrides: object) -> Settings:
    """Settings as `make run` has them: SQLite in a fresh data directory, no app id; the
    node's clock starts at the pinned instant and runs on."""
    values: dict[str, object] = {"data_dir": tmp_path / "data", "test_now": INSTANT.isoformat()}
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def backend_settings(
    backend: str, tmp_path: Path, azurite: Azurite, **overrides: object
) -> Settings:
    """Local settings on SQLite, or on Azurite under a table prefix of its own."""
    if backend == "azure":
        overrides = {"storage_connection_string": azurite.connection_string,
                     "table_prefix": "t" + uuid.uuid4().hex[:10], **overrides}  # fmt: skip
    return local_settings(tmp_path, **overrides)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[BotServer]:
    server = BotServer(local_settings(tmp_path))
    await server.start()
    yield server
    await server.stop()


@pytest.fixture(params=["sqlite", "azure"])
async def any_bot(
    request: pytest.FixtureRequest, tmp_path: Path, azurite: Azurite
) -> AsyncIterator[BotServer]:
    """The node on each backend in turn, for what concurrency or storage could break."""
    server = BotServer(backend_settings(request.param, tmp_path, azurite))
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def authority(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TokenEndpoint]:
    """A local Entra-like authority over TLS that msal gets the bot's tokens from."""
    server = TokenEndpoint(tmp_path)
    server.start()
    # msal talks https through requests; trust the local authority's self-signed certificate.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(server.ca_file))
    yield server
    server.stop()


@pytest.fixture
def issuer() -> Iterator[ChannelIssuer]:
    """A local Bot Framework token issuer: OpenID metadata and signing keys."""
    server = ChannelIssuer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
async def sample_library() -> AsyncIterator[CriteriaLibrary]:
    """The bundled sample library, read-only: shared by the search and card tests."""
    store = SqliteStore(Path(":memory:"))
    library = CriteriaLibrary(store, Clock.frozen_at(ZONE, INSTANT))
    await library.load()
    yield library
    await store.close()
