"""Shared work: market analyses and completed follow-ups, with their validation.

Validation returns every problem at once (field -> text key), so a form can be shown again
with all errors marked; nothing is stored until the whole form is valid."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

METHODS = ("stickprov", "intyg", "revision", "leverantörsförsäkran", "certifikat", "mätning")
RESULTS = ("uppfyllt", "delvis", "ej uppfyllt", "ej kontrollerat")


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


def shared_item(partition: str, data: dict[str, Any]) -> MarketAnalysis | FollowUpReport | None:
    """A stored shared record (table "shared") as its model; None for an unknown kind."""
    if partition == "analysis":
        return MarketAnalysis(**data)
    if partition == "followup":
        return FollowUpReport.from_data(data)
    return None
