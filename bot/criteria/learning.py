"""Learning from the network: the words people use for a criterion that its text lacks
("koldioxidavtryck" for a criterion written about "klimatpåverkan").

Two signals link the words of a question to a criterion:
- an expert's **published** answer that cites the criterion's Krav ID: trusted, one is enough
  (published answers carry no names, so neither do their words);
- **"Hjälpte det? Ja"** on an answer whose top hit is the criterion: it counts once three
  different people said so for the same word (kept as short hashes of their ids, never ids).

Guards against gaming and drift: only words of 4 to 30 letters, not stop words, and not
already the criterion's own words; at most 6 words an event; at most 20 active words a
criterion (the best supported win); a word's support lapses 365 days after it was last
given. Learned words weigh less in the search than the criterion's own text (see
FIELD_WEIGHTS["learned"]), so they lift a criterion into the hits without burying one whose
own text matches. `python -m bot search` shows what the index finds; the table `learned`
holds every link (partition: Krav ID, key: word) for an admin to inspect or delete.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, ClassVar

from bot.criteria._text import LEVEL_WORDS, STOPWORDS, TYPE_WORDS, query_words, stem
from bot.personal import PersonRef
from bot.storage import Record, Store

LEARNED = "learned"
WORDS_PER_EVENT = 6
WORDS_PER_CRITERION = 20
PEOPLE_NEEDED = 3
LAPSES_AFTER = timedelta(days=365)
_KEPT_PEOPLE = 5  # hashes kept a word: enough to count to PEOPLE_NEEDED


@dataclass(frozen=True)
class Support:
    experts: int = 0
    people: tuple[str, ...] = ()
    last: str = ""

    def active(self, today: date) -> bool:
        fresh = bool(self.last) and date.fromisoformat(self.last) + LAPSES_AFTER >= today
        return fresh and (self.experts >= 1 or len(self.people) >= PEOPLE_NEEDED)

    @property
    def weight(self) -> int:
        return self.experts * PEOPLE_NEEDED + len(self.people)


def new_words(question: str, own_text: str) -> list[str]:
    """The words of `question` worth learning for a criterion whose text is `own_text`."""
    own = {stem(word) for word in query_words(own_text)}
    found = []
    for word in query_words(question):
        if not 4 <= len(word) <= 30 or not word.isalpha():
            continue
        if word in STOPWORDS or word in LEVEL_WORDS or word in TYPE_WORDS or stem(word) in own:
            continue
        found.append(word)
    return found[:WORDS_PER_EVENT]


def person_key(person_id: str) -> str:
    """A short hash: enough to tell three people apart, not to find who they are."""
    return hashlib.sha256(f"learning|{person_id}".encode()).hexdigest()[:12]


class LearnedWords:
    TABLES: ClassVar[dict[str, str]] = {
        LEARNED: "short hashes of the people who said an answer helped, per word"
    }

    def __init__(self, store: Store) -> None:
        self._store = store

    async def export_person(self, person: PersonRef) -> dict[str, Any]:
        keys = {person_key(i) for i in person.ids}
        found = [f"{r.partition}: {r.key}" for r in await self._store.query(LEARNED)
                 if keys & set(r.data.get("people", ()))]  # fmt: skip
        return {"learned_words": found}

    async def erase_person(self, person: PersonRef) -> int:
        """Their support goes; words others keep active stay (they are nobody's)."""
        keys = {person_key(i) for i in person.ids}
        changed = 0
        for record in await self._store.query(LEARNED):
            people = [p for p in record.data.get("people", ()) if p not in keys]
            if len(people) != len(record.data.get("people", ())):
                await self._store.upsert(
                    LEARNED, replace(record, data={**record.data, "people": people})
                )
                changed += 1
        return changed

    async def add(
        self, base_id: str, words: list[str], today: date, *, expert: bool = False, person: str = ""
    ) -> bool:
        """Support for `words` of a criterion; True when a word became active by it."""
        activated = False
        for word in words:
            record = await self._store.get(LEARNED, base_id, word)
            old = _support(record)
            people = old.people
            if person and person not in people:
                people = (*people, person)[-_KEPT_PEOPLE:]
            new = Support(old.experts + int(expert), people, today.isoformat())
            data = {"experts": new.experts, "people": list(new.people), "last": new.last}
            await self._store.upsert(LEARNED, Record(base_id, word, data))
            activated |= new.active(today) and not old.active(today)
        return activated

    async def forget(self, base_id: str, word: str) -> bool:
        """An admin's correction: the link is gone (new support can bring it back)."""
        return await self._store.delete(LEARNED, base_id, word)

    async def active(self, today: date) -> dict[str, list[str]]:
        """Per Krav ID (base), its active words, the best supported first."""
        by_criterion: dict[str, list[tuple[int, str]]] = {}
        for record in await self._store.query(LEARNED):
            support = _support(record)
            if support.active(today):
                by_criterion.setdefault(record.partition, []).append((support.weight, record.key))
        return {
            base: [word for _, word in sorted(found, key=lambda f: (-f[0], f[1]))][
                :WORDS_PER_CRITERION
            ]
            for base, found in by_criterion.items()
        }


def _support(record: Record | None) -> Support:
    if record is None:
        return Support()
    data = record.data
    return Support(int(data.get("experts", 0)), tuple(data.get("people", ())), data.get("last", ""))
