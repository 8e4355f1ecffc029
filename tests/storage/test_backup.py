"""Backup and restore, on both backends: a round trip gives back every table as it was, and a
restore never overwrites a store in use unless told to."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.clock import Clock
from bot.storage import Record, Store
from bot.storage.backup import RestoreRefused, backup, restore
from tests.conftest import backend_settings
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
    assert manifest["tables"] == {"profiles": 1, "tickets": 2}
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
    (directory / "manifest.json").write_text('{"format": 1, "tables": {"tickets": 1}}')
    (directory / "tickets.jsonl").write_text('{"partition": "t"}\n', "utf-8")
    with pytest.raises(RestoreRefused, match="line 1"):
        await restore(store, directory)
    (directory / "manifest.json").write_text('{"format": 1, "tables": {"../x": 1}}')
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
