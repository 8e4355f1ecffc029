"""A store that counts what goes through it: how many records a turn reads and writes is a
figure `make bench` reports and a test holds, since each read is a round trip to Azure Tables
in production."""

from __future__ import annotations

from collections import Counter

from bot.storage._protocol import Record, Store

READS = ("get", "query")
WRITES = ("insert", "upsert", "replace", "delete")


class CountingStore:
    """Passes every call to `inner`; `calls` counts them by (operation, table)."""

    def __init__(self, inner: Store) -> None:
        self._inner = inner
        self.calls: Counter[tuple[str, str]] = Counter()

    def reads(self) -> int:
        return sum(n for (operation, _), n in self.calls.items() if operation in READS)

    def writes(self) -> int:
        return sum(n for (operation, _), n in self.calls.items() if operation in WRITES)

    def reset(self) -> None:
        self.calls.clear()

    async def get(self, table: str, partition: str, key: str) -> Record | None:
        self.calls["get", table] += 1
        return await self._inner.get(table, partition, key)

    async def insert(self, table: str, record: Record) -> Record:
        self.calls["insert", table] += 1
        return await self._inner.insert(table, record)

    async def upsert(self, table: str, record: Record) -> Record:
        self.calls["upsert", table] += 1
        return await self._inner.upsert(table, record)

    async def replace(self, table: str, record: Record) -> Record:
        self.calls["replace", table] += 1
        return await self._inner.replace(table, record)

    async def delete(self, table: str, partition: str, key: str) -> bool:
        self.calls["delete", table] += 1
        return await self._inner.delete(table, partition, key)

    async def query(self, table: str, partition: str | None = None) -> list[Record]:
        self.calls["query", table] += 1
        return await self._inner.query(table, partition)

    async def tables(self) -> list[str]:
        return await self._inner.tables()

    async def ping(self) -> None:
        await self._inner.ping()

    async def close(self) -> None:
        await self._inner.close()
