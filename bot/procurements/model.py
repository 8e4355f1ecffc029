"""Planned procurements (kommande upphandlingar): the model, its checks, and which plans of
different municipalities overlap (same area and product group, announced within N months)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from bot.agreements.model import agreement_key, area_of
from bot.forms import Problems
from bot.places import MUNICIPALITIES

STAGES = ("behovsanalys", "marknadsanalys", "forfragningsunderlag", "annonserad", "tilldelad",
          "avtal")  # fmt: skip
VALUE_BANDS = ("under-1", "1-5", "5-20", "over-20")  # mnkr
MAX_TITLE = 200
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
# The contact: their e-mail (sign-in address), or "teams:<Teams id>".
_EMAIL = re.compile(r"^([^@\s]{1,64}@[^@\s]{1,190}\.[A-Za-z]{2,}|teams:[\w:.-]{1,200})$")
_YES = ("true", "ja", "yes", "1", "x")


def month_of(text: str) -> date | None:
    """ "2027-03" -> the first of that month; None when it is not a month."""
    match = _MONTH.match(text.strip()[:7]) if len(text.strip()) in (7, 10) else None
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return date(year, month, 1) if 2000 <= year <= 2100 and 1 <= month <= 12 else None


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


def check_procurement(values: dict[str, str]) -> Problems:
    problems = Problems()
    problems.need(values.get("municipality", "") in MUNICIPALITIES, "municipality",
                  "procurement.error.municipality")  # fmt: skip
    title = values.get("title", "").strip()
    problems.need(0 < len(title) <= MAX_TITLE, "title", "procurement.error.title")
    problems.need(bool(area_of(values.get("area", ""))), "area", "procurement.error.area")
    problems.need(values.get("stage", "behovsanalys") in STAGES, "stage",
                  "procurement.error.stage")  # fmt: skip
    announce = month_of(values.get("announce", ""))
    problems.need(announce is not None, "announce", "procurement.error.announce")
    start = _date(values.get("contract_start", ""))
    problems.need(start is not None, "contract_start", "procurement.error.date")
    if announce and start:
        problems.need(start >= announce, "contract_start", "procurement.error.start_before")
    problems.need(bool(_EMAIL.match(values.get("contact", "").strip())), "contact",
                  "procurement.error.contact")  # fmt: skip
    band = values.get("value_band", "")
    problems.need(not band or band in VALUE_BANDS, "value_band", "procurement.error.value_band")
    return problems


def build_procurement(values: dict[str, str], created_by: str) -> Procurement:
    announce, start = month_of(values["announce"]), _date(values["contract_start"])
    assert announce is not None
    assert start is not None
    return Procurement(
        municipality=values["municipality"],
        title=values["title"].strip(),
        area=area_of(values["area"]),
        product_group=values.get("product_group", "").strip()[:MAX_TITLE],
        stage=values.get("stage") or "behovsanalys",
        announce=announce,
        contract_start=start,
        contact=values["contact"].strip().lower(),
        value_band=values.get("value_band", ""),
        open_to_coordinate=values.get("open_to_coordinate", "true").lower() in _YES,
        shared=values.get("shared", "true").lower() in _YES,
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


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None
