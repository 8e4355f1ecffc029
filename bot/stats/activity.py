"""Active users, counted without names: one mark per user and month, keyed by a hash of
the user id, never the id itself."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from typing import Any, ClassVar

from bot.clock import Clock
from bot.personal import PersonRef
from bot.storage import AlreadyExistsError, Record, Store

ACTIVITY = "activity"


def person_key(user_id: str) -> str:
    """A person counted without their name: a hash of their Teams id (the same person has the
    same key in every month and in the survey's answers, so each is counted once)."""
    return hashlib.sha256(user_id.encode()).hexdigest()[:24]


class ActivityLog:
    """One mark per user and month, written the first time this process sees them."""

    TABLES: ClassVar[dict[str, str]] = {ACTIVITY: "a hash of a person's Teams id per month"}

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._seen: set[tuple[str, str]] = set()

    @staticmethod
    def _key(user_id: str) -> str:
        return person_key(user_id)

    async def export_person(self, person: PersonRef) -> dict[str, Any]:
        keys = {self._key(i) for i in person.ids}
        months = sorted({r.partition for r in await self._store.query(ACTIVITY) if r.key in keys})
        return {"active_months": months}

    async def erase_person(self, person: PersonRef) -> int:
        keys = {self._key(i) for i in person.ids}
        removed = 0
        for record in await self._store.query(ACTIVITY):
            if record.key in keys:
                removed += await self._store.delete(ACTIVITY, record.partition, record.key)
        self._seen.clear()
        return removed

    async def seen(self, user_id: str) -> None:
        if not user_id:
            return
        month = f"{self._clock.now():%Y-%m}"
        key = self._key(user_id)
        if (month, key) in self._seen:
            return
        with contextlib.suppress(AlreadyExistsError):  # another process saw them first
            await self._store.insert(ACTIVITY, Record(month, key, {}))
        self._seen.add((month, key))

    async def per_month(self) -> dict[str, int]:
        """How many people were active in each month ("YYYY-MM"), oldest first."""
        months: dict[str, int] = {}
        for record in await self._store.query(ACTIVITY):
            months[record.partition] = months.get(record.partition, 0) + 1
        return dict(sorted(months.items()))

    async def keys_in(self, months: Callable[[str], bool]) -> set[str]:
        """The keys of the people active in the months `months` holds ("YYYY-MM")."""
        return {r.key for r in await self._store.query(ACTIVITY) if months(r.partition)}
