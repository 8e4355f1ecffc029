"""Tickets: questions routed to experts. Stored first, then delivered; every state change is a
conditional write, so a claim race has exactly one winner.

Work is found by an index, never by reading every ticket ever asked: the open ones, a
person's questions and an expert's held tickets are partitions of `ticketindex`. An index row
is written before the ticket change that needs it and removed after the one that ends it;
readers check the ticket itself, so a row left by a change that lost its race is ignored (and
dropped)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any, ClassVar

from bot.personal import PersonRef
from bot.storage import AlreadyExistsError, ConcurrencyError, Record, Store
from bot.storage.shapes import Shape, shape_of

TICKETS = "tickets"
COUNTERS = "counters"
INDEX = "ticketindex"  # partitions "open", "asker:<Teams id>", "holder:<expert id>"
_PARTITION = "t"
# Activity -> ticket number, so a retried activity makes no second ticket.
ORIGINS = "ticketorigins"

OPEN, CLAIMED, ANSWERED = "open", "claimed", "answered"
ERASED = "(raderad)"


@dataclass(frozen=True)
class Ticket:
    number: int
    question: str
    area: str
    municipality: str
    asker_id: str  # Teams user id of the asker, for the 1:1 answer
    asker_name: str
    asker_locale: str
    consent_publish: bool
    created_at: float
    deadline: float  # when it escalates if still unclaimed
    state: str = OPEN
    assignee: str = ""  # expert id
    claimed_at: float | None = None
    answered_at: float | None = None
    answer: str = ""
    published: bool = False
    escalation: int = 0  # 0 on-call expert, 1 next in rotation, 2 every expert of the area
    notified: tuple[str, ...] = ()  # expert ids told about it
    skipped: tuple[str, ...] = ()  # on-call experts passed over: not at work (Graph presence)
    posted: bool = False  # in the experts' channel
    channel_id: str = ""
    channel_activity_id: str = ""
    events: tuple[dict[str, Any], ...] = field(default=())
    # Set once the experts to tell are chosen (on-call, presence): the deliveries follow.
    routed: bool = False
    # Where the question was asked (the receipt goes there) and the activity that asked it,
    # so a retried delivery of that activity finds this ticket instead of making another.
    asked_in: str = ""
    origin: str = ""
    kind: str = "question"  # or "early": early environmental support for a procurement
    # What the question is about when it comes from a follow-up or a plan (keys and values;
    # the card says it in the reader's language): {"kind": "followup", "agreement": ...}.
    about: dict[str, str] = field(default_factory=dict)
    etag: str | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        return f"{self.number:07d}"

    @property
    def seconds_to_claim(self) -> float | None:
        return None if self.claimed_at is None else self.claimed_at - self.created_at

    @property
    def seconds_to_answer(self) -> float | None:
        return None if self.answered_at is None else self.answered_at - self.created_at

    def to_data(self) -> dict[str, Any]:
        data = asdict(self)
        del data["etag"]
        data["notified"] = list(self.notified)
        data["skipped"] = list(self.skipped)
        data["events"] = list(self.events)
        return data

    @classmethod
    def from_record(cls, record: Record) -> Ticket:
        data = dict(record.data)
        data["notified"] = tuple(data.get("notified", ()))
        data["skipped"] = tuple(data.get("skipped", ()))
        data["events"] = tuple(data.get("events", ()))
        # Tickets stored before delivery steps existed were routed when posted or sent.
        data.setdefault("routed", bool(data.get("posted") or data["notified"]))
        data.pop("steps", None)  # kept on the ticket before the outbox took the messages
        return cls(**data, etag=record.etag)

    @property
    def index_keys(self) -> frozenset[str]:
        """The index partitions this ticket belongs in, as it is."""
        keys = {f"asker:{self.asker_id}"} if self.asker_id else set()
        if self.state == OPEN:
            keys.add("open")
        elif self.state == CLAIMED and self.assignee:
            keys.add(f"holder:{self.assignee}")
        return frozenset(keys)

    def with_event(self, kind: str, at: float, **details: Any) -> Ticket:
        return replace(self, events=(*self.events, {"kind": kind, "at": at, **details}))


@dataclass(frozen=True)
class Counter:
    n: int  # the last number given out


def anonymised(ticket: Ticket) -> Ticket:
    """The ticket without its asker: kept for statistics (area, municipality, times)."""
    keep_text = ticket.published  # already public in the knowledge base, without names
    return replace(
        ticket,
        asker_id="",
        asker_name=ERASED,
        asked_in="",
        origin="",
        question=ticket.question if keep_text else ERASED,
        about={} if not keep_text else ticket.about,
        answer=ticket.answer if keep_text else (ERASED if ticket.answer else ""),
        events=tuple({k: v for k, v in e.items() if k in ("kind", "at")} for e in ticket.events),
    )


class TicketRepository:
    SHAPES: ClassVar[dict[str, Shape]] = {
        TICKETS: shape_of(Ticket.from_record),
        COUNTERS: shape_of(lambda record: Counter(**record.data)),
    }
    TABLES: ClassVar[dict[str, str]] = {
        TICKETS: "the asker's Teams id, name, question and conversation; the expert's id",
        COUNTERS: "",
        ORIGINS: "the conversation a question was asked in, kept two days",
        INDEX: "the asker's Teams id and the holding expert's id, pointing at their tickets",
    }

    def __init__(self, store: Store) -> None:
        self._store = store

    async def export_person(self, person: PersonRef) -> dict[str, Any]:
        asked = await self.indexed(f"asker:{person.user_id}")
        held = [t for e in person.expert_ids for t in await self.indexed(f"holder:{e}")]
        answered = [t for t in await self.answered_by(person.expert_ids)]
        return {
            "questions": [
                {"number": t.number, "question": t.question, "area": t.area,
                 "municipality": t.municipality, "state": t.state, "asked_at": t.created_at,
                 "answer": t.answer, "published": t.published}
                for t in asked if t.asker_id == person.user_id
            ],
            "tickets_as_expert": [
                {"number": t.number, "state": t.state, "claimed_at": t.claimed_at}
                for t in {t.number: t for t in (*held, *answered)}.values()
                if t.assignee in person.expert_ids
            ],
        }  # fmt: skip

    async def answered_by(self, expert_ids: frozenset[str]) -> list[Ticket]:
        """Tickets these experts answered (index "answered:<expert>")."""
        return [t for e in expert_ids for t in await self.indexed(f"answered:{e}")]

    async def erase_person(self, person: PersonRef) -> int:
        """Anonymise the person's questions (the tickets stay, without them)."""
        changed = 0
        for ticket in await self.indexed(f"asker:{person.user_id}"):
            if ticket.asker_id == person.user_id and await self._save_quietly(anonymised(ticket)):
                changed += 1
        return changed

    async def anonymise(self, number: int) -> bool:
        """Retention: an answered ticket loses its asker (False when it changed meanwhile)."""
        ticket = await self.get(number)
        if ticket is None or ticket.asker_name == ERASED:
            return True
        return await self._save_quietly(anonymised(ticket))

    async def _save_quietly(self, ticket: Ticket) -> bool:
        try:
            await self.save(ticket)
        except ConcurrencyError:
            return False  # changed meanwhile: the next round (or request) tries again
        return True

    async def next_number(self) -> int:
        """A new ticket number; a conditional increment, so two askers never share one."""
        while True:
            record = await self._store.get(COUNTERS, "tickets", "last")
            if record is None:
                try:
                    await self._store.insert(COUNTERS, Record("tickets", "last", {"n": 1}))
                    return 1
                except AlreadyExistsError:
                    continue
            number = int(record.data["n"]) + 1
            try:
                await self._store.replace(
                    COUNTERS, Record("tickets", "last", {"n": number}, record.etag)
                )
                return number
            except ConcurrencyError:
                continue

    async def repair_counter(self) -> int:
        """Bring the counter up to the highest stored number (a store restored from a backup
        whose counter was read before its last tickets); the counter as it then is."""
        highest = max((int(r.key) for r in await self._store.query(TICKETS, _PARTITION)
                       if r.key.isdigit()), default=0)  # fmt: skip
        while True:
            record = await self._store.get(COUNTERS, "tickets", "last")
            current = int(record.data["n"]) if record else 0
            if current >= highest:
                return current
            try:
                if record is None:
                    await self._store.insert(COUNTERS, Record("tickets", "last", {"n": highest}))
                else:
                    await self._store.replace(
                        COUNTERS, Record("tickets", "last", {"n": highest}, record.etag)
                    )
                return highest
            except (AlreadyExistsError, ConcurrencyError):
                continue

    async def forget_origin(self, origin: str) -> None:
        await self._store.delete(ORIGINS, _PARTITION, origin)

    async def add(self, ticket: Ticket) -> Ticket:
        await self._index(ticket.index_keys, ticket.key)
        stored = await self._store.insert(TICKETS, Record(_PARTITION, ticket.key, ticket.to_data()))
        return replace(ticket, etag=stored.etag)

    async def _index(self, partitions: Iterable[str], key: str) -> None:
        for partition in partitions:
            await self._store.upsert(INDEX, Record(partition, key, {}))

    async def indexed(self, partition: str) -> list[Ticket]:
        """The tickets an index partition points at, as stored (oldest first); rows of
        tickets that no longer belong there are dropped."""
        found = []
        for row in await self._store.query(INDEX, partition):
            ticket = await self.get(int(row.key))
            if ticket is not None and partition in ticket.index_keys | _kept(ticket):
                found.append(ticket)
            else:
                await self._store.delete(INDEX, partition, row.key)
        return found

    async def number_for(self, origin: str) -> int | None:
        """The ticket number an activity was given, when it was given one."""
        record = await self._store.get(ORIGINS, _PARTITION, origin)
        return None if record is None else int(record.data["number"])

    async def reserve(self, origin: str, number: int, now: float) -> int:
        """Give an activity its ticket number, once: the number it already has, if any."""
        record = Record(_PARTITION, origin, {"number": number, "at": now})
        try:
            await self._store.insert(ORIGINS, record)
        except AlreadyExistsError:
            known = await self.number_for(origin)
            assert known is not None
            return known
        return number

    async def forget_origins(self, before: float) -> int:
        """Drop what activities asked before `before`: Teams retries within minutes, and the
        keys name people's conversations."""
        removed = 0
        for record in await self._store.query(ORIGINS, _PARTITION):
            if float(record.data.get("at", 0)) < before:
                removed += await self._store.delete(ORIGINS, _PARTITION, record.key)
        return removed

    async def get(self, number: int) -> Ticket | None:
        record = await self._store.get(TICKETS, _PARTITION, f"{number:07d}")
        return None if record is None else Ticket.from_record(record)

    async def save(self, ticket: Ticket, before: Ticket | None = None) -> Ticket:
        """Store a change (`before`: the ticket as read, for the index); ConcurrencyError when
        it changed since it was read."""
        old_keys = (before.index_keys | _kept(before)) if before is not None else frozenset()
        new_keys = ticket.index_keys | _kept(ticket)
        await self._index(new_keys - old_keys, ticket.key)
        stored = await self._store.replace(
            TICKETS, Record(_PARTITION, ticket.key, ticket.to_data(), ticket.etag)
        )
        for stale in old_keys - new_keys:
            await self._store.delete(INDEX, stale, ticket.key)
        return replace(ticket, etag=stored.etag)

    async def all(self) -> list[Ticket]:
        """Every ticket: for reports (statistics, the digest), never a round or a request."""
        return [Ticket.from_record(r) for r in await self._store.query(TICKETS, _PARTITION)]

    async def build_index(self) -> int:
        """Once, for tickets stored before the index existed: index them all."""
        if await self._store.get(INDEX, "meta", "built") is not None:
            return 0
        tickets = await self.all()
        for ticket in tickets:
            await self._index(ticket.index_keys | _kept(ticket), ticket.key)
        await self._store.upsert(INDEX, Record("meta", "built", {"tickets": len(tickets)}))
        return len(tickets)


def _kept(ticket: Ticket) -> frozenset[str]:
    """Index rows that outlive the open work: who answered it (their data, their erasure)."""
    return frozenset({f"answered:{ticket.assignee}"} if ticket.state == ANSWERED else ())
