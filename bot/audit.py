"""The audit log: who changed what, when. Claims, releases, hand-overs, publications and
every admin change (network and criteria imports, the experts' channel) land here; admins
read it with `granskningslogg`."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

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
    def __init__(self, store: Store) -> None:
        self._store = store

    async def record(self, who: str, action: str, target: str, **details: Any) -> None:
        now = time.time()
        month = time.strftime("%Y-%m", time.gmtime(now))
        # Keys sort by time within a month; the suffix keeps two events in one ns apart.
        key = f"{time.time_ns():020d}-{uuid.uuid4().hex[:6]}"
        data = {"at": now, "who": who, "action": action, "target": target, "details": details}
        await self._store.insert(AUDIT, Record(month, key, data))

    async def recent(self, limit: int = 30, months: int = 3) -> list[AuditEvent]:
        events: list[AuditEvent] = []
        now = time.gmtime()
        year, month = now.tm_year, now.tm_mon
        for _ in range(months):
            records = await self._store.query(AUDIT, f"{year:04d}-{month:02d}")
            events += [AuditEvent(**r.data) for r in records]
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return sorted(events, key=lambda e: e.at, reverse=True)[:limit]

    async def of_person(self, *ids: str) -> list[AuditEvent]:
        wanted = {i for i in ids if i}
        return [e for e in await self.recent(limit=10_000, months=24) if e.who in wanted]
