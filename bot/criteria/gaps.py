"""Where the library has nothing: every question that found nothing good enough is kept
without a name (the area guessed, its meaningful words, the day), so experts can see what
people look for in vain (`luckor`) and write a regional criterion for it."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from bot.clock import Clock
from bot.criteria._text import STOPWORDS, words
from bot.storage import Record, Store
from bot.storage.shapes import Shape, shape_of

GAPS = "gaps"  # partition: the area guessed ("" unknown); key: time and a random part
MAX_WORDS = 12
UNKNOWN_AREA = "okänt"


@dataclass(frozen=True)
class Gap:
    area: str
    words: tuple[str, ...]
    day: str  # ISO

    @classmethod
    def from_record(cls, record: Record) -> Gap:
        found = record.data["words"]
        if not isinstance(found, list):
            raise TypeError("words")
        return cls(record.partition, tuple(str(w) for w in found), str(record.data["day"]))


@dataclass(frozen=True)
class GapGroup:
    """The gaps of one area: how many, since when, the words most asked and a few examples."""

    area: str
    count: int
    first: str
    last: str
    words: tuple[tuple[str, int], ...]
    examples: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {"area": self.area, "count": self.count, "first_seen": self.first,
                "last_seen": self.last, "words": dict(self.words),
                "examples": list(self.examples)}  # fmt: skip


class Gaps:
    # Words of a question, never who asked or the whole text: no personal data.
    TABLES: ClassVar[dict[str, str]] = {GAPS: ""}
    SHAPES: ClassVar[dict[str, Shape]] = {GAPS: shape_of(Gap.from_record)}

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def record(self, question: str, area: str) -> bool:
        """Keep a question that found nothing; False when it has no meaningful word."""
        kept = tuple(dict.fromkeys(w for w in words(question) if w not in STOPWORDS
                                   and len(w) > 2 and not w.isdigit()))[:MAX_WORDS]  # fmt: skip
        if not kept:
            return False
        key = f"{self._clock.time():017.6f}-{uuid.uuid4().hex[:6]}"
        await self._store.insert(GAPS, Record(area or UNKNOWN_AREA, key, {
            "words": list(kept), "day": self._clock.today().isoformat()}))  # fmt: skip
        return True

    async def groups(self, area: str = "", since: date | None = None) -> list[GapGroup]:
        """Per area, the most asked first."""
        records = await self._store.query(GAPS, area) if area else await self._store.query(GAPS)
        gaps = [Gap.from_record(r) for r in records]
        if since is not None:
            gaps = [g for g in gaps if g.day >= since.isoformat()]
        by_area: dict[str, list[Gap]] = {}
        for gap in gaps:
            by_area.setdefault(gap.area, []).append(gap)
        groups = []
        for name, found in by_area.items():
            counted = Counter(w for g in found for w in set(g.words))
            days = sorted(g.day for g in found)
            examples = tuple(dict.fromkeys(" ".join(g.words[:6]) for g in reversed(found)))[:3]
            groups.append(GapGroup(name, len(found), days[0], days[-1],
                                   tuple(counted.most_common(8)), examples))  # fmt: skip
        return sorted(groups, key=lambda g: (-g.count, g.area))
