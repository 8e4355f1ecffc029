"""The shared market analyses and follow-up reports: owns the table `shared`.

Personal data: who shared an item (their Teams id) and the contact person they named. An
erasure removes both from the person's items and keeps the items, which other municipalities
rely on.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from bot.criteria import AREAS, Document
from bot.personal import PersonRef
from bot.sharing.models import FollowUpReport, MarketAnalysis, shared_item
from bot.storage import Record, Store
from bot.storage.shapes import Shape, shape_of

SHARED = "shared"
SharedItem = MarketAnalysis | FollowUpReport
ERASED = "(raderad)"


class SharedItems:
    SHAPES: ClassVar[dict[str, Shape]] = {
        SHARED: shape_of(lambda record: shared_item(record.partition, record.data)),
    }
    TABLES: ClassVar[dict[str, str]] = {SHARED: "who shared an item (Teams id), its contact person"}

    def __init__(self, store: Store) -> None:
        self._store = store

    async def add(self, item: SharedItem) -> None:
        await self._store.insert(SHARED, Record(_kind(item), item.id, item.to_data()))

    async def get(self, item_id: str) -> SharedItem | None:
        for kind in ("analysis", "followup"):
            record = await self._store.get(SHARED, kind, item_id)
            if record is not None:
                return shared_item(kind, record.data)
        return None

    async def analyses(self) -> list[MarketAnalysis]:
        return [MarketAnalysis(**r.data) for r in await self._store.query(SHARED, "analysis")]

    async def followups(self) -> list[FollowUpReport]:
        records = await self._store.query(SHARED, "followup")
        return [FollowUpReport.from_data(r.data) for r in records]

    async def all(self) -> list[SharedItem]:
        return [*await self.analyses(), *await self.followups()]

    async def documents(self) -> list[Document]:
        """Every shared item as a search entry (the criteria library's DocumentSource)."""
        return [_document(item) for item in await self.all()]

    # --- personal data --------------------------------------------------------------------

    async def export_person(self, person: PersonRef) -> dict[str, Any]:
        mine = [item for item in await self.all() if item.shared_by == person.user_id]
        return {"shared_items": [item.to_data() for item in mine]}

    async def erase_person(self, person: PersonRef) -> int:
        erased = 0
        for item in await self.all():
            if item.shared_by != person.user_id:
                continue
            kept: SharedItem = replace(item, shared_by="")
            if isinstance(kept, MarketAnalysis):
                kept = replace(kept, contact=ERASED)
            await self._store.upsert(SHARED, Record(_kind(kept), kept.id, kept.to_data()))
            erased += 1
        return erased


def _kind(item: SharedItem) -> str:
    return "analysis" if isinstance(item, MarketAnalysis) else "followup"


def _document(item: SharedItem) -> Document:
    """A shared market analysis or follow-up report as a search entry."""
    if isinstance(item, FollowUpReport):
        checks = " ".join(f"{c.krav_id} {c.method} {c.result}" for c in item.checks)
        return Document(
            id=f"followup/{item.id}",
            kind="followup",
            area=item.area,
            fields={
                "name": f"Genomförd uppföljning: {item.agreement}",
                "keywords": "uppföljning avtalsuppföljning genomförd",
                "area": AREAS.get(item.area, ""),
                "kravtext": f"{item.findings} {checks}",
            },
        )
    return Document(
        id=f"analysis/{item.id}",
        kind="analysis",
        area=item.area,
        fields={
            "name": f"Marknadsanalys: {item.title}",
            "keywords": "marknadsanalys marknadsundersökning",
            "product_group": item.product_group,
            "area": AREAS.get(item.area, ""),
            "kravtext": f"{item.summary} {item.findings}",
        },
    )
