"""The criteria library in use, and its search index.

The library is what was imported into the store; until the first import it is the bundled
sample library (labelled as sample data). Imports upsert by Krav ID and level: a newer version
replaces the stored one, which moves to history. Every change bumps a revision record, and
each instance reloads its index when it sees a new revision, so an import reaches every
instance without a restart.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from dataclasses import dataclass, field, replace
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, Protocol

from bot.clock import Clock
from bot.criteria.importer import ParsedFile, read_file
from bot.criteria.learning import LearnedWords, new_words, person_key
from bot.criteria.model import AREAS, KRAV_ID_IN_TEXT, Criterion, split_krav_id
from bot.criteria.search import Document, Hit, SearchIndex
from bot.storage import Record, Store
from bot.storage.shapes import Shape, shape_of

log = logging.getLogger(__name__)

CRITERIA = "criteria"
HISTORY = "criteriahistory"
CHANGES = "criteriachanges"  # partition: the day (ISO); key: the criterion's key and a serial
KNOWLEDGE = "knowledge"
META = "meta"
FEEDBACK = "feedback"
_LEVEL_ORDER = ["bas", "avancerad", "spjutspets"]
# Below these scores the best hit is not an answer ("none") or an uncertain one ("weak"),
# calibrated on the evaluation questions and on questions outside the library.
NONE_BELOW = 3.0
WEAK_BELOW = 6.0
WEAK_COVERAGE = 0.5
# How often an instance looks for an import made elsewhere.
REVISION_CHECK_S = 10.0


@dataclass(frozen=True)
class Guide:
    id: str
    name: str
    text: str
    follow_up: str
    keywords: str


@dataclass(frozen=True)
class PublishedAnswer:
    """An expert's answer published to the shared knowledge base (written by routing)."""

    id: str
    question: str
    answer: str
    area: str
    published_at: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PublishedAnswer:
        return cls(
            **{k: data.get(k, "") for k in ("id", "question", "answer", "area", "published_at")}
        )


@dataclass(frozen=True)
class Answer:
    """What the library can say to a question: its hits and how sure it is."""

    question: str
    hits: list[Hit]
    confidence: str  # good, weak or none
    area: str  # the area the question is most likely about ("" when unknown)
    level: str = ""
    type: str = ""
    more: bool = False  # hits beyond this page worth showing


# What a change of a criterion is told by: the texts a buyer acts on.
COMPARED = ("name", "kravtext", "verifikat", "uppfoljning", "motiv", "type", "product_group")


@dataclass(frozen=True)
class Change:
    """One criterion at one level that an import added, changed or withdrew."""

    key: str  # "11567/bas"
    kind: str  # added, changed, withdrawn
    fields: tuple[str, ...] = ()  # changed: which of COMPARED
    version_from: int = 0
    version_to: int = 0
    area: str = ""
    name: str = ""
    day: str = ""  # when it was applied (ISO)

    @property
    def base(self) -> str:
        return self.key.split("/", 1)[0]

    def to_data(self) -> dict[str, Any]:
        return {"key": self.key, "kind": self.kind, "fields": list(self.fields),
                "version_from": self.version_from, "version_to": self.version_to,
                "area": self.area, "name": self.name, "day": self.day}  # fmt: skip

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Change:
        return cls(str(data["key"]), str(data["kind"]), tuple(data.get("fields", ())),
                   int(data.get("version_from", 0)), int(data.get("version_to", 0)),
                   str(data.get("area", "")), str(data.get("name", "")),
                   str(data.get("day", "")))  # fmt: skip


@dataclass
class ImportReport:
    """An import as a change set: what it adds, changes (and how) and, for a file that is
    the whole library (`full`), withdraws. A dry run reports and writes nothing."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    older_skipped: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)
    imported: bool = True
    changes: list[Change] = field(default_factory=list)
    dry_run: bool = False

    @property
    def withdrawn(self) -> int:
        return sum(c.kind == "withdrawn" for c in self.changes)

    def to_json(self) -> dict[str, Any]:
        return {
            "added": [c.key for c in self.changes if c.kind == "added"],
            "changed": [{"key": c.key, "fields": list(c.fields), "from": c.version_from,
                         "to": c.version_to} for c in self.changes if c.kind == "changed"],
            "withdrawn": [c.key for c in self.changes if c.kind == "withdrawn"],
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "dry_run": self.dry_run,
        }  # fmt: skip


async def changes_since(store: Store, day: date) -> list[Change]:
    """What imports changed from `day` on, oldest first (the digest, the notices): the
    library's revisions, whoever imported (the CLI or an admin in Teams)."""
    found = [Change.from_data(r.data) for r in await store.query(CHANGES)
             if r.partition >= day.isoformat()]  # fmt: skip
    return sorted(found, key=lambda c: (c.day, c.key))


def sample_criteria() -> list[Criterion]:
    path = resources.files("bot.criteria").joinpath("data/exempelbibliotek.csv")
    with resources.as_file(path) as real_path:
        parsed = read_file(Path(real_path))
    assert not parsed.errors, parsed.errors
    return parsed.criteria


def process_guides() -> list[Guide]:
    text = resources.files("bot.criteria").joinpath("data/processguide.json").read_text("utf-8")
    return [Guide(**entry) for entry in json.loads(text)]


def build_documents(
    criteria: list[Criterion],
    answers: list[PublishedAnswer],
    guides: list[Guide],
    learned: dict[str, list[str]] | None = None,
) -> list[Document]:
    learned = learned or {}
    documents = [
        Document(
            id=c.key,
            kind="criterion",
            area=c.area,
            level=c.level.value,
            type=c.type.value,
            group=c.base_id,
            demoted=bool(c.withdrawn),
            fields={
                "name": c.name,
                "product_group": c.product_group,
                "area": AREAS[c.area],
                "kravtext": c.kravtext,
                "motiv": c.motiv,
                "verifikat": c.verifikat,
                "uppfoljning": c.uppfoljning,
                "learned": " ".join(learned.get(c.base_id, ())),
            },
        )
        for c in criteria
    ]
    documents += [
        Document(
            id=f"answer/{a.id}",
            kind="answer",
            area=a.area,
            fields={"name": a.question, "kravtext": a.answer, "area": AREAS.get(a.area, "")},
        )
        for a in answers
    ]
    documents += [
        Document(
            id=f"guide/{g.id}",
            kind="guide",
            area="ovrigt",
            fields={
                "name": g.name,
                "kravtext": g.text,
                "uppfoljning": g.follow_up,
                "keywords": g.keywords,
            },
        )
        for g in guides
    ]
    return documents


class DocumentSource(Protocol):
    """Search entries the library does not own (a higher package's, such as shared items)."""

    async def documents(self) -> list[Document]: ...


class CriteriaLibrary:
    # Published answers and feedback are kept without names: no personal data here.
    TABLES: ClassVar[dict[str, str]] = {
        CRITERIA: "", HISTORY: "", META: "", KNOWLEDGE: "", FEEDBACK: "", CHANGES: "",
    }  # fmt: skip
    SHAPES: ClassVar[dict[str, Shape]] = {
        CRITERIA: shape_of(lambda record: Criterion.from_dict(record.data)),
        KNOWLEDGE: shape_of(lambda record: PublishedAnswer.from_dict(record.data)),
        CHANGES: shape_of(lambda record: Change.from_data(record.data)),
    }

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._revision = -1
        self._checked_at = float("-inf")
        self._criteria: dict[str, Criterion] = {}
        self._levels: dict[str, list[Criterion]] = {}
        self._pages: dict[str, Criterion] = {}
        self._answers: dict[str, PublishedAnswer] = {}
        self._sources: list[DocumentSource] = []
        self._guides = {g.id: g for g in process_guides()}
        self.is_sample = True
        self.index = SearchIndex([])
        self._builds = 0
        self._learned = LearnedWords(store)

    # --- loading --------------------------------------------------------------------------

    async def load(self) -> None:
        revision = await self._stored_revision()
        stored = [Criterion.from_dict(r.data) for r in await self._store.query(CRITERIA)]
        self.is_sample = not stored
        criteria = stored or sample_criteria()
        answers = [PublishedAnswer.from_dict(r.data) for r in await self._store.query(KNOWLEDGE)]
        self._criteria = {c.key: c for c in criteria}
        # Looked up by Krav ID and page id on every card: by index, never by a scan.
        levels: dict[str, list[Criterion]] = {}
        for criterion in criteria:
            levels.setdefault(criterion.base_id, []).append(criterion)
        self._levels = {
            base: sorted(found, key=lambda c: _LEVEL_ORDER.index(c.level.value))
            for base, found in levels.items()
        }
        self._pages = {c.page_id: c for c in criteria if c.page_id}
        self._answers = {a.id: a for a in answers}
        learned = await self._learned.active(self._clock.today())
        documents = build_documents(criteria, answers, list(self._guides.values()), learned)
        for source in self._sources:
            documents += await source.documents()
        # Built in a worker thread, so the event loop keeps answering others meanwhile (a
        # share or an import rebuilds it), then swapped: searches in flight keep the old
        # index until this line. A build overtaken by a later one is dropped.
        self._builds += 1
        build = self._builds
        index = await asyncio.to_thread(SearchIndex, documents)
        if build != self._builds:
            return
        self.index = index
        self._revision = revision
        self._checked_at = self._clock.time()
        log.info(
            "criteria index built",
            extra={"criteria": len(criteria), "answers": len(answers), "sample": self.is_sample},
        )

    @property
    def revision(self) -> int:
        """The library's revision this instance has loaded: what is read from it (and
        rendered from it) is current until this changes."""
        return self._revision

    def add_source(self, source: DocumentSource) -> None:
        """Entries of a higher package (shared items) searched with the library's own."""
        self._sources.append(source)

    async def refresh_if_changed(self) -> None:
        """Reload when another instance (or the CLI) changed the library; cheap otherwise."""
        now = self._clock.time()
        if 0 <= now - self._checked_at < REVISION_CHECK_S:
            return
        self._checked_at = now
        if await self._stored_revision() != self._revision:
            await self.load()

    async def _stored_revision(self) -> int:
        record = await self._store.get(META, "criteria", "revision")
        return int(record.data["revision"]) if record else 0

    async def _bump_revision(self) -> None:
        current = await self._store.get(META, "criteria", "revision")
        revision = (int(current.data["revision"]) if current else 0) + 1
        await self._store.upsert(META, Record("criteria", "revision", {"revision": revision}))

    # --- reading --------------------------------------------------------------------------

    def search(self, text: str, limit: int = 5) -> list[Hit]:
        return self.index.search(text, limit)

    def answer(self, question: str, limit: int = 3, page: int = 0) -> Answer:
        """The hits of page `page` (`limit` a page); how sure the library is of its best."""
        query = self.index.parse(question)
        ranked = self.index.run(query, limit * (page + 1) + 1)
        worth = [hit for hit in ranked if hit.score >= NONE_BELOW]
        more = len(worth) > limit * (page + 1)
        top = ranked[0] if ranked else None
        # The first page shows weak hits too (marked as such); later pages only likely ones.
        hits = (worth if page else ranked)[limit * page : limit * (page + 1)]
        if top is None or top.score < NONE_BELOW:
            confidence = "none"
        elif top.score < WEAK_BELOW or top.coverage < WEAK_COVERAGE:
            confidence = "weak"
        else:
            confidence = "good"
        area = top.document.area if top and confidence != "none" else ""
        if not area and len(query.areas) == 1:
            (area,) = query.areas
        return Answer(question, hits, confidence, area, query.level, query.type, more)

    def describe(self, hit: Hit) -> dict[str, Any]:
        """A hit as plain data (the CLI's JSON and the cards use it)."""
        document = hit.document
        base: dict[str, Any] = {
            "kind": document.kind,
            "area": document.area,
            "score": hit.score,
            "coverage": hit.coverage,
            "name": document.fields.get("name", ""),
            "level": document.level,
            "type": document.type,
        }
        if document.kind == "criterion":
            criterion = self._criteria[document.id]
            base |= {
                "id": criterion.krav_id,
                "key": criterion.key,
                "product_group": criterion.product_group,
                "levels": sorted({document.level, *hit.other_levels}, key=_LEVEL_ORDER.index),
                "sample": criterion.is_sample,
                "withdrawn": criterion.withdrawn or None,
            }
        else:
            base["id"] = document.id.split("/", 1)[1]
        return base

    def levels_of(self, krav_id: str) -> list[Criterion]:
        """Every level of a criterion, lowest first; [] when unknown or malformed."""
        try:
            base, _ = split_krav_id(krav_id)
        except ValueError:
            return []
        return list(self._levels.get(base, ()))

    def criterion(self, key: str) -> Criterion | None:
        return self._criteria.get(key)

    def by_page_id(self, page_id: str) -> Criterion | None:
        """The criterion whose page on Upphandlingsmyndigheten's site has this id."""
        return self._pages.get(page_id) if page_id else None

    def published_answer(self, answer_id: str) -> PublishedAnswer | None:
        return self._answers.get(answer_id)

    def guide(self, guide_id: str) -> Guide | None:
        return self._guides.get(guide_id)

    @property
    def size(self) -> int:
        return len(self._criteria)

    # --- changing -------------------------------------------------------------------------

    async def import_parsed(
        self,
        parsed: ParsedFile,
        skip_bad_rows: bool = False,
        full: bool = False,
        dry_run: bool = False,
    ) -> ImportReport:
        """Apply a file as a change set (`full`: the file is the whole library, so what it
        lacks is withdrawn). With a bad row nothing changes unless `skip_bad_rows`."""
        errors = [f"rad {e.row}: {e.reason}" for e in parsed.errors]
        if errors and not skip_bad_rows:
            return ImportReport(rejected=len(errors), errors=errors, imported=False,
                                dry_run=dry_run)  # fmt: skip
        stored = {Criterion.from_dict(r.data).key: (Criterion.from_dict(r.data), r)
                  for r in await self._store.query(CRITERIA)}  # fmt: skip
        today = self._clock.today().isoformat()
        report = ImportReport(rejected=len(errors), errors=errors, dry_run=dry_run)
        writes: list[tuple[Criterion, Record | None, Change]] = []
        for criterion in parsed.criteria:
            old, record = stored.get(criterion.key, (None, None))
            if old is None:
                change = Change(criterion.key, "added", (), 0, criterion.version,
                                criterion.area, criterion.name, today)  # fmt: skip
                report.added += 1
            elif criterion.version < old.version:
                report.older_skipped += 1
                continue
            elif replace(old, withdrawn="") == criterion and not old.withdrawn:
                report.unchanged += 1
                continue
            else:
                fields = tuple(f for f in COMPARED if getattr(old, f) != getattr(criterion, f))
                change = Change(criterion.key, "changed", fields, old.version, criterion.version,
                                criterion.area, criterion.name, today)  # fmt: skip
                report.updated += 1
            report.changes.append(change)
            writes.append((criterion, record, change))
        if full:
            given = {c.key for c in parsed.criteria}
            for key, (old, record) in sorted(stored.items()):
                if key not in given and not old.withdrawn:
                    change = Change(key, "withdrawn", (), old.version, old.version, old.area,
                                    old.name, today)  # fmt: skip
                    report.changes.append(change)
                    writes.append((replace(old, withdrawn=today), record, change))
        if not dry_run and writes:
            await self._apply(writes)
        return report

    async def _apply(self, writes: list[tuple[Criterion, Record | None, Change]]) -> None:
        """Write criteria (over their stored records), each with its change record, and make
        every instance reload."""
        for serial, (criterion, record, change) in enumerate(writes):
            await self._write(criterion, record)
            key = f"{change.key}|{self._clock.time():.0f}|{serial}"
            await self._store.upsert(CHANGES, Record(change.day, key, change.to_data()))
        await self._bump_revision()
        await self.load()

    async def import_file(
        self, path: Path, skip_bad_rows: bool = False, full: bool = False, dry_run: bool = False
    ) -> ImportReport:
        return await self.import_parsed(read_file(path), skip_bad_rows, full, dry_run)

    async def _write(self, criterion: Criterion, stored: Record | None) -> None:
        """A criterion as it now is; the text it replaces is kept in history."""
        record = Record(criterion.base_id, criterion.level.value, criterion.to_dict())
        if stored is None:
            await self._store.upsert(CRITERIA, record)
            return
        old = Criterion.from_dict(stored.data)
        if not old.withdrawn and not criterion.withdrawn:  # a withdrawal changes no text
            history_key = f"{old.level.value}:{old.version}:{old.version_date or 'utan-datum'}"
            await self._store.upsert(HISTORY, Record(old.base_id, history_key, old.to_dict()))
        await self._store.upsert(CRITERIA, record)

    async def add_regional(self, criterion: Criterion) -> None:
        """An approved regional criterion enters the library (a change like an import's).
        Before the first import the library is the bundled sample: it is stored first, so
        adding one criterion does not replace the sample with that one."""
        if self.is_sample:
            await self.import_parsed(ParsedFile(sample_criteria(), []))
        change = Change(criterion.key, "added", (), 0, criterion.version, criterion.area,
                        criterion.name, self._clock.today().isoformat())  # fmt: skip
        await self._apply([(criterion, None, change)])

    async def versions(self, krav_id: str) -> dict[int, list[Criterion]]:
        """Every version the node has seen of a criterion: version -> its levels."""
        found: dict[int, list[Criterion]] = {}
        for criterion in [*await self.history(krav_id), *self.levels_of(krav_id)]:
            found.setdefault(criterion.version, [])
            levels = found[criterion.version]
            if all(c.level != criterion.level for c in levels):
                levels.append(criterion)
        return found

    def all_levels(self) -> list[Criterion]:
        """Every criterion at every level, by Krav ID (an export of the library)."""
        return [c for base in sorted(self._levels) for c in self._levels[base]]

    def base_ids(self) -> set[str]:
        """The Krav IDs (without version) of every criterion in the library."""
        return set(self._levels)

    async def sources_changed(self) -> None:
        """A source's entries changed (an item was shared): searchable on every instance
        after its next revision check, here at once."""
        await self._bump_revision()
        await self.load()

    async def publish_answer(self, answer: PublishedAnswer) -> None:
        """Add an expert's answer to the shared knowledge base; every instance's search
        finds it after its next revision check."""
        data = {
            "id": answer.id,
            "question": answer.question,
            "answer": answer.answer,
            "area": answer.area,
            "published_at": answer.published_at,
        }
        await self._store.upsert(KNOWLEDGE, Record("published", answer.id, data))
        await self._bump_revision()
        await self.load()

    async def history(self, krav_id: str) -> list[Criterion]:
        base, _ = split_krav_id(krav_id)
        return [Criterion.from_dict(r.data) for r in await self._store.query(HISTORY, base)]

    async def record_feedback(
        self, question: str, helpful: bool, ids: list[str], person: str = ""
    ) -> None:
        """Whether an answer helped: kept without who asked, for improving the search. A "Ja"
        also supports the question's words for the top hit (see learning.py)."""
        day = self._clock.today().isoformat()
        key = f"{self._clock.time():017.6f}-{uuid.uuid4().hex[:6]}"
        data = {"question": question[:500], "helpful": helpful, "ids": ids[:10]}
        await self._store.insert(FEEDBACK, Record(day, key, data))
        if helpful and ids and person:
            await self._learn(question, ids[0], person=person_key(person))

    async def learned_words(self) -> dict[str, list[str]]:
        """The words the network taught, per Krav ID, as the search uses them now."""
        return await self._learned.active(self._clock.today())

    async def forget_word(self, krav_id: str, word: str) -> bool:
        levels = self.levels_of(krav_id)
        if not levels or not await self._learned.forget(levels[0].base_id, word.lower()):
            return False
        await self._bump_revision()
        return True

    async def learn_from_answer(self, question: str, answer: str) -> None:
        """A published expert answer citing Krav IDs: the question's words for each of them."""
        for krav_id in dict.fromkeys(KRAV_ID_IN_TEXT.findall(answer)):
            await self._learn(question, krav_id, expert=True)

    async def _learn(
        self, question: str, krav_id: str, *, expert: bool = False, person: str = ""
    ) -> None:
        levels = self.levels_of(krav_id)
        if not levels:
            return
        own = " ".join(f"{c.name} {c.product_group} {c.kravtext}" for c in levels)
        words = new_words(question, own)
        today = self._clock.today()
        base = levels[0].base_id
        if words and await self._learned.add(base, words, today, expert=expert, person=person):
            log.info("learned words for a criterion", extra={"krav_id": base, "words": len(words)})
            await self._bump_revision()  # every instance rebuilds its index with them
