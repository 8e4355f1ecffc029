from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.criteria import CriteriaLibrary
from bot.storage import Store
from bot.storage._azure import AzureTableStore
from bot.storage._sqlite import SqliteStore
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn
from tests.support.identity import ChannelIssuer, TokenEndpoint
from tests.support.processes import Azurite


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
    """Settings as `make run` has them: SQLite in a fresh data directory, no app id."""
    values: dict[str, object] = {"data_dir": tmp_path / "data"}
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
    library = CriteriaLibrary(store)
    await library.load()
    yield library
    await store.close()
