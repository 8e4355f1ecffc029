"""Backup and restore, on both backends: a round trip gives back every table as it was, and a
restore never overwrites a store in use unless told to."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.app import record_shapes
from bot.clock import Clock
from bot.criteria import CriteriaLibrary
from bot.outbox import Outbox
from bot.routing import Person, RoutingService
from bot.routing.tickets import COUNTERS, TICKETS, Ticket, TicketRepository
from bot.storage import Record, Store
from bot.storage.backup import RestoreRefused, backup, restore
from cards import TicketCards
from tests.conftest import ZONE, backend_settings
from tests.routing.conftest import RecordingMessenger
from tests.support.processes import Azurite

NETWORK = Path(__file__).parents[2] / "deployment" / "network.example.yaml"
ROWS = {
    "tickets": [Record("t", "1", {"question": "Får vi kräva HVO? ö\\n\"x\"", "n": 1}),
                Record("t", "2", {"nested": {"a": [1, 2, None]}})],
    "profiles": [Record("p", "29:alex", {"language": "en"})],
}  # fmt: skip


async def _fill(store: Store) -> None:
    for table, records in ROWS.items():
        for record in records:
            await store.insert(table, record)


async def _contents(store: Store) -> dict[str, list[tuple[str, str, dict[str, object]]]]:
    return {
        table: [(r.partition, r.key, r.data) for r in await store.query(table)]
        for table in await store.tables()
    }


async def test_a_backup_restores_into_an_empty_store(
    store: Store, tmp_path: Path, azurite: Azurite, clock: Clock
) -> None:
    await _fill(store)
    counts = await backup(store, tmp_path / "backup", clock)
    assert {c.table: c.records for c in counts} == {"profiles": 1, "tickets": 2}
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text("utf-8"))
    assert {t: e["records"] for t, e in manifest["tables"].items()} == {"profiles": 1, "tickets": 2}
    empty = await _other_store_like(store, tmp_path, azurite)
    try:
        await restore(empty, tmp_path / "backup")
        assert await _contents(empty) == await _contents(store)
    finally:
        await empty.close()


async def test_a_restore_refuses_a_store_in_use_unless_forced(
    store: Store, tmp_path: Path, clock: Clock
) -> None:
    await _fill(store)
    await backup(store, tmp_path / "backup", clock)
    await store.upsert("tickets", Record("t", "3", {"question": "newer"}))
    with pytest.raises(RestoreRefused, match="tickets"):
        await restore(store, tmp_path / "backup")
    assert len(await store.query("tickets")) == 3  # nothing written
    await restore(store, tmp_path / "backup", force=True)
    assert [r.key for r in await store.query("tickets")] == ["1", "2"]


async def test_a_damaged_backup_is_refused_before_anything_is_written(
    store: Store, tmp_path: Path
) -> None:
    directory = tmp_path / "backup"
    directory.mkdir()
    line = '{"partition": "t"}\n'
    digest = hashlib.sha256(line.encode()).hexdigest()
    manifest = {"format": 2, "tables": {"tickets": {"records": 1, "sha256": digest}}}
    (directory / "manifest.json").write_text(json.dumps(manifest))
    (directory / "tickets.jsonl").write_text(line, "utf-8")
    with pytest.raises(RestoreRefused, match="line 1"):
        await restore(store, directory)
    manifest["tables"] = {"../x": {"records": 1, "sha256": digest}}
    (directory / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(RestoreRefused):
        await restore(store, directory)
    assert await store.tables() == []


async def _other_store_like(store: Store, tmp_path: Path, azurite: Azurite) -> Store:
    from bot.storage import open_store

    backend = "azure" if type(store).__name__ == "AzureTableStore" else "sqlite"
    return open_store(backend_settings(backend, tmp_path / "other", azurite))


def test_the_cli_backs_up_and_restores_the_configured_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.__main__ import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NODE_STORAGE_CONNECTION_STRING", raising=False)
    monkeypatch.setenv("NODE_DATA_DIR", str(tmp_path / "live"))
    assert main(["network", "import", str(NETWORK)]) == 0
    assert main(["backup", str(tmp_path / "b")]) == 0
    assert "network: 5" in capsys.readouterr().out
    assert main(["restore", str(tmp_path / "b")]) == 2  # the live store is not empty
    assert "--force" in capsys.readouterr().err
    monkeypatch.setenv("NODE_DATA_DIR", str(tmp_path / "fresh"))
    assert main(["restore", str(tmp_path / "b")]) == 0
    assert main(["network", "show"]) == 0


# --- one consistent cut, and a damaged backup refused -----------------------------------------


async def _asking(store: Store, stop: asyncio.Event) -> int:
    """People asking while the backup runs: tickets numbered by the counter, as routing does."""
    tickets, asked = TicketRepository(store), 0
    while not stop.is_set():
        number = await tickets.next_number()
        await tickets.add(_ticket(number))
        asked += 1
        await asyncio.sleep(0)
    return asked


def _ticket(number: int) -> Ticket:
    return Ticket(number=number, question=f"Fråga {number}?", area="it", municipality="Lund",
                  asker_id="29:a", asker_name="A", asker_locale="sv-SE", consent_publish=False,
                  created_at=1795600000.0, deadline=1795614400.0)  # fmt: skip


async def test_a_backup_taken_while_people_ask_restores_a_counter_ahead_of_its_tickets(
    store: Store, tmp_path: Path, azurite: Azurite, clock: Clock
) -> None:
    """Counters are read after the tables they count: after a restore, the next question gets
    a number no restored ticket holds (once 6 of 8 were acknowledged and never stored)."""
    for number in range(1, 30):  # enough that reading the tickets takes a while
        await TicketRepository(store).add(_ticket(number))
    await store.upsert(COUNTERS, Record("tickets", "last", {"n": 29}))
    stop = asyncio.Event()
    asking = asyncio.create_task(_asking(store, stop))
    await backup(store, tmp_path / "b", clock, read_last=[COUNTERS])
    stop.set()
    assert await asking > 0
    restored = await _other_store_like(store, tmp_path, azurite)
    try:
        await restore(restored, tmp_path / "b", shapes=record_shapes())
        tickets = TicketRepository(restored)
        highest = max(int(r.key) for r in await restored.query(TICKETS))
        counter = await restored.get(COUNTERS, "tickets", "last")
        assert counter is not None
        assert counter.data["n"] >= highest
        number = await tickets.next_number()
        await tickets.add(_ticket(number))  # stored, not taken for an old one
        assert (await tickets.get(number)) == _ticket(number)
    finally:
        await restored.close()


async def test_a_new_question_after_a_restore_with_a_counter_behind_is_stored(
    store: Store, clock: Clock
) -> None:
    """A backup of the old kind (its counter read first) restored: the next question finds
    its number taken, the counter catches up, and the question is stored under the next."""
    for number in range(1, 7):
        await TicketRepository(store).add(_ticket(number))
    await store.upsert(COUNTERS, Record("tickets", "last", {"n": 2}))
    library = CriteriaLibrary(store, clock)
    await library.load()
    routing = RoutingService(store, RecordingMessenger(), library, TicketCards(ZONE), clock,
                             Outbox(store, clock))  # fmt: skip
    ticket, _ = await routing.ask(Person("29:b", "", "B"), "Får vi kräva HVO i bussar?",
                                  "fordon-och-transport", "Lund", False)  # fmt: skip
    assert ticket.number == 7
    assert (await routing.get(7)).question == "Får vi kräva HVO i bussar?"
    assert (await routing.get(3)).question == "Fråga 3?"  # the old one untouched


def _cut(directory: Path) -> None:
    path = directory / "tickets.jsonl"
    lines = path.read_text("utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[: len(lines) // 2]), "utf-8")


def _emptied(directory: Path) -> None:
    (directory / "tickets.jsonl").write_text("", "utf-8")


def _raised(directory: Path) -> None:
    manifest = json.loads((directory / "manifest.json").read_text("utf-8"))
    for entry in manifest["tables"].values():
        entry["records"] += 1000
    (directory / "manifest.json").write_text(json.dumps(manifest), "utf-8")


def _dropped(directory: Path) -> None:
    manifest = json.loads((directory / "manifest.json").read_text("utf-8"))
    del manifest["tables"]["tickets"]
    (directory / "manifest.json").write_text(json.dumps(manifest), "utf-8")


def _bad_number(directory: Path) -> None:
    """A ticket whose number is "x", its checksum made to match: the shape check remains."""
    path = directory / "tickets.jsonl"
    lines = path.read_text("utf-8").splitlines(keepends=True)
    row = json.loads(lines[0])
    row["data"]["number"] = "x"
    lines[0] = json.dumps(row, ensure_ascii=False) + "\n"
    text = "".join(lines)
    path.write_text(text, "utf-8")
    manifest = json.loads((directory / "manifest.json").read_text("utf-8"))
    manifest["tables"]["tickets"]["sha256"] = hashlib.sha256(text.encode()).hexdigest()
    (directory / "manifest.json").write_text(json.dumps(manifest), "utf-8")


@pytest.mark.parametrize("damage", [_cut, _emptied, _raised, _dropped, _bad_number],
                         ids=lambda d: d.__name__.strip("_"))  # fmt: skip
async def test_a_damaged_backup_writes_nothing(
    store: Store, tmp_path: Path, azurite: Azurite, clock: Clock,
    damage: Callable[[Path], None],
) -> None:  # fmt: skip
    for number in range(1, 9):
        await TicketRepository(store).add(_ticket(number))
    await store.upsert(COUNTERS, Record("tickets", "last", {"n": 8}))
    await store.upsert("profiles", Record("p", "29:alex", {"language": "en"}))
    await backup(store, tmp_path / "b", clock, read_last=[COUNTERS])
    shutil.copytree(tmp_path / "b", tmp_path / "damaged")
    damage(tmp_path / "damaged")
    target = await _other_store_like(store, tmp_path, azurite)
    try:
        with pytest.raises(RestoreRefused):
            await restore(target, tmp_path / "damaged", shapes=record_shapes())
        for table in ("tickets", "counters", "profiles"):
            assert await target.query(table) == []  # nothing written
        await restore(target, tmp_path / "b", shapes=record_shapes())  # the whole one does
        assert len(await target.query("tickets")) == 8
    finally:
        await target.close()
