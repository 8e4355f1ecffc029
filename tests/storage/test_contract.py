"""The storage contract: what every backend must do, run against SQLite and Azurite."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from bot.storage import AlreadyExistsError, ConcurrencyError, Record, Store


def table() -> str:
    # A fresh table per test: Azurite's tables live for the whole session.
    return "t" + uuid.uuid4().hex[:12]


async def test_insert_then_get_returns_the_same_body(store: Store) -> None:
    name = table()
    body = {"text": "Städkemikalier å ä ö", "levels": ["bas", "avancerad"], "n": 3}
    stored = await store.insert(name, Record("p", "k", body))
    fetched = await store.get(name, "p", "k")
    assert fetched is not None
    assert fetched.data == body
    assert fetched.etag == stored.etag


async def test_get_of_missing_record_is_none(store: Store) -> None:
    assert await store.get(table(), "p", "missing") is None


async def test_insert_of_taken_key_fails_and_keeps_the_first(store: Store) -> None:
    name = table()
    await store.insert(name, Record("p", "k", {"v": 1}))
    with pytest.raises(AlreadyExistsError):
        await store.insert(name, Record("p", "k", {"v": 2}))
    fetched = await store.get(name, "p", "k")
    assert fetched is not None
    assert fetched.data == {"v": 1}


async def test_replace_with_stale_etag_is_refused(store: Store) -> None:
    name = table()
    first = await store.insert(name, Record("p", "k", {"v": 1}))
    second = await store.replace(name, Record("p", "k", {"v": 2}, first.etag))
    assert second.etag != first.etag
    with pytest.raises(ConcurrencyError):
        await store.replace(name, Record("p", "k", {"v": 3}, first.etag))
    fetched = await store.get(name, "p", "k")
    assert fetched is not None
    assert fetched.data == {"v": 2}


async def test_replace_of_deleted_record_is_refused(store: Store) -> None:
    name = table()
    first = await store.insert(name, Record("p", "k", {"v": 1}))
    assert await store.delete(name, "p", "k")
    with pytest.raises(ConcurrencyError):
        await store.replace(name, Record("p", "k", {"v": 2}, first.etag))
    assert await store.get(name, "p", "k") is None


async def test_twenty_concurrent_updates_of_one_record_exactly_one_wins(store: Store) -> None:
    name = table()
    original = await store.insert(name, Record("ticket", "42", {"assignee": None}))

    async def claim(who: int) -> bool:
        try:
            await store.replace(name, Record("ticket", "42", {"assignee": who}, original.etag))
        except ConcurrencyError:
            return False
        return True

    results = await asyncio.gather(*(claim(n) for n in range(20)))
    assert results.count(True) == 1
    winner = results.index(True)
    fetched = await store.get(name, "ticket", "42")
    assert fetched is not None
    assert fetched.data == {"assignee": winner}


async def test_upsert_creates_and_overwrites(store: Store) -> None:
    name = table()
    await store.upsert(name, Record("p", "k", {"v": 1}))
    await store.upsert(name, Record("p", "k", {"v": 2}))
    fetched = await store.get(name, "p", "k")
    assert fetched is not None
    assert fetched.data == {"v": 2}


async def test_query_returns_a_partition_in_key_order(store: Store) -> None:
    name = table()
    for key in ["b", "a", "c"]:
        await store.insert(name, Record("one", key, {"k": key}))
    await store.insert(name, Record("two", "a", {"k": "other"}))
    assert [r.key for r in await store.query(name, "one")] == ["a", "b", "c"]
    assert [(r.partition, r.key) for r in await store.query(name)] == [
        ("one", "a"),
        ("one", "b"),
        ("one", "c"),
        ("two", "a"),
    ]


@pytest.mark.parametrize(
    "key",
    ["19:abc@thread.tacv2;messageid=1", "a/b\\c#d?e", "10699:2", "a:user id with spaces"],
)
async def test_keys_with_teams_and_forbidden_characters_round_trip(store: Store, key: str) -> None:
    name = table()
    await store.insert(name, Record(key, key, {"id": key}))
    fetched = await store.get(name, key, key)
    assert fetched is not None
    assert (fetched.partition, fetched.key) == (key, key)
    assert [r.key for r in await store.query(name, key)] == [key]


async def test_delete_of_missing_record_says_so(store: Store) -> None:
    assert not await store.delete(table(), "p", "nothing")


async def test_ping_succeeds_on_a_reachable_backend(store: Store) -> None:
    await store.ping()


async def test_tables_lists_those_that_hold_records(store: Store) -> None:
    assert await store.tables() == []
    await store.insert("tickets", Record("t", "1", {"n": 1}))
    await store.insert("audit", Record("2026-11", "a", {}))
    await store.insert("leases", Record("lease", "x", {}))
    await store.delete("leases", "lease", "x")
    assert await store.tables() == ["audit", "tickets"]
