from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


class ConcurrencyError(Exception):
    """A conditional write lost: the record changed (or vanished) since it was read."""


class AlreadyExistsError(Exception):
    """An insert found the key taken."""


@dataclass(frozen=True)
class Record:
    """One stored row: a partition, a key within it, a JSON-able body and the version it was
    read at. `etag` is None for a record not yet stored."""

    partition: str
    key: str
    data: dict[str, Any] = field(default_factory=dict)
    etag: str | None = None


class Store(Protocol):
    """Tables of records addressed by (partition, key), with optimistic concurrency."""

    async def get(self, table: str, partition: str, key: str) -> Record | None: ...

    async def insert(self, table: str, record: Record) -> Record:
        """Store a new record; AlreadyExistsError when the key is taken."""
        ...

    async def upsert(self, table: str, record: Record) -> Record:
        """Store unconditionally (last write wins)."""
        ...

    async def replace(self, table: str, record: Record) -> Record:
        """Store only if the stored version still has `record.etag`; else ConcurrencyError."""
        ...

    async def delete(self, table: str, partition: str, key: str) -> bool:
        """Remove; True when something was removed."""
        ...

    async def query(self, table: str, partition: str | None = None) -> list[Record]:
        """All records of a partition (or of the table), ordered by key."""
        ...

    async def tables(self) -> list[str]:
        """The names of the tables that hold records (as the node names them), sorted."""
        ...

    async def ping(self) -> None:
        """Raise when the backend cannot be reached."""
        ...

    async def close(self) -> None: ...
