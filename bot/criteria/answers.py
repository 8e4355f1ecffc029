"""The answers the node gave, kept a month, so "Hjälpte det?" counts only for an answer the node
actually gave the person who clicks, once per person: the card carries the answer's id, and
the question and hits come from this record, never from the card.

An answer id starts with its day (partition), so a feedback finds its answer in one read and a
month-old day is dropped at once. Who asked is kept as a short hash (enough to tell people
apart, not to find who they are), in "mina data" and erased with it."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar

from bot.clock import Clock
from bot.personal import PersonRef
from bot.storage import AlreadyExistsError, Record, Store

ANSWERS = "answers"
KEEP_DAYS = 31
_EXPERT_ANSWERS = "fb:tickets"


def person_hash(person_id: str) -> str:
    return hashlib.sha256(f"answers|{person_id}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class GivenAnswer:
    id: str
    person: str  # person_hash of who it was given to
    question: str
    ids: tuple[str, ...]  # what it showed, best first


class AnswerLog:
    TABLES: ClassVar[dict[str, str]] = {
        ANSWERS: "a short hash of who got an answer (and gave feedback on it), a month"
    }

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def record(self, person_id: str, question: str, ids: tuple[str, ...]) -> str:
        """Keep an answer the node gives `person_id`; its id for the card's feedback buttons."""
        day = self._clock.today()
        answer_id = f"{day:%Y%m%d}{secrets.token_hex(6)}"
        data = {"person": person_hash(person_id), "question": question[:500],
                "ids": list(ids[:10])}  # fmt: skip
        await self._store.insert(ANSWERS, Record(f"{day:%Y%m%d}", answer_id, data))
        return answer_id

    async def given(self, answer_id: str, person_id: str) -> GivenAnswer | None:
        """The answer, if the node gave it to this person (and has not forgotten it)."""
        record = await self._store.get(ANSWERS, answer_id[:8], answer_id)
        if record is None or record.data.get("person") != person_hash(person_id):
            return None
        data = record.data
        return GivenAnswer(answer_id, data["person"], data["question"], tuple(data["ids"]))

    async def first_feedback(self, answer_id: str, person_id: str) -> bool:
        """True the first time this person gives feedback on this answer."""
        marker = Record(_marker_partition(answer_id), f"{answer_id}|{person_hash(person_id)}", {})
        try:
            await self._store.insert(ANSWERS, marker)
        except AlreadyExistsError:
            return False
        return True

    async def prune(self) -> int:
        """Housekeeping: the days past a month."""
        today = self._clock.today()
        removed = 0
        for back in range(KEEP_DAYS, KEEP_DAYS + 7):
            day = f"{today - timedelta(days=back):%Y%m%d}"
            for partition in (day, f"fb:{day}"):
                for record in await self._store.query(ANSWERS, partition):
                    removed += await self._store.delete(ANSWERS, partition, record.key)
        return removed

    async def _days(self) -> list[date]:
        today = self._clock.today()
        return [today - timedelta(days=back) for back in range(KEEP_DAYS + 7)]

    async def export_person(self, person: PersonRef) -> dict[str, Any]:
        hashes = {person_hash(i) for i in person.ids}
        found = []
        for day in await self._days():
            for record in await self._store.query(ANSWERS, f"{day:%Y%m%d}"):
                if record.data.get("person") in hashes:
                    found.append({"day": day.isoformat(), "question": record.data["question"]})
        return {"answers_given_to_you": found}

    async def erase_person(self, person: PersonRef) -> int:
        hashes = {person_hash(i) for i in person.ids}
        removed = 0
        for day in await self._days():
            for partition in (f"{day:%Y%m%d}", f"fb:{day:%Y%m%d}"):
                removed += await self._erase(partition, hashes)
        return removed + await self._erase(_EXPERT_ANSWERS, hashes)

    async def _erase(self, partition: str, hashes: set[str]) -> int:
        removed = 0
        for record in await self._store.query(ANSWERS, partition):
            if record.data.get("person") in hashes or record.key.split("|")[-1] in hashes:
                removed += await self._store.delete(ANSWERS, partition, record.key)
        return removed


def _marker_partition(answer_id: str) -> str:
    """Feedback markers by the answer's day; an expert's answers (T12) have no day."""
    return _EXPERT_ANSWERS if answer_id.startswith("T") else f"fb:{answer_id[:8]}"
