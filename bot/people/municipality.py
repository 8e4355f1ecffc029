"""Which municipality a person works for: their own correction (`min kommun`) wins, then the
Graph profile (companyName, department, officeLocation), then the e-mail/UPN domain table
(deployment/municipality-domains.yaml, editable)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, ClassVar

import yaml

from bot.personal import PersonRef
from bot.places import MUNICIPALITIES
from bot.storage import Record, Store

PROFILES = "profiles"
DOMAINS_FILE = Path(__file__).resolve().parents[2] / "deployment" / "municipality-domains.yaml"


@cache
def domain_table(path: Path = DOMAINS_FILE) -> dict[str, str]:
    data = yaml.safe_load(path.read_text("utf-8")) if path.exists() else {}
    table = {str(k).lower(): str(v) for k, v in (data or {}).items()}
    unknown = sorted(set(table.values()) - set(MUNICIPALITIES))
    if unknown:
        raise ValueError(f"{path.name}: not a municipality in Skåne: {unknown[0]}")
    return table


def home_address(address: str) -> str:
    """A guest's address in the host tenant, 'eva.berg_lund.se#EXT#@region.onmicrosoft.com',
    as their home one, 'eva.berg@lund.se' (Entra writes the home '@' as the last '_', and
    domains have no '_'); any other address as it is."""
    marker = address.lower().find("#ext#")
    user, underscore, domain = address[: max(marker, 0)].strip().rpartition("_")
    return f"{user}@{domain}" if underscore and user and domain else address


def from_address(address: str) -> str:
    """'eva@stad.lund.se' -> 'Lund' (the longest matching domain suffix wins); a guest's
    '#EXT#' address counts by its home domain."""
    domain = home_address(address).rsplit("@", 1)[-1].lower().strip()
    table = domain_table()
    parts = domain.split(".")
    for start in range(len(parts) - 1):
        candidate = ".".join(parts[start:])
        if candidate in table:
            return table[candidate]
    return ""


def from_profile(profile: dict[str, str]) -> str:
    for field in ("companyName", "department", "officeLocation"):
        text = (profile.get(field) or "").lower()
        for municipality in sorted(MUNICIPALITIES, key=len, reverse=True):
            if municipality.lower() in text:
                return municipality
    return ""


def canonical(name: str) -> str:
    """A municipality as the user typed it, in its proper form; "" when not in Skåne."""
    wanted = name.strip().lower().removesuffix(" kommun")
    return next((m for m in MUNICIPALITIES if m.lower() == wanted), "")


class Profiles:
    TABLES: ClassVar[dict[str, str]] = {
        PROFILES: "the municipality a person says they work in, the language they use",
    }

    def __init__(self, store: Store) -> None:
        self._store = store
        self._languages: dict[str, str] = {}  # known here: no store read on every turn

    async def export_person(self, person: PersonRef) -> dict[str, Any]:
        return {"municipality": await self.correction(person.user_id),
                "language": await self.language(person.user_id)}  # fmt: skip

    async def erase_person(self, person: PersonRef) -> int:
        self._languages.pop(person.user_id, None)
        removed = await self._store.delete(PROFILES, "language", person.user_id)
        return int(await self._store.delete(PROFILES, "municipality", person.user_id)) + removed

    async def language(self, user_id: str, fresh: bool = False) -> str:
        """The language a person uses with the node ("sv" or "en"), "" when not known;
        `fresh` reads the store (another instance may have changed it)."""
        known = None if fresh else self._languages.get(user_id)
        if known is None:
            record = await self._store.get(PROFILES, "language", user_id)
            known = self._languages[user_id] = str(record.data["language"]) if record else ""
        return known

    async def set_language(self, user_id: str, language: str) -> None:
        if user_id and await self.language(user_id) != language:
            await self._store.upsert(PROFILES, Record("language", user_id, {"language": language}))
            self._languages[user_id] = language

    async def correction(self, user_id: str) -> str:
        record = await self._store.get(PROFILES, "municipality", user_id)
        return str(record.data["municipality"]) if record else ""

    async def correct(self, user_id: str, municipality: str) -> None:
        await self._store.upsert(
            PROFILES, Record("municipality", user_id, {"municipality": municipality})
        )
