"""Who belongs to which municipality, beyond what the directory says, and what a municipality
lets its members do with its agreements.

A person's municipality as they state it (`min kommun`) is a preference for forms, never a
key to others' items. Membership comes from the directory (the Graph profile, or the home
domain of a guest's address) or from an admin's grant recorded here: for the people the
directory cannot place (a consultant, a shared mailbox, the Playground's demo users).

Each municipality says who may act on its agreements' follow-ups besides the responsible
person: all its members ("alla", the default: a colleague covers for the holidays) or only
the responsible person and admins ("ansvarig").

Admins also make people coordinators (`samordnare`): they see the region's statistics,
reports and survey results without admin rights."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from bot.clock import Clock
from bot.personal import PersonRef
from bot.storage import Record, Store

MEMBERSHIPS = "memberships"
GRANT = "grant"
RULE = "rule"
COORDINATOR = "coordinator"  # the region's coordinator role: statistics, reports, survey
ALL_MEMBERS, RESPONSIBLE_ONLY = "alla", "ansvarig"
AGREEMENT_RULES = (ALL_MEMBERS, RESPONSIBLE_ONLY)


@dataclass(frozen=True)
class Grant:
    name: str  # an e-mail address (lower case) or "teams:<id>"
    municipality: str
    by: str
    at: float


class Memberships:
    TABLES: ClassVar[dict[str, str]] = {
        MEMBERSHIPS: "admins' grants of a municipality or the coordinator role to a person "
        "(address or Teams id), and each municipality's rule for acting on its agreements",
    }

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._rules: dict[str, str] | None = None  # read once: a handful of rows

    async def grant(self, name: str, municipality: str, by: str) -> Grant:
        grant = Grant(name.strip().lower(), municipality, by, self._clock.time())
        await self._store.upsert(MEMBERSHIPS, Record(GRANT, grant.name, {
            "municipality": municipality, "by": by, "at": grant.at}))  # fmt: skip
        return grant

    async def revoke(self, name: str) -> bool:
        return await self._store.delete(MEMBERSHIPS, GRANT, name.strip().lower())

    async def granted(self, names: tuple[str, ...]) -> frozenset[str]:
        """The municipalities granted to any of a person's names."""
        found = set()
        for name in names:
            record = await self._store.get(MEMBERSHIPS, GRANT, name.lower())
            if record is not None:
                found.add(str(record.data["municipality"]))
        return frozenset(found)

    async def grants(self) -> list[Grant]:
        return [
            Grant(r.key, str(r.data["municipality"]), str(r.data.get("by", "")),
                  float(r.data.get("at", 0)))
            for r in await self._store.query(MEMBERSHIPS, GRANT)
        ]  # fmt: skip

    async def make_coordinator(self, name: str, by: str) -> None:
        await self._store.upsert(MEMBERSHIPS, Record(COORDINATOR, name.strip().lower(), {
            "by": by, "at": self._clock.time()}))  # fmt: skip

    async def unmake_coordinator(self, name: str) -> bool:
        return await self._store.delete(MEMBERSHIPS, COORDINATOR, name.strip().lower())

    async def is_coordinator(self, names: tuple[str, ...]) -> bool:
        for name in names:
            if await self._store.get(MEMBERSHIPS, COORDINATOR, name.lower()) is not None:
                return True
        return False

    async def agreement_rule(self, municipality: str) -> str:
        if self._rules is None:
            self._rules = {r.key: str(r.data["rule"])
                           for r in await self._store.query(MEMBERSHIPS, RULE)}  # fmt: skip
        return self._rules.get(municipality, ALL_MEMBERS)

    async def set_agreement_rule(self, municipality: str, rule: str, by: str) -> None:
        if rule not in AGREEMENT_RULES:
            raise ValueError(rule)
        await self._store.upsert(MEMBERSHIPS, Record(RULE, municipality, {"rule": rule,
                                                                          "by": by}))  # fmt: skip
        self._rules = None

    async def export_person(self, person: PersonRef) -> dict[str, Any]:
        names = _names(person)
        roles = [r.key for r in await self._store.query(MEMBERSHIPS, COORDINATOR)]
        return {"memberships": [
            {"name": g.name, "municipality": g.municipality} for g in await self.grants()
            if g.name in names
        ], "coordinator": sorted(n for n in roles if n in names)}  # fmt: skip

    async def erase_person(self, person: PersonRef) -> int:
        """A grant names the person; the admin who gave it is kept as "by" for the others
        (an admin erasing themselves removes their own grants only)."""
        removed = 0
        for name in _names(person):
            removed += await self._store.delete(MEMBERSHIPS, GRANT, name)
            removed += await self._store.delete(MEMBERSHIPS, COORDINATOR, name)
        return removed


def _names(person: PersonRef) -> frozenset[str]:
    return frozenset({*person.emails, f"teams:{person.user_id}", *person.ids})
