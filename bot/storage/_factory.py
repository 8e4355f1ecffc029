from __future__ import annotations

from bot.config import Settings
from bot.storage._protocol import Store


def open_store(settings: Settings) -> Store:
    """Azure Table Storage (through the managed identity with an account URL, else with a
    connection string), or the SQLite file."""
    if settings.storage_account_url:
        from bot.storage._azure import AzureTableStore, managed_identity

        return AzureTableStore(
            prefix=settings.table_prefix,
            endpoint=settings.storage_account_url,
            credential=managed_identity(),
        )
    if settings.uses_azure_tables:
        from bot.storage._azure import AzureTableStore

        return AzureTableStore(settings.storage_connection_string, settings.table_prefix)
    from bot.storage._sqlite import SqliteStore

    return SqliteStore(settings.data_dir / "miljokravsnoden.sqlite3")
