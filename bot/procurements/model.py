"""Planned procurements (kommande upphandlingar): the model, its checks, and which plans of
different municipalities overlap (same area and product group, announced within N months)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from bot.agreements.model import agreement_key
from bot.values import parse_date, parse_month

STAGES = ("behovsanalys", "marknadsanalys", "forfragningsunderlag", "annonserad", "tilldelad",
          "avtal")  # fmt: skip
VALUE_BANDS = ("under-1", "1-5", "5-20", "over-20")  # mnkr


def months_between(first: date, second: date) -> int:
    return abs((first.year - second.year) * 12 + first.month - second.month)


@dataclass(frozen=True)
class Procurement:
    municipality: str
    title: str
    area: str
    product_group: str
    stage: str
    announce: date  # the planned announcement month (its first day)
    contract_start: date
    contact: str  # the contact person's e-mail
    value_band: str = ""
    open_to_coordinate: bool = True
    shared: bool = True  # False: visible only inside the municipality
    contact_name: str = ""
    expert: str = ""  # the environmental expert linked (expert id), through early consultation
    expert_name: str = ""
    ticket: int = 0  # the early-consultation ticket
    expert_linked_on: str = ""  # the day the expert took it (ISO)
    coordinate: bool = False  # the contact said yes to coordinating with the overlapping ones
    agreement: str = ""  # the agreement it became
    nudged_on: str = ""  # the day its contact was nudged (ISO): once only
    created_by: str = ""
    etag: str | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        return agreement_key(self.municipality, self.title)

    def to_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k != "etag"}
        data["announce"] = self.announce.isoformat()
        data["contract_start"] = self.contract_start.isoformat()
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any], etag: str | None = None) -> Procurement:
        return cls(**{**data, "announce": date.fromisoformat(data["announce"]),
                      "contract_start": date.fromisoformat(data["contract_start"])},
                   etag=etag)  # fmt: skip

    def without_person(self) -> Procurement:
        return replace(self, contact="", contact_name="", created_by="")


def build_procurement(values: dict[str, str], created_by: str) -> Procurement:
    """A plan from the clean values of a checked form (bot/procurements/forms.py)."""
    announce, start = parse_month(values["announce"]), parse_date(values["contract_start"])
    assert announce is not None
    assert start is not None
    return Procurement(
        municipality=values["municipality"],
        title=values["title"],
        area=values["area"],
        product_group=values.get("product_group", ""),
        stage=values.get("stage") or "behovsanalys",
        announce=announce,
        contract_start=start,
        contact=values["contact"].lower(),
        value_band=values.get("value_band", ""),
        open_to_coordinate=values.get("open_to_coordinate", "true") == "true",
        shared=values.get("shared", "true") == "true",
        created_by=created_by,
    )


def overlapping(plans: list[Procurement], months: int) -> list[list[Procurement]]:
    """Groups of shared plans in different municipalities buying the same: the same area and
    product group (a plan without a product group may be buying any of its area's), whose
    announcements lie within `months` of each other (chained: a group is a run of plans each
    within `months` of the previous)."""
    candidates = [p for p in plans if p.shared and p.stage not in ("tilldelad", "avtal")]
    groups: list[list[Procurement]] = []
    for area in sorted({p.area for p in candidates}):
        in_area = [p for p in candidates if p.area == area]
        named = sorted({p.product_group.lower() for p in in_area if p.product_group})
        for product_group in named or [""]:
            members = [p for p in in_area if p.product_group.lower() in (product_group, "")]
            for run in _runs(sorted(members, key=lambda p: (p.announce, p.municipality)), months):
                if len({p.municipality for p in run}) > 1 and run not in groups:
                    groups.append(run)
    return groups


def _runs(plans: list[Procurement], months: int) -> list[list[Procurement]]:
    runs: list[list[Procurement]] = []
    for plan in plans:
        if runs and months_between(runs[-1][-1].announce, plan.announce) <= months:
            runs[-1].append(plan)
        else:
            runs.append([plan])
    return runs
