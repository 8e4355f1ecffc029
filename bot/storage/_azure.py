"""The production backend: Azure Table Storage through azure-data-tables (Azurite in tests).

A record is one entity: PartitionKey, RowKey and the JSON body in one string property. Keys are
percent-encoded for the characters Table Storage forbids in keys (/ \\ # ? and controls).
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any
from urllib.parse import quote, unquote

from azure.core import MatchConditions
from azure.core.credentials_async import AsyncTokenCredential
from azure.core.exceptions import (
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)
from azure.data.tables import UpdateMode
from azure.data.tables.aio import TableClient, TableServiceClient

from bot.storage._protocol import AlreadyExistsError, ConcurrencyError, Record

# Table Storage allows 64 KiB per string property; stay safely below in UTF-16 units.
MAX_BODY_CHARS = 30_000
_TABLE_NAME = re.compile(r"[^A-Za-z0-9]")


def _key(value: str) -> str:
    return quote(value, safe=" !$&'()*+,-.:;=@[]^_`{|}~")


class AzureTableStore:
    def __init__(
        self,
        connection_string: str = "",
        prefix: str = "mkn",
        *,
        endpoint: str = "",
        credential: AsyncTokenCredential | None = None,
    ) -> None:
        """`prefix` starts every table name: it keeps the node's tables together in the
        account, and lets several nodes (or test runs) share one account. With `endpoint`
        (https://ACCOUNT.table.core.windows.net) and `credential`, no account key is used."""
        if not prefix.isalnum() or not prefix[0].isalpha():
            raise ValueError("table prefix must be letters and digits, starting with a letter")
        if endpoint:
            self._service = TableServiceClient(endpoint=endpoint, credential=credential)
        else:
            self._service = TableServiceClient.from_connection_string(connection_string)
        self._credential = credential
        self._tables: dict[str, TableClient] = {}
        self._prefix = prefix

    async def _table(self, table: str) -> TableClient:
        client = self._tables.get(table)
        if client is None:
            # Table names are alphanumeric.
            name = self._prefix + _TABLE_NAME.sub("", table)
            with contextlib.suppress(ResourceExistsError):
                await self._service.create_table(name)
            client = self._service.get_table_client(name)
            self._tables[table] = client
        return client

    async def get(self, table: str, partition: str, key: str) -> Record | None:
        client = await self._table(table)
        try:
            entity = await client.get_entity(_key(partition), _key(key))
        except ResourceNotFoundError:
            return None
        return _record(entity)

    async def insert(self, table: str, record: Record) -> Record:
        client = await self._table(table)
        try:
            meta = await client.create_entity(_entity(record))
        except ResourceExistsError as error:
            raise AlreadyExistsError(f"{table}/{record.partition}/{record.key}") from error
        return Record(record.partition, record.key, record.data, meta["etag"])

    async def upsert(self, table: str, record: Record) -> Record:
        client = await self._table(table)
        meta = await client.upsert_entity(_entity(record), mode=UpdateMode.REPLACE)
        return Record(record.partition, record.key, record.data, meta["etag"])

    async def replace(self, table: str, record: Record) -> Record:
        if record.etag is None:
            raise ConcurrencyError("replace needs the etag the record was read with")
        client = await self._table(table)
        try:
            meta = await client.update_entity(
                _entity(record),
                mode=UpdateMode.REPLACE,
                etag=record.etag,
                match_condition=MatchConditions.IfNotModified,
            )
        except (ResourceModifiedError, ResourceNotFoundError) as error:
            raise ConcurrencyError(f"{table}/{record.partition}/{record.key} changed") from error
        except HttpResponseError as error:
            if error.status_code in (404, 412):
                raise ConcurrencyError(f"{table}/{record.partition}/{record.key}") from error
            raise
        return Record(record.partition, record.key, record.data, meta["etag"])

    async def delete(self, table: str, partition: str, key: str) -> bool:
        client = await self._table(table)
        if await self.get(table, partition, key) is None:
            return False
        await client.delete_entity(_key(partition), _key(key))
        return True

    async def query(self, table: str, partition: str | None = None) -> list[Record]:
        client = await self._table(table)
        if partition is None:
            pages = client.list_entities()
        else:
            pages = client.query_entities("PartitionKey eq @pk", parameters={"pk": _key(partition)})
        records = [_record(entity) async for entity in pages]
        return sorted(records, key=lambda r: (r.partition, r.key))

    async def tables(self) -> list[str]:
        """Tables under this store's prefix that hold at least one entity."""
        found = []
        async for table in self._service.list_tables():
            name = str(table.name)
            if not name.startswith(self._prefix):
                continue
            client = self._service.get_table_client(name)
            async with client:
                async for _ in client.list_entities(results_per_page=1):
                    found.append(name[len(self._prefix) :])
                    break
        return sorted(found)

    async def ping(self) -> None:
        async for _ in self._service.list_tables(results_per_page=1):
            break

    async def close(self) -> None:
        for client in self._tables.values():
            await client.close()
        await self._service.close()
        if self._credential is not None:
            await self._credential.close()


def _entity(record: Record) -> dict[str, Any]:
    body = json.dumps(record.data, ensure_ascii=False, separators=(",", ":"))
    if len(body) > MAX_BODY_CHARS:
        raise ValueError(f"record {record.partition}/{record.key} is too large for a table row")
    return {"PartitionKey": _key(record.partition), "RowKey": _key(record.key), "Data": body}


def _record(entity: Any) -> Record:
    return Record(
        unquote(entity["PartitionKey"]),
        unquote(entity["RowKey"]),
        json.loads(entity["Data"]),
        entity.metadata["etag"],
    )


def managed_identity() -> AsyncTokenCredential:
    """The app's managed identity (AZURE_CLIENT_ID names a user-assigned one); locally, a
    developer's Azure CLI login. Shared-key access can then be off on the account."""
    from azure.identity.aio import DefaultAzureCredential

    return DefaultAzureCredential(exclude_interactive_browser_credential=True)
