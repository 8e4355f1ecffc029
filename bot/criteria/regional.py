"""Regional criteria: where the national library has nothing (a gap), an expert writes a
criterion; a second expert from another municipality approves it before anyone can find it.
Approved, it is a criterion like any other ("LOK-<n>", source "regional:<municipality>"):
found in answers, cited in plans, agreements and follow-ups, and carried by the library's
import format (its "Källa" column)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from bot.clock import Clock
from bot.criteria.library import CriteriaLibrary
from bot.criteria.model import AREA_CHOICES, Criterion, CriterionType, Level
from bot.fields import SHORT, TEXT
from bot.forms import CHOICE, LONG, Context, Field, Form, FormProblems
from bot.forms import TEXT as TEXT_INPUT
from bot.i18n import UserError
from bot.personal import PersonRef
from bot.storage import AlreadyExistsError, Record, Store
from bot.storage.shapes import Shape, shape_of

PROPOSALS = "regionalcriteria"  # partition "pending"; key: the Krav ID it will have
PREFIX = "LOK-"
SOURCE = "regional:"
_LOK = re.compile(r"^LOK-(\d{1,5})$")

REGIONAL = Form(
    "regional", "regional.title", "regional.intro", "regional.send",
    fields=(
        Field("name", TEXT_INPUT, "regional.name", SHORT, required=True,
              problem="regional.error.name"),
        Field("area", CHOICE, "ask.area", required=True, choices=AREA_CHOICES,
              problem="ask.error.area"),
        Field("product_group", TEXT_INPUT, "agreement.field.product_group", SHORT),
        Field("level", CHOICE, "criterion.level", required=True, default="bas",
              choices=tuple((lv.value, f"level.{lv.value}") for lv in Level)),
        Field("type", CHOICE, "criterion.type", required=True,
              default=CriterionType.TEKNISK_SPECIFIKATION.value,
              choices=tuple((t.value, f"type.{t.value}") for t in CriterionType)),
        Field("kravtext", LONG, "criterion.kravtext", TEXT, required=True,
              problem="regional.error.text"),
        Field("motiv", LONG, "criterion.motiv", TEXT),
        Field("verifikat", LONG, "criterion.verifikat", TEXT, required=True,
              problem="regional.error.text"),
        Field("uppfoljning", LONG, "criterion.uppfoljning", TEXT, required=True,
              problem="regional.error.text"),
    ),
)  # fmt: skip


@dataclass(frozen=True)
class Proposal:
    criterion: Criterion
    by: str  # the proposing expert's id
    by_name: str
    municipality: str

    @classmethod
    def from_record(cls, record: Record) -> Proposal:
        data = record.data
        return cls(Criterion.from_dict(data["criterion"]), str(data["by"]),
                   str(data.get("by_name", "")), str(data["municipality"]))  # fmt: skip


class RegionalCriteria:
    TABLES: ClassVar[dict[str, str]] = {PROPOSALS: "the proposing expert's id and name"}
    SHAPES: ClassVar[dict[str, Shape]] = {PROPOSALS: shape_of(Proposal.from_record)}

    def __init__(self, store: Store, clock: Clock, library: CriteriaLibrary) -> None:
        self._store = store
        self._clock = clock
        self._library = library

    async def propose(
        self, values: dict[str, str], by: str, by_name: str, municipality: str
    ) -> Proposal:
        """A checked proposal, kept until another municipality's expert approves it;
        FormProblems with every problem."""
        clean = REGIONAL.clean(values)
        problems = REGIONAL.check(clean, Context(self._clock.today()))
        if problems:
            raise FormProblems(problems)
        for _ in range(5):  # two experts proposing at once take different numbers
            krav_id = await self._next_id()
            criterion = Criterion(
                krav_id, clean["name"], clean["area"], clean.get("product_group", ""),
                Level(clean["level"]), CriterionType(clean["type"]), clean["kravtext"],
                clean.get("motiv", ""), clean["verifikat"], clean["uppfoljning"],
                version_date=self._clock.today().isoformat(), source=SOURCE + municipality,
            )  # fmt: skip
            proposal = Proposal(criterion, by, by_name, municipality)
            try:
                await self._store.insert(PROPOSALS, Record("pending", krav_id, _data(proposal)))
            except AlreadyExistsError:
                continue
            return proposal
        raise UserError("regional.busy")

    async def _next_id(self) -> str:
        taken = [int(m.group(1)) for k in self._library.base_ids() if (m := _LOK.match(k))]
        taken += [int(m.group(1)) for r in await self._store.query(PROPOSALS, "pending")
                  if (m := _LOK.match(r.key))]  # fmt: skip
        return f"{PREFIX}{max(taken, default=100) + 1}"

    async def pending(self) -> list[Proposal]:
        return [Proposal.from_record(r) for r in await self._store.query(PROPOSALS, "pending")]

    async def approve(self, krav_id: str, by: str, municipality: str) -> Criterion:
        """Another municipality's expert approves: the criterion enters the library."""
        record = await self._store.get(PROPOSALS, "pending", krav_id)
        if record is None:
            raise UserError("regional.not_found", {"id": krav_id[:20]})
        proposal = Proposal.from_record(record)
        if by == proposal.by or municipality == proposal.municipality:
            raise UserError("regional.other_municipality",
                            {"municipality": proposal.municipality})  # fmt: skip
        await self._library.add_regional(proposal.criterion)
        await self._store.delete(PROPOSALS, "pending", krav_id)
        return proposal.criterion

    async def export_person(self, person: PersonRef) -> dict[str, Any]:
        mine = [p for p in await self.pending() if p.by in person.ids]
        return {"regional_proposals": [p.criterion.krav_id for p in mine]}

    async def erase_person(self, person: PersonRef) -> int:
        """A pending proposal keeps its text; who proposed it is forgotten."""
        removed = 0
        for proposal in await self.pending():
            if proposal.by in person.ids:
                anonymous = Proposal(proposal.criterion, "", "", proposal.municipality)
                await self._store.upsert(PROPOSALS, Record(
                    "pending", proposal.criterion.krav_id, _data(anonymous)))  # fmt: skip
                removed += 1
        return removed


def _data(proposal: Proposal) -> dict[str, Any]:
    return {"criterion": proposal.criterion.to_dict(), "by": proposal.by,
            "by_name": proposal.by_name, "municipality": proposal.municipality}  # fmt: skip


def regional_municipality(criterion: Criterion) -> str:
    """The municipality behind a regional criterion; "" for the national library's."""
    return criterion.source.removeprefix(SOURCE) if criterion.source.startswith(SOURCE) else ""
