"""The audit log: who changed what, when. Claims, releases, hand-overs, publications and
every admin change (network and criteria imports, the experts' channel) land here; admins
read it with `granskningslogg`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, ClassVar

from bot.clock import Clock
from bot.personal import PersonRef
from bot.storage import Record, Store

AUDIT = "audit"


@dataclass(frozen=True)
class AuditEvent:
    at: float
    who: str  # an Entra object id, a Teams id, or "cli"
    action: str
    target: str
    details: dict[str, Any]


class AuditLog:
    # Kept on erasure: it records who changed what, for accountability (admins only).
    TABLES: ClassVar[dict[str, str]] = {AUDIT: "who (Entra or Teams id) did what, when"}

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def export_person(self, person: PersonRef) -> dict[str, Any]:
        events = await self.of_person(*person.ids)
        return {"audit_events": [{"at": e.at, "action": e.action, "target": e.target}
                                 for e in events]}  # fmt: skip

    async def erase_person(self, person: PersonRef) -> int:
        return 0  # kept for accountability, as the privacy notice says

    async def record(self, who: str, action: str, target: str, **details: Any) -> None:
        now = self._clock.time()
        month = f"{self._clock.local(now):%Y-%m}"
        # Keys sort by time within a month; the suffix keeps two events in one instant apart.
        key = f"{now:017.6f}-{uuid.uuid4().hex[:6]}"
        data = {"at": now, "who": who, "action": action, "target": target, "details": details}
        await self._store.insert(AUDIT, Record(month, key, data))

    async def recent(self, limit: int = 30, months: int = 3) -> list[AuditEvent]:
        events: list[AuditEvent] = []
        today = self._clock.today()
        year, month = today.year, today.month
        for _ in range(months):
            records = await self._store.query(AUDIT, f"{year:04d}-{month:02d}")
            events += [AuditEvent(**r.data) for r in records]
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return sorted(events, key=lambda e: e.at, reverse=True)[:limit]

    async def of_person(self, *ids: str) -> list[AuditEvent]:
        wanted = {i for i in ids if i}
        return [e for e in await self.recent(limit=10_000, months=24) if e.who in wanted]
