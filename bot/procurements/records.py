"""The planned procurements in storage: owns the tables `procurements` (by municipality) and
`coordinations` (groups announced once)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from bot.personal import PersonRef
from bot.procurements.model import Procurement
from bot.storage import AlreadyExistsError, Record, Store
from bot.storage.shapes import Shape, shape_of

PROCUREMENTS = "procurements"
COORDINATIONS = "coordinations"


class ProcurementRecords:
    SHAPES: ClassVar[dict[str, Shape]] = {
        PROCUREMENTS: shape_of(lambda record: Procurement.from_data(record.data)),
    }
    TABLES: ClassVar[dict[str, str]] = {
        PROCUREMENTS: "the contact person's e-mail and name; the linked expert's id and name",
        COORDINATIONS: "",
    }

    def __init__(self, store: Store) -> None:
        self._store = store

    async def get(self, key: str) -> Procurement | None:
        record = await self._store.get(PROCUREMENTS, key.split(":", 1)[0], key)
        return None if record is None else Procurement.from_data(record.data, record.etag)

    async def all(self) -> list[Procurement]:
        records = await self._store.query(PROCUREMENTS)
        return [Procurement.from_data(r.data, r.etag) for r in records]

    async def put(self, plan: Procurement) -> Procurement:
        """Store; conditional on the etag when the plan was read (ConcurrencyError)."""
        record = Record(plan.municipality.lower(), plan.key, plan.to_data(), plan.etag)
        if plan.etag is None:
            stored = await self._store.upsert(PROCUREMENTS, record)
        else:
            stored = await self._store.replace(PROCUREMENTS, record)
        return replace(plan, etag=stored.etag)

    async def mark_coordinated(self, group_key: str, at: float) -> bool:
        """The first to mark a group of plans as coordinated; False when it was already."""
        try:
            await self._store.insert(COORDINATIONS, Record("group", group_key, {"at": at}))
        except AlreadyExistsError:
            return False
        return True

    async def export_person(self, person: PersonRef) -> dict[str, Any]:
        mine = [p.to_data() for p in await self.all() if _is(person, p.contact)]
        return {"procurements": mine}

    async def erase_person(self, person: PersonRef) -> int:
        """The contact's name comes off their plans; the plans stay."""
        changed = 0
        for plan in await self.all():
            if _is(person, plan.contact) or plan.created_by in person.ids:
                await self.put(replace(plan.without_person(), etag=None))
                changed += 1
        return changed


def _is(person: PersonRef, who: str) -> bool:
    """Whether a contact (an e-mail or "teams:<id>") is this person."""
    return bool(who) and (who in person.emails or who.removeprefix("teams:") in person.ids)
