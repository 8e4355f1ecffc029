"""Shared work: market analyses and completed follow-ups, with their validation.

Validation returns every problem at once (field -> text key), so a form can be shown again
with all errors marked; nothing is stored until the whole form is valid."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any
from urllib.parse import urlparse

from bot.criteria.model import AREAS, KRAV_ID
from bot.fields import SHARED_SHORT, SHARED_TEXT
from bot.forms import Problems
from bot.places import MUNICIPALITIES

METHODS = ("stickprov", "intyg", "revision", "leverantörsförsäkran", "certifikat", "mätning")
RESULTS = ("uppfyllt", "delvis", "ej uppfyllt", "ej kontrollerat")
MAX_TEXT, MAX_SHORT = SHARED_TEXT.max, SHARED_SHORT.max
_DIGITS = re.compile(r"^\d{1,4}$")


@dataclass(frozen=True)
class MarketAnalysis:
    id: str
    title: str
    area: str
    product_group: str
    municipality: str
    date: str  # ISO date
    suppliers_consulted: int
    summary: str
    findings: str
    link: str
    contact: str
    shared_by: str = ""  # Teams user id, for "mina data" and erasure
    shared_at: float = 0.0

    def to_data(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FollowUpCheck:
    krav_id: str
    method: str
    result: str


@dataclass(frozen=True)
class FollowUpReport:
    id: str
    agreement: str
    supplier: str
    area: str
    municipality: str
    date: str
    checks: tuple[FollowUpCheck, ...]
    findings: str
    link: str = ""
    shared_by: str = ""
    shared_at: float = 0.0

    def to_data(self) -> dict[str, Any]:
        data = asdict(self)
        data["checks"] = [asdict(c) for c in self.checks]
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> FollowUpReport:
        checks = tuple(FollowUpCheck(**c) for c in data.get("checks", []))
        return cls(**{**data, "checks": checks})


def _text(value: str, limit: int) -> bool:
    return 0 < len(value.strip()) <= limit


def _https(value: str) -> bool:
    parsed = urlparse(value)
    return parsed.scheme == "https" and bool(parsed.netloc)


def _date(value: str, today: date) -> bool:
    try:
        return date.fromisoformat(value) <= today
    except ValueError:
        return False


def check_analysis(values: dict[str, str], today: date) -> Problems:
    problems = Problems()
    problems.need(_text(values.get("title", ""), MAX_SHORT), "title", "share.error.title")
    problems.need(values.get("area", "") in AREAS, "area", "share.error.area")
    problems.need(
        values.get("municipality", "") in MUNICIPALITIES, "municipality", "share.error.municipality"
    )
    problems.need(_date(values.get("date", ""), today), "date", "share.error.date")
    problems.need(
        bool(_DIGITS.match(values.get("suppliers_consulted", ""))),
        "suppliers_consulted",
        "share.error.suppliers",
    )
    problems.need(_text(values.get("summary", ""), MAX_TEXT), "summary", "share.error.summary")
    problems.need(len(values.get("findings", "")) <= MAX_TEXT, "findings", "share.error.too_long")
    problems.need(_https(values.get("link", "")), "link", "share.error.link")
    problems.need(_text(values.get("contact", ""), MAX_SHORT), "contact", "share.error.contact")
    problems.need(
        len(values.get("product_group", "")) <= MAX_SHORT, "product_group", "share.error.too_long"
    )
    return problems


def check_followup(values: dict[str, str], rows: int, today: date) -> Problems:
    problems = Problems()
    problems.need(
        _text(values.get("agreement", ""), MAX_SHORT), "agreement", "share.error.agreement"
    )
    problems.need(len(values.get("supplier", "")) <= MAX_SHORT, "supplier", "share.error.too_long")
    problems.need(values.get("area", "") in AREAS, "area", "share.error.area")
    problems.need(
        values.get("municipality", "") in MUNICIPALITIES, "municipality", "share.error.municipality"
    )
    problems.need(_date(values.get("date", ""), today), "date", "share.error.date")
    problems.need(len(values.get("findings", "")) <= MAX_TEXT, "findings", "share.error.too_long")
    link = values.get("link", "")
    problems.need(not link or _https(link), "link", "share.error.link")
    filled = 0
    for n in range(1, rows + 1):
        krav = values.get(f"krav_{n}", "").strip()
        if not krav:
            continue
        filled += 1
        problems.need(bool(KRAV_ID.match(krav)), f"krav_{n}", "share.error.krav")
        problems.need(values.get(f"method_{n}", "") in METHODS, f"method_{n}", "share.error.method")
        problems.need(values.get(f"result_{n}", "") in RESULTS, f"result_{n}", "share.error.result")
    problems.need(filled > 0, "krav_1", "share.error.no_checks")
    return problems


def shared_item(partition: str, data: dict[str, Any]) -> MarketAnalysis | FollowUpReport | None:
    """A stored shared record (table "shared") as its model; None for an unknown kind."""
    if partition == "analysis":
        return MarketAnalysis(**data)
    if partition == "followup":
        return FollowUpReport.from_data(data)
    return None
