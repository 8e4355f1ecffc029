"""botbuilder's state (ConversationState, UserState) kept in the node's own store."""

from __future__ import annotations

from typing import Any

from botbuilder.core import Storage, StoreItem

from bot.storage import Store

TABLE = "botstate"


class StoreStorage(Storage):  # type: ignore[misc]
    """botbuilder `Storage` on top of `Store`: one record per state key, last write wins
    (botbuilder's own contract for state; conditional writes are used where races matter)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def read(self, keys: list[str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key in keys:
            record = await self._store.get(TABLE, "state", key)
            if record is not None:
                found[key] = record.data
        return found

    async def write(self, changes: dict[str, Any]) -> None:
        from bot.storage import Record

        for key, value in changes.items():
            data = value.__dict__ if isinstance(value, StoreItem) else value
            await self._store.upsert(TABLE, Record("state", key, dict(data)))

    async def delete(self, keys: list[str]) -> None:
        for key in keys:
            await self._store.delete(TABLE, "state", key)
