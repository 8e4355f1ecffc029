"""Backup and restore of a whole store, the same on both backends: one JSON-lines file per
table (`{"partition", "key", "data"}` a line) and a manifest with the counts.

A table is read until two reads in a row agree (same keys, same versions), so each file is
one consistent state of its table even while the node runs; tables are read one after the
other, not at one instant (a record in one table may be newer than one in another).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from bot.clock import Clock
from bot.storage._protocol import Record, Store

log = logging.getLogger(__name__)

FORMAT = 1
MANIFEST = "manifest.json"
_READS = 5  # reads of one table before giving up on two that agree
_TABLE = re.compile(r"^[a-z][a-z0-9]{0,40}$")  # the node's table names


class RestoreRefused(Exception):
    """The target is not empty (and --force was not given), or the backup is unreadable."""


@dataclass(frozen=True)
class TableCount:
    table: str
    records: int


async def backup(store: Store, directory: Path, clock: Clock) -> list[TableCount]:
    await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
    counts = []
    for table in await store.tables():
        records = await _steady_read(store, table)
        await asyncio.to_thread(_write_table, directory / f"{table}.jsonl", records)
        counts.append(TableCount(table, len(records)))
    manifest = {"format": FORMAT, "created": clock.now().isoformat(timespec="seconds"),
                "tables": {c.table: c.records for c in counts}}  # fmt: skip
    await asyncio.to_thread(_write_text, directory / MANIFEST, json.dumps(manifest, indent=2))
    return counts


def _write_table(path: Path, records: list[Record]) -> None:
    lines = (
        json.dumps({"partition": r.partition, "key": r.key, "data": r.data},
                   ensure_ascii=False, separators=(",", ":"))
        for r in records
    )  # fmt: skip
    _write_text(path, "".join(line + "\n" for line in lines))


def _write_text(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".part")
    temporary.write_text(text, "utf-8")
    temporary.replace(path)  # a file is there whole or not at all


async def restore(store: Store, directory: Path, force: bool = False) -> list[TableCount]:
    """Write a backup into `store`. Refused when one of its tables already holds records,
    unless `force`: then each of those tables is made equal to the backup."""
    tables = await asyncio.to_thread(_manifest_tables, directory)
    present = {table: await store.query(table) for table in tables}
    busy = [table for table, records in present.items() if records]
    if busy and not force:
        raise RestoreRefused(f"the target already holds records in: {', '.join(busy)}")
    # Every file is read and checked before the first write: a damaged backup writes nothing.
    backed_up = {
        table: await asyncio.to_thread(_read_table, directory / f"{table}.jsonl")
        for table in tables
    }
    counts = []
    for table, records in backed_up.items():
        kept = {(r.partition, r.key) for r in records}
        for old in present[table]:  # read above; the backup replaces them (--force)
            if (old.partition, old.key) not in kept:
                await store.delete(table, old.partition, old.key)
        for record in records:
            await store.upsert(table, record)
        counts.append(TableCount(table, len(records)))
    return counts


async def _steady_read(store: Store, table: str) -> list[Record]:
    previous = await store.query(table)
    for _ in range(_READS):
        current = await store.query(table)
        if _versions(current) == _versions(previous):
            return current
        previous = current
    log.warning("table kept changing during the backup; its last read is saved",
                extra={"table": table})  # fmt: skip
    return previous


def _versions(records: list[Record]) -> list[tuple[str, str, str | None]]:
    return [(r.partition, r.key, r.etag) for r in records]


def _manifest_tables(directory: Path) -> list[str]:
    try:
        manifest = json.loads((directory / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise RestoreRefused(f"no readable {MANIFEST} in {directory}") from error
    tables = manifest.get("tables") if isinstance(manifest, dict) else None
    if manifest.get("format") != FORMAT or not isinstance(tables, dict):
        raise RestoreRefused(f"{MANIFEST} is not a backup of format {FORMAT}")
    for table in tables:
        if not (isinstance(table, str) and _TABLE.match(table)):
            raise RestoreRefused(f"{MANIFEST} names a table that cannot be: {table!r}")
    return sorted(tables)


def _read_table(path: Path) -> list[Record]:
    records = []
    try:
        lines = path.read_text("utf-8").splitlines()
    except OSError as error:
        raise RestoreRefused(f"missing {path.name}") from error
    for number, line in enumerate(lines, 1):
        try:
            row = json.loads(line)
            records.append(Record(str(row["partition"]), str(row["key"]), dict(row["data"])))
        except (ValueError, KeyError, TypeError) as error:
            raise RestoreRefused(f"{path.name}, line {number}: not a record") from error
    return records
