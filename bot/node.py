"""The node's services, built once at start and shared by every turn and command."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.criteria import CriteriaLibrary
from bot.storage import Store, open_store


@dataclass
class Node:
    settings: Settings
    store: Store
    criteria: CriteriaLibrary

    @classmethod
    async def open(cls, settings: Settings, demo: bool = False) -> Node:
        store = open_store(settings)
        await store.ping()
        criteria = CriteriaLibrary(store)
        await criteria.load()
        return cls(settings=settings, store=store, criteria=criteria)

    async def close(self) -> None:
        await self.store.close()
