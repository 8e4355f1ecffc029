"""The node's services, built once at start and shared by every turn and command."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.clock import Clock
from bot.config import Settings
from bot.criteria import CriteriaLibrary
from bot.routing import NetworkRepository, read_network_file
from bot.sharing import SharedItems
from bot.storage import Store, open_store

log = logging.getLogger(__name__)
DEMO_NETWORK = Path(__file__).resolve().parents[1] / "deployment" / "network.demo.yaml"


@dataclass
class Node:
    settings: Settings
    store: Store
    criteria: CriteriaLibrary
    clock: Clock
    demo: bool = False

    @classmethod
    async def open(
        cls,
        settings: Settings,
        demo: bool = False,
        clock: Clock | None = None,
        wrap: Callable[[Store], Store] | None = None,
    ) -> Node:
        """The store and the library; `clock` is the node's (else the settings' clock).
        `wrap` puts something around the store before anything uses it (a CountingStore)."""
        clock = clock or settings.clock()
        store = open_store(settings)
        if wrap is not None:
            store = wrap(store)
        await store.ping()
        criteria = CriteriaLibrary(store, clock)
        criteria.add_source(SharedItems(store))  # shared items are found by the search too
        await criteria.load()
        if demo:
            await _load_demo_network(store, settings, clock)
        return cls(settings=settings, store=store, criteria=criteria, clock=clock, demo=demo)

    async def close(self) -> None:
        await self.store.close()


async def _load_demo_network(store: Store, settings: Settings, clock: Clock) -> None:
    """The demo experts (the Playground's users), unless a network is already stored."""
    repository = NetworkRepository(store)
    if (await repository.load()).experts or not DEMO_NETWORK.exists():
        return
    await repository.save(read_network_file(DEMO_NETWORK, settings.zone, clock.today()))
    log.info("demo expert network loaded")
