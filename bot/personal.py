"""Each table has one owner: a repository that alone reads and writes it, and says what in it is
personal data. `TABLES` on an owner maps each of its tables to that description ("" for
none); owners holding personal data also take part in "mina data" and "radera mina data"
(`PersonalRecords`), so bot/privacy.py asks them all and nothing is left out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Protocol


@dataclass(frozen=True)
class PersonRef:
    """Who is asking about their data: their Teams id, Entra id, and expert ids if any."""

    user_id: str
    aad_id: str = ""
    expert_ids: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()  # their sign-in addresses, lower case

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(i for i in (self.user_id, self.aad_id, *self.expert_ids) if i)


class TableOwner(Protocol):
    TABLES: ClassVar[dict[str, str]]


class PersonalRecords(TableOwner, Protocol):
    async def export_person(self, person: PersonRef) -> dict[str, Any]:
        """The person's records, by section name (merged into one export)."""
        ...

    async def erase_person(self, person: PersonRef) -> int:
        """Remove or anonymise the person's records; how many were changed."""
        ...
