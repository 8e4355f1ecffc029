"""Agreements (avtal) and the follow-ups they owe: the model, the due-date rule, validation.

Due dates: the first follow-up of a criterion is due one interval after the agreement starts,
then every interval until the agreement ends; "vid avtalsstart" is due 30 days after the
start, once. A month step keeps the day of the month, or the month's last day when it has
fewer days (31 Jan + 1 month = 28/29 Feb), as dateutil's relativedelta does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, ClassVar

from dateutil.relativedelta import relativedelta
from stdnum.se import orgnr

from bot.criteria.model import Criterion, split_krav_id
from bot.values import parse_date

# Interval -> months between follow-ups (0: once, 30 days after the start).
INTERVALS: dict[str, int] = {"vid_avtalsstart": 0, "kvartal": 3, "halvar": 6, "ar": 12}
_INTERVAL_SPELLINGS = {
    "vid avtalsstart": "vid_avtalsstart", "avtalsstart": "vid_avtalsstart",
    "vid_avtalsstart": "vid_avtalsstart", "start": "vid_avtalsstart",
    "kvartal": "kvartal", "kvartalsvis": "kvartal", "quarter": "kvartal",
    "halvår": "halvar", "halvar": "halvar", "halvårsvis": "halvar", "half-year": "halvar",
    "år": "ar", "ar": "ar", "årligen": "ar", "årsvis": "ar", "year": "ar",
}  # fmt: skip
AT_START_DAYS = 30
POSTPONE_LIMIT = timedelta(days=90)  # a follow-up moves to 90 days after the end at the latest
LEVELS = ("bas", "avancerad", "spjutspets")
RESULTS = ("gron", "gul", "rod")  # grön / gul / röd
MAX_TITLE = 200
_KEY_UNSAFE = re.compile(r"[^a-z0-9åäöéü]+")


def interval_of(text: str) -> str | None:
    return _INTERVAL_SPELLINGS.get(" ".join(text.strip().lower().split()))


def due_dates(start: date, end: date, interval: str) -> list[date]:
    """Every follow-up due for one criterion of an agreement running from start to end: one
    interval after the start, then every interval; when the next date would fall after the
    end, the last one is due on the end date, so every agreement owes at least one."""
    months = INTERVALS[interval]
    if months == 0:
        first = start + timedelta(days=AT_START_DAYS)
        return [first] if first <= end else [end]
    dates = []
    step = 1
    while (due := start + relativedelta(months=months * step)) <= end:
        dates.append(due)
        step += 1
    if not dates or dates[-1] < end:
        dates.append(end)
    return dates


def owed_due(start: date, end: date, interval: str, registered_on: date) -> date | None:
    """The follow-up an agreement owes when it is registered: the most recent due date that
    has passed (once, overdue: the node cannot know it was done, and one reminder is not a
    flood), else the next one; None when the agreement has ended with nothing owed."""
    dates = due_dates(start, end, interval)
    passed = [d for d in dates if d < registered_on]
    if passed:
        return passed[-1]
    return next((d for d in dates if d >= registered_on), None)


def next_due(start: date, end: date, interval: str, after: date | None) -> date | None:
    """The first due date later than `after` (the first of all when None)."""
    for due in due_dates(start, end, interval):
        if after is None or due > after:
            return due
    return None


def org_number(text: str) -> str:
    """A Swedish organisationsnummer in its usual form (556036-0793); ValueError if invalid."""
    if not orgnr.is_valid(text):
        raise ValueError("orgnr")
    return str(orgnr.format(text))


def agreement_key(municipality: str, title: str) -> str:
    """The same (Kommun, Avtal) is the same agreement: an import again updates it."""
    slug = _KEY_UNSAFE.sub("-", title.lower()).strip("-")[:80]
    return f"{municipality.lower()}:{slug}"


@dataclass(frozen=True)
class AgreementCriterion:
    krav_id: str  # "11567" or "10699:2"
    level: str  # bas, avancerad or spjutspets
    interval: str  # a key of INTERVALS
    signed: Signed | None = None  # the text as it was when the agreement was registered

    @property
    def base(self) -> str:
        return split_krav_id(self.krav_id)[0]

    def to_data(self) -> list[Any]:
        row: list[Any] = [self.krav_id, self.level, self.interval]
        return [*row, self.signed.to_data()] if self.signed else row

    @classmethod
    def from_data(cls, row: list[Any]) -> AgreementCriterion:
        signed = Signed.from_data(row[3]) if len(row) > 3 and row[3] else None
        return cls(str(row[0]), str(row[1]), str(row[2]), signed)


@dataclass(frozen=True)
class Signed:
    """A criterion as the supplier signed it: its version and the texts a follow-up checks
    against. The library may change or withdraw it later; the agreement keeps this."""

    version: int
    name: str
    kravtext: str
    verifikat: str
    uppfoljning: str

    FIELDS: ClassVar[tuple[str, ...]] = ("name", "kravtext", "verifikat", "uppfoljning")

    @classmethod
    def of(cls, criterion: Criterion) -> Signed:
        return cls(criterion.version, criterion.name, criterion.kravtext, criterion.verifikat,
                   criterion.uppfoljning)  # fmt: skip

    def to_data(self) -> dict[str, Any]:
        return {"version": self.version, "name": self.name, "kravtext": self.kravtext,
                "verifikat": self.verifikat, "uppfoljning": self.uppfoljning}  # fmt: skip

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Signed:
        return cls(int(data["version"]), str(data.get("name", "")), str(data["kravtext"]),
                   str(data.get("verifikat", "")), str(data.get("uppfoljning", "")))  # fmt: skip


@dataclass(frozen=True)
class Drift:
    """How the library's criterion now differs from what an agreement signed."""

    library_version: int | None  # None: the library no longer has it at that level
    fields: tuple[str, ...] = ()  # the texts that differ
    withdrawn: str = ""  # the day it left the library


def drift(signed: Signed, current: Criterion | None) -> Drift:
    if current is None:
        return Drift(None)
    fields = tuple(f for f in Signed.FIELDS if getattr(signed, f) != getattr(current, f))
    return Drift(current.version, fields, current.withdrawn)


@dataclass(frozen=True)
class Agreement:
    municipality: str
    title: str
    area: str
    product_group: str
    supplier: str
    org_number: str
    framework: bool
    start: date
    end: date
    responsible: str  # the avtalsansvarig's e-mail (their Teams sign-in)
    criteria: tuple[AgreementCriterion, ...]
    responsible_name: str = ""
    created_by: str = ""  # Teams id of who registered it ("import" for a file)
    shared: bool = True  # False: visible only inside the municipality
    etag: str | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        return agreement_key(self.municipality, self.title)

    def criterion(self, krav_id: str) -> AgreementCriterion | None:
        base = split_krav_id(krav_id)[0]
        return next((c for c in self.criteria if c.base == base), None)

    def to_data(self) -> dict[str, Any]:
        return {
            "municipality": self.municipality, "title": self.title, "area": self.area,
            "product_group": self.product_group, "supplier": self.supplier,
            "org_number": self.org_number, "framework": self.framework,
            "start": self.start.isoformat(), "end": self.end.isoformat(),
            "responsible": self.responsible, "responsible_name": self.responsible_name,
            "criteria": [c.to_data() for c in self.criteria],
            "created_by": self.created_by, "shared": self.shared,
        }  # fmt: skip

    @classmethod
    def from_data(cls, data: dict[str, Any], etag: str | None = None) -> Agreement:
        return cls(
            **{k: v for k, v in data.items() if k not in ("start", "end", "criteria")},
            start=date.fromisoformat(data["start"]),
            end=date.fromisoformat(data["end"]),
            criteria=tuple(AgreementCriterion.from_data(c) for c in data["criteria"]),
            etag=etag,
        )

    def without_person(self) -> Agreement:
        return replace(self, responsible="", responsible_name="", created_by="")


def criteria_words(text: str) -> list[list[str]]:
    """ "11567, 10699:2 avancerad" -> [["11567"], ["10699:2", "avancerad"]]: the words of each
    entry of a Krav-ID list (comma or semicolon between entries), empty entries left out."""
    return [words for part in text.replace(";", ",").split(",") if (words := part.split())]


def parse_criteria(text: str, interval: str, known: set[str]) -> tuple[AgreementCriterion, ...]:
    """ "11567, 10699:2 avancerad" -> criteria; ValueError names the first bad id."""
    chosen: list[AgreementCriterion] = []
    for words in criteria_words(text):
        krav, level = words[0], (words[1].lower() if len(words) > 1 else "bas")
        try:
            base = split_krav_id(krav)[0]
        except ValueError:
            raise ValueError(krav) from None
        if base not in known or level not in LEVELS:
            raise ValueError(krav)
        if all(c.base != base for c in chosen):
            chosen.append(AgreementCriterion(krav, level, interval))
    if not chosen:
        raise ValueError("")
    return tuple(chosen)


def build_agreement(
    values: dict[str, str], known: set[str], created_by: str, responsible_name: str = ""
) -> Agreement:
    """An agreement from the clean values of a checked form (bot/agreements/forms.py)."""
    interval = values.get("interval") or "ar"
    start, end = parse_date(values["start"]), parse_date(values["end"])
    assert start is not None
    assert end is not None
    return Agreement(
        municipality=values["municipality"],
        title=values["title"],
        area=values["area"],
        product_group=values.get("product_group", ""),
        supplier=values["supplier"],
        org_number=org_number(values["org_number"]),
        framework=values.get("framework") == "true",
        start=start,
        end=end,
        responsible=values["responsible"].lower(),
        responsible_name=responsible_name[:MAX_TITLE],
        criteria=parse_criteria(values["criteria"], interval, known),
        created_by=created_by,
        shared=values.get("shared", "true") != "false",
    )
