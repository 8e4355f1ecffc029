"""The criteria library's shape: areas, levels, types and the criterion itself."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

AREAS: dict[str, str] = {
    "bygg-och-fastighet": "Bygg och fastighet",
    "fordon-och-transport": "Fordon och transport",
    "livsmedel": "Livsmedel och måltidstjänster",
    "it": "IT och telekom",
    "stad-och-kemikalier": "Städ och kemikalier",
    "kontor-och-textil": "Kontor, möbler och textil",
    "halso-och-sjukvard": "Hälso- och sjukvård",
    "energi": "Energi och belysning",
    "avfall": "Avfall och återvinning",
    "ovrigt": "Övrigt",
}


# An area as a form's choice: the slug, labelled by its name in the reader's language.
AREA_CHOICES = tuple((slug, f"area.{slug}") for slug in AREAS)


def _spelled(text: str) -> str:
    return " ".join(text.strip().lower().split())


def _area_names() -> dict[str, str]:
    """Every way an area is written in full: its slug, its Swedish and English names."""
    from bot.i18n import texts_for

    english = texts_for("en")
    names = {slug: slug for slug in AREAS}
    for slug, name in AREAS.items():
        names[_spelled(name)] = slug
        names[_spelled(english.area(slug))] = slug
    return names


_AREA_NAMES = _area_names()


def area_of(text: str) -> str:
    """An area's slug from what people write (a form, an import row, a command's argument):
    its slug or its name in Swedish or English, or a word of it ("fordon", "städ",
    "transport"); "" when it names no area."""
    spelled = _spelled(text)
    if not spelled:
        return ""
    exact = _AREA_NAMES.get(spelled)
    if exact:
        return exact
    if len(spelled) < 3:  # "it" is exact or nothing: two letters are part of too much
        return ""
    for name, slug in _AREA_NAMES.items():
        if spelled in name or slug.split("-")[0] in spelled.split():
            return slug
    return ""


class Level(StrEnum):
    BAS = "bas"
    AVANCERAD = "avancerad"
    SPJUTSPETS = "spjutspets"


class CriterionType(StrEnum):
    KVALIFICERINGSKRAV = "kvalificeringskrav"
    TEKNISK_SPECIFIKATION = "teknisk_specifikation"
    TILLDELNINGSKRITERIUM = "tilldelningskriterium"
    SARSKILT_KONTRAKTSVILLKOR = "sarskilt_kontraktsvillkor"


# A Krav ID is a number with an optional version ("10699:2"), or the node's own "LOK-" ids.
KRAV_BASE = r"\d{3,6}|LOK-\d{1,5}"
KRAV_ID = re.compile(rf"^(?P<base>{KRAV_BASE})(?::(?P<version>\d{{1,3}}))?$")
# A Krav ID inside running text ("Ställ kravet 10699:2 på ..."), not a part of another token.
KRAV_ID_IN_TEXT = re.compile(rf"(?<![\w:-])(?:{KRAV_BASE})(?::\d{{1,3}})?(?![\w:-])")


def split_krav_id(krav_id: str) -> tuple[str, int]:
    """'10699:2' -> ('10699', 2); '11567' -> ('11567', 1). ValueError when malformed."""
    match = KRAV_ID.match(krav_id.strip())
    if match is None:
        raise ValueError(krav_id)
    return match.group("base"), int(match.group("version") or 1)


@dataclass(frozen=True)
class Criterion:
    krav_id: str  # as the library writes it, with its version suffix when it has one
    name: str
    area: str  # a key of AREAS
    product_group: str
    level: Level
    type: CriterionType
    kravtext: str
    motiv: str = ""
    verifikat: str = ""
    uppfoljning: str = ""
    link: str = ""
    page_id: str = ""
    version_date: str = ""
    source: str = ""
    has_english: bool = False
    # The day an import of the whole library no longer held it (ISO): still found and shown,
    # labelled, ranked after current criteria; never deleted (agreements cite it).
    withdrawn: str = ""

    @property
    def base_id(self) -> str:
        return split_krav_id(self.krav_id)[0]

    @property
    def version(self) -> int:
        return split_krav_id(self.krav_id)[1]

    @property
    def key(self) -> str:
        """One entry per criterion and level."""
        return f"{self.base_id}/{self.level.value}"

    @property
    def is_sample(self) -> bool:
        return self.source == "exempel"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Criterion:
        values = dict(data)
        values["level"] = Level(values["level"])
        values["type"] = CriterionType(values["type"])
        return cls(**values)
