"""Backup and restore of a whole store, the same on both backends: one JSON-lines file per
table (`{"partition", "key", "data"}` a line) and a manifest with each file's record count and
SHA-256.

A table is read until two reads in a row agree (same keys, same versions), so each file is
one consistent state of its table even while the node runs. Tables are read one after the
other; those that count records of others (the ticket counter) are read last, so a counter is
never behind the records it counts (a question asked during the backup is then only missing,
never given a number a restored ticket holds).

A restore checks everything before it writes anything: every table of the manifest has its
file and every file its table, each file has the count and checksum the manifest gives, and
each record has the shape its owner's model reads (`shapes`). Anything off: nothing written.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.clock import Clock
from bot.storage._protocol import Record, Store

log = logging.getLogger(__name__)

FORMAT = 2
MANIFEST = "manifest.json"
_READS = 5  # reads of one table before giving up on two that agree
_TABLE = re.compile(r"^[a-z][a-z0-9]{0,40}$")  # the node's table names


class RestoreRefused(Exception):
    """The target is not empty (and --force was not given), or the backup is unreadable."""


@dataclass(frozen=True)
class TableCount:
    table: str
    records: int


Shape = Callable[[Record], object]  # raises (ValueError, TypeError, KeyError) when wrong


async def backup(
    store: Store, directory: Path, clock: Clock, read_last: Sequence[str] = ()
) -> list[TableCount]:
    """Every table into `directory`; `read_last` are read after all others (counters)."""
    await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
    tables = sorted(await store.tables(), key=lambda t: (t in read_last, t))
    counts, files = [], {}
    for table in tables:
        records = await _steady_read(store, table)
        digest = await asyncio.to_thread(_write_table, directory / f"{table}.jsonl", records)
        counts.append(TableCount(table, len(records)))
        files[table] = {"records": len(records), "sha256": digest}
    manifest = {"format": FORMAT, "created": clock.now().isoformat(timespec="seconds"),
                "tables": dict(sorted(files.items()))}  # fmt: skip
    await asyncio.to_thread(_write_text, directory / MANIFEST, json.dumps(manifest, indent=2))
    return counts


def _write_table(path: Path, records: list[Record]) -> str:
    lines = (
        json.dumps({"partition": r.partition, "key": r.key, "data": r.data},
                   ensure_ascii=False, separators=(",", ":"))
        for r in records
    )  # fmt: skip
    text = "".join(line + "\n" for line in lines)
    _write_text(path, text)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _write_text(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".part")
    temporary.write_text(text, "utf-8")
    temporary.replace(path)  # a file is there whole or not at all


async def restore(
    store: Store,
    directory: Path,
    force: bool = False,
    shapes: Mapping[str, Shape] | None = None,
) -> list[TableCount]:
    """Write a backup into `store`. Refused when one of its tables already holds records,
    unless `force`: then each of those tables is made equal to the backup. `shapes` reads a
    record of a table as its owner's model does (raising when it cannot)."""
    expected = await asyncio.to_thread(_manifest_tables, directory)
    tables = sorted(expected)
    # Every file is read and checked before the first write: a damaged backup writes nothing.
    backed_up = {
        table: await asyncio.to_thread(_read_table, directory / f"{table}.jsonl",
                                       expected[table], (shapes or {}).get(table))
        for table in tables
    }  # fmt: skip
    present = {table: await store.query(table) for table in tables}
    busy = [table for table, records in present.items() if records]
    if busy and not force:
        raise RestoreRefused(f"the target already holds records in: {', '.join(busy)}")
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


@dataclass(frozen=True)
class _Expected:
    records: int
    sha256: str


def _manifest_tables(directory: Path) -> dict[str, _Expected]:
    """The manifest's tables, each with its count and checksum; every file in the directory
    must be one of them (a table left out of the manifest would be silently skipped)."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError) as error:
        raise RestoreRefused(f"no readable {MANIFEST} in {directory}") from error
    tables = manifest.get("tables") if isinstance(manifest, dict) else None
    if manifest.get("format") != FORMAT or not isinstance(tables, dict):
        raise RestoreRefused(f"{MANIFEST} is not a backup of format {FORMAT}")
    expected = {}
    for table, entry in tables.items():
        if not (isinstance(table, str) and _TABLE.match(table)):
            raise RestoreRefused(f"{MANIFEST} names a table that cannot be: {table!r}")
        count = entry.get("records") if isinstance(entry, dict) else None
        digest = entry.get("sha256") if isinstance(entry, dict) else None
        if not (isinstance(count, int) and count >= 0 and isinstance(digest, str)):
            raise RestoreRefused(f"{MANIFEST}: no count and checksum for {table}")
        expected[table] = _Expected(count, digest)
    unlisted = sorted(p.stem for p in directory.glob("*.jsonl") if p.stem not in expected)
    if unlisted:
        raise RestoreRefused(f"{MANIFEST} leaves out tables with files: {', '.join(unlisted)}")
    return expected


def _read_table(path: Path, expected: _Expected, shape: Shape | None) -> list[Record]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise RestoreRefused(f"missing {path.name}") from error
    if hashlib.sha256(raw).hexdigest() != expected.sha256:
        raise RestoreRefused(f"{path.name} is not the file the backup wrote (checksum)")
    records = []
    for number, line in enumerate(raw.decode("utf-8", "replace").splitlines(), 1):
        try:
            row = json.loads(line)
            record = Record(str(row["partition"]), str(row["key"]), dict(row["data"]))
            if shape is not None:
                shape(record)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise RestoreRefused(f"{path.name}, line {number}: not a record of it") from error
        records.append(record)
    if len(records) != expected.records:
        raise RestoreRefused(
            f"{path.name} holds {len(records)} records; the backup wrote {expected.records}"
        )
    return records
