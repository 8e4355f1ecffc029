"""Reading a criteria file (CSV or XLSX, one row per criterion and level).

Columns are matched by the library's Swedish headers, case- and space-insensitively; English
headers work too. Every row is checked; bad rows come back with their row number and reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bot.criteria.model import AREAS, Criterion, CriterionType, Level, split_krav_id
from bot.tabular import FileFormatError, RowError, read_rows, records, rows_of

__all__ = ["FileFormatError", "ParsedFile", "RowError", "parse_rows", "read_file"]

# Our field -> the headers that may carry it (first is the library's own).
COLUMNS: dict[str, tuple[str, ...]] = {
    "krav_id": ("krav id", "kravid", "id", "criterion id"),
    "page_id": ("sid-id", "sidid", "page id"),
    "name": ("kriterienamn", "namn", "name"),
    "area": ("område", "area"),
    "product_group": ("produktgrupp", "product group"),
    "level": ("nivå", "level"),
    "type": ("kriterietyp", "typ", "type"),
    "kravtext": ("kravtext", "krav", "requirement"),
    "motiv": ("motiv", "information om kriteriet", "rationale"),
    "verifikat": ("verifikat", "verification", "proof"),
    "uppfoljning": ("uppföljning", "follow-up", "follow up"),
    "link": ("länk", "link", "url"),
    "version_date": ("versionsdatum", "version", "datum", "date"),
    "source": ("källa", "source"),
    "has_english": ("engelsk version", "english"),
}
REQUIRED = ("krav_id", "name", "area", "level", "type", "kravtext")
MAX_FIELD = 8000

_LEVELS = {
    "bas": Level.BAS, "basnivå": Level.BAS, "basic": Level.BAS,
    "avancerad": Level.AVANCERAD, "avancerad nivå": Level.AVANCERAD, "advanced": Level.AVANCERAD,
    "spjutspets": Level.SPJUTSPETS, "spjutspetsnivå": Level.SPJUTSPETS,
    "spearhead": Level.SPJUTSPETS,
}  # fmt: skip
_TYPES = {
    "kvalificeringskrav": CriterionType.KVALIFICERINGSKRAV,
    "teknisk specifikation": CriterionType.TEKNISK_SPECIFIKATION,
    "tilldelningskriterium": CriterionType.TILLDELNINGSKRITERIUM,
    "särskilt kontraktsvillkor": CriterionType.SARSKILT_KONTRAKTSVILLKOR,
    "sarskilt kontraktsvillkor": CriterionType.SARSKILT_KONTRAKTSVILLKOR,
    "särskilda kontraktsvillkor": CriterionType.SARSKILT_KONTRAKTSVILLKOR,
    "kontraktsvillkor": CriterionType.SARSKILT_KONTRAKTSVILLKOR,
}
_AREAS_BY_NAME = {name.lower(): slug for slug, name in AREAS.items()} | {s: s for s in AREAS}


@dataclass(frozen=True)
class ParsedFile:
    criteria: list[Criterion]
    errors: list[RowError]


def read_file(path: Path) -> ParsedFile:
    return parse_rows(read_rows(path))


# The library's own spellings, for writing a file the importer reads back unchanged.
_LEVEL_NAMES = {Level.BAS: "Basnivå", Level.AVANCERAD: "Avancerad nivå",
                Level.SPJUTSPETS: "Spjutspetsnivå"}  # fmt: skip
_TYPE_NAMES = {
    CriterionType.KVALIFICERINGSKRAV: "Kvalificeringskrav",
    CriterionType.TEKNISK_SPECIFIKATION: "Teknisk specifikation",
    CriterionType.TILLDELNINGSKRITERIUM: "Tilldelningskriterium",
    CriterionType.SARSKILT_KONTRAKTSVILLKOR: "Särskilt kontraktsvillkor",
}
_EXPORTED = ("krav_id", "page_id", "name", "area", "product_group", "level", "type", "kravtext",
             "motiv", "verifikat", "uppfoljning", "link", "version_date", "source",
             "has_english")  # fmt: skip


def export_rows(criteria: Iterable[Criterion]) -> list[list[str]]:
    """Criteria in the import format (the library's headers; the Källa column carries where a
    regional criterion comes from), so an export imported again changes nothing."""
    rows = [[COLUMNS[name][0].capitalize() for name in _EXPORTED]]
    for criterion in criteria:
        shown = {"area": AREAS[criterion.area], "level": _LEVEL_NAMES[criterion.level],
                 "type": _TYPE_NAMES[criterion.type],
                 "has_english": "ja" if criterion.has_english else "-"}  # fmt: skip
        row = [shown.get(name) or str(getattr(criterion, name)) for name in _EXPORTED]
        rows.append([cell if cell != "-" else "" for cell in row])
    return rows


def read_content(name: str, raw: bytes) -> ParsedFile:
    """A library export sent as a file (its name tells CSV from XLSX); FileFormatError."""
    return parse_rows(rows_of(name, raw))


def parse_rows(rows: Iterable[list[str]]) -> ParsedFile:
    criteria: list[Criterion] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for number, values in records(list(rows), COLUMNS, REQUIRED):
        try:
            criterion = _criterion(values)
        except ValueError as error:
            errors.append(RowError(number, str(error)))
            continue
        if criterion.key in seen:
            errors.append(RowError(number, f"{criterion.key} also on row {seen[criterion.key]}"))
            continue
        seen[criterion.key] = number
        criteria.append(criterion)
    return ParsedFile(criteria, errors)


def _criterion(values: dict[str, str]) -> Criterion:
    for field_name in REQUIRED:
        if not values.get(field_name):
            raise ValueError(f"{COLUMNS[field_name][0]} is empty")
    for field_name, value in values.items():
        if len(value) > MAX_FIELD:
            raise ValueError(f"{COLUMNS[field_name][0]} is longer than {MAX_FIELD} characters")
    try:
        split_krav_id(values["krav_id"])
    except ValueError:
        raise ValueError(
            f"Krav ID {values['krav_id']!r} is not a number like 10699 or 10699:2"
        ) from None
    area = _AREAS_BY_NAME.get(values["area"].lower())
    if area is None:
        raise ValueError(f"unknown Område {values['area']!r}")
    level = _LEVELS.get(values["level"].lower())
    if level is None:
        raise ValueError(f"unknown Nivå {values['level']!r}")
    kind = _TYPES.get(values["type"].lower())
    if kind is None:
        raise ValueError(f"unknown Kriterietyp {values['type']!r}")
    link = values.get("link", "")
    if link and urlparse(link).scheme != "https":
        raise ValueError(f"Länk must be an https address, got {link[:60]!r}")
    extra: dict[str, Any] = {
        k: values.get(k, "")
        for k in ("page_id", "motiv", "verifikat", "uppfoljning", "version_date", "source")
    }
    return Criterion(
        krav_id=values["krav_id"],
        name=values["name"],
        area=area,
        product_group=values.get("product_group", ""),
        level=level,
        type=kind,
        kravtext=values["kravtext"],
        link=link,
        has_english=values.get("has_english", "").lower() in ("ja", "yes", "true", "1", "x"),
        **extra,
    )
