from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.criteria import CriteriaLibrary
from bot.storage._sqlite import SqliteStore


@pytest.fixture(scope="module")
async def sample_library() -> AsyncIterator[CriteriaLibrary]:
    """The bundled sample library, read-only: shared by the search tests."""
    store = SqliteStore(Path(":memory:"))
    library = CriteriaLibrary(store)
    await library.load()
    yield library
    await store.close()
