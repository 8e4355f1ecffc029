"""A lease in storage: background work that must run on one instance at a time (escalation,
delivery of pending tickets) takes the lease first. A holder that dies loses it when it
expires; a live holder renews it on every round."""

from __future__ import annotations

from typing import ClassVar

from bot.clock import Clock
from bot.storage._protocol import AlreadyExistsError, ConcurrencyError, Record, Store

LEASES = "leases"


class Lease:
    TABLES: ClassVar[dict[str, str]] = {LEASES: ""}

    def __init__(
        self,
        store: Store,
        name: str,
        holder: str,
        seconds: float,
        clock: Clock,
    ) -> None:
        self._store = store
        self._name = name
        self._holder = holder
        self._seconds = seconds
        self._clock = clock

    async def acquire(self) -> bool:
        """True when this holder has the lease now (taken, renewed, or taken over)."""
        now = self._clock.time()
        data = {"holder": self._holder, "expires": now + self._seconds}
        current = await self._store.get(LEASES, "lease", self._name)
        if current is None:
            try:
                await self._store.insert(LEASES, Record("lease", self._name, data))
            except AlreadyExistsError:
                return False
            return True
        mine = current.data.get("holder") == self._holder
        if not mine and float(current.data.get("expires", 0)) > now:
            return False
        try:
            await self._store.replace(LEASES, Record("lease", self._name, data, current.etag))
        except ConcurrencyError:
            return False
        return True
