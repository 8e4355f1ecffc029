"""One record store, two backends: SQLite (embedded default) and Azure Table Storage.

The domain never sees a backend: it gets a `Store` and keeps its own dataclasses, which its
repositories turn into `Record`s. Both backends pass tests/storage/test_contract.py.
"""

from bot.storage._azure import AzureTableStore
from bot.storage._factory import open_store
from bot.storage._protocol import AlreadyExistsError, ConcurrencyError, Record, Store
from bot.storage._sqlite import SqliteStore
from bot.storage.lease import Lease

__all__ = [
    "AlreadyExistsError",
    "AzureTableStore",
    "ConcurrencyError",
    "Lease",
    "Record",
    "SqliteStore",
    "Store",
    "open_store",
]
