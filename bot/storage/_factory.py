from __future__ import annotations

from bot.config import Settings
from bot.storage._protocol import Store


def open_store(settings: Settings) -> Store:
    """Azure Table Storage when a connection string is set, else the SQLite file."""
    if settings.uses_azure_tables:
        from bot.storage._azure import AzureTableStore

        return AzureTableStore(settings.storage_connection_string, settings.table_prefix)
    from bot.storage._sqlite import SqliteStore

    return SqliteStore(settings.data_dir / "miljokravsnoden.sqlite3")
