"""The one outbox: everything the node sends on its own goes through it (ticket messages,
reminders, nudges, introductions, hand-over notices, digest posts, shared items).

A job declares a `Kind` (its name and how one message of it is sent) and schedules messages
by a key of its own; the outbox owns the rest:
- **scheduling by due time**: a message lives in the partition of the day it is due
  (`d:YYYY-MM-DD`, Europe/Stockholm); a round reads the partitions from a cursor up to today,
  so a day without a round is caught up, and the cursor never passes yesterday, so a message
  scheduled at midnight is not skipped. A round never reads history: a finished message moves
  to `x:<day>`, one given up to `f:<day>`.
- **a claim with expiry** before sending (a conditional write): of two rounds, or a round and
  a request, one sends. A message is sent once per (kind, key): a marker taken at the first
  claim turns a second copy scheduled another day into a duplicate that is not sent.
- **outcomes**: sent; skipped (nothing to say any more); waits for the person's first contact
  (kept under `w:<address>` until `wake`); retried with backoff 5 s, 15 s, 1 min, 5 min, 15 min
  and given up after six tries (logged, counted, in `status`); gone (403/404: the bot was
  removed there). Teams' 429 is waited out (Retry-After) without costing a try.
- **the duplicate window**: a process killed after Teams took a message and before it was
  recorded leaves a claim that expires; a kind that says `resend` (ticket messages, digest
  posts) sends it again then (the Bot Connector has no idempotency key), a kind that says
  `give_up` (reminders, nudges) records it as uncertain and does not. Either way the message
  notes it (`resumed`), so such a repeat can be told from a defect.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, ClassVar, Literal

from aiolimiter import AsyncLimiter

from bot import telemetry
from bot.clock import Clock
from bot.messaging import Gone, Throttled
from bot.personal import PersonRef
from bot.storage import AlreadyExistsError, ConcurrencyError, Record, Store

log = logging.getLogger(__name__)

OUTBOX = "outbox"
PENDING, SENDING = "pending", "sending"
SENT, SKIPPED, GONE, UNCERTAIN, FAILED = "sent", "skipped", "gone", "uncertain", "failed"
CLAIM_SECONDS = 90.0  # longer than any send may take (the HTTP session gives up after 30 s)
MAX_TRIES = 6
BACKOFF_S = (5.0, 15.0, 60.0, 300.0, 900.0)
_THROTTLE_WAITS = 3  # 429s waited out inline in one round before the message waits a round
_MAX_INLINE_WAIT_S = 30.0
KEEP_FINISHED_DAYS = 30
KEEP_FAILED_DAYS = 90
_CURSOR = ("cursor", "day")
# A message its scheduler sends at once (a request's) is left to it this long: a round that
# comes in between does not take it first, and takes it after when the request died.
HOLD_S = 5.0
_LEFT_THE_DAY = frozenset({SENT, SKIPPED, GONE, UNCERTAIN, FAILED, "waiting", "later"})


# --- what a kind's send says -------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Skip:
    """Nothing to send any more (done elsewhere, superseded, nobody to reach)."""

    reason: str


@dataclass(frozen=True)
class Wait:
    """The person has not opened a chat with the bot yet: kept until their first contact."""

    address: str


@dataclass(frozen=True)
class Retry:
    """Not now (what it is about has not landed yet): tried again with backoff, and after the
    last try finished as `give_up_as`."""

    reason: str
    give_up_as: str = FAILED


@dataclass(frozen=True)
class Later:
    """Due at another time after all (the plan it nudges about moved)."""

    due: float


Result = Sent | Skip | Wait | Retry | Later


@dataclass(frozen=True)
class Message:
    kind: str
    key: str
    due: float
    data: dict[str, Any]
    to: str = ""  # the person it goes to (e-mail or "teams:<id>"), for waiting
    id: str = ""
    state: str = PENDING
    tries: int = 0
    until: float = 0.0  # SENDING: when the claim expires; PENDING: when it may be tried
    claim: str = ""
    resumed: int = 0  # claims taken over from a process that died while sending
    created: float = 0.0
    outcome: str = ""
    partition: str = ""
    etag: str | None = field(default=None, compare=False)

    @property
    def row(self) -> str:
        return f"{self.kind}|{self.key}"

    def to_data(self) -> dict[str, Any]:
        return {"kind": self.kind, "key": self.key, "due": self.due, "data": self.data,
                "to": self.to, "id": self.id, "state": self.state, "tries": self.tries,
                "until": self.until, "claim": self.claim, "resumed": self.resumed,
                "created": self.created, "outcome": self.outcome}  # fmt: skip

    @classmethod
    def from_record(cls, record: Record) -> Message:
        data = record.data
        return cls(
            data["kind"], data["key"], float(data["due"]), dict(data.get("data") or {}),
            str(data.get("to", "")), str(data.get("id", "")), str(data.get("state", PENDING)),
            int(data.get("tries", 0)), float(data.get("until", 0.0)), str(data.get("claim", "")),
            int(data.get("resumed", 0)), float(data.get("created", 0.0)),
            str(data.get("outcome", "")), record.partition, record.etag,
        )  # fmt: skip


@dataclass(frozen=True)
class Kind:
    """One kind of message: its name, how one is sent, and what a claim left by a process
    that died while sending means (`resend` it, or record it as uncertain: `give_up`).
    Messages of one `group` (a ticket's) go out one at a time in key order."""

    name: str
    send: Callable[[Message], Awaitable[Result]]
    after_crash: Literal["resend", "give_up"] = "resend"
    group: Callable[[Message], str] | None = None
    on_gone: Callable[[Message], Awaitable[None]] | None = None


@dataclass
class RoundReport:
    outcomes: Counter[str] = field(default_factory=Counter)  # "kind:outcome" -> count
    backlog: int = 0  # unfinished messages that were due when the round began
    days_read: int = 0

    def count(self, kind: str, outcome: str = SENT) -> int:
        return self.outcomes[f"{kind}:{outcome}"]

    @property
    def sent(self) -> int:
        return sum(n for key, n in self.outcomes.items() if key.endswith(f":{SENT}"))


@dataclass(frozen=True)
class OutboxStatus:
    backlog: dict[str, int]  # kind -> unfinished messages due now
    failed: dict[str, int]  # kind -> given up in the last week
    oldest_due: float | None  # when the oldest unfinished message was due


def _day(day: date) -> str:
    return day.isoformat()


class Outbox:
    TABLES: ClassVar[dict[str, str]] = {
        OUTBOX: "who a message is for (an e-mail or Teams id) and what it is about",
    }

    def __init__(
        self,
        store: Store,
        clock: Clock,
        claim_seconds: float = CLAIM_SECONDS,
        rate_per_s: float = 40.0,
        concurrency: int = 16,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._store = store
        self._clock = clock
        self._claim_seconds = claim_seconds
        self._kinds: dict[str, Kind] = {}
        # Teams allows a bot about 50 requests a second per tenant: every send is paced.
        self._limiter = AsyncLimiter(rate_per_s, 1.0)
        self._concurrency = concurrency
        self._sleep = sleep
        self._cursor_stored = False

    def declare(self, kind: Kind) -> None:
        if kind.name in self._kinds:
            raise ValueError(f"kind {kind.name} declared twice")
        self._kinds[kind.name] = kind

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(self._kinds)

    # --- scheduling -----------------------------------------------------------------------

    def _partition(self, due: float) -> str:
        now = self._clock.time()
        return f"d:{_day(self._clock.local(max(due, now)).date())}"

    async def schedule(
        self,
        kind: str,
        key: str,
        data: dict[str, Any] | None = None,
        *,
        due: float | None = None,
        to: str = "",
        hold: bool = False,
    ) -> Message:
        """Schedule a message (now, or at `due`); the same (kind, key) again in the same day
        is the same message, returned as stored. `hold`: the caller sends it at once
        (`send_now`), so rounds leave it alone for HOLD_S."""
        if kind not in self._kinds:
            raise KeyError(f"undeclared kind {kind}")
        now = self._clock.time()
        due = now if due is None else due
        until = now + HOLD_S if hold else 0.0
        message = Message(kind, key, due, data or {}, to.strip().lower(), uuid.uuid4().hex,
                          until=until, created=now, partition=self._partition(due))  # fmt: skip
        if not self._cursor_stored:  # the first round after a long pause starts from here
            await self._store_cursor_once()
        if message.to:  # where to find what names a person (their data, their erasure)
            await self._index(message)
        try:
            stored = await self._store.insert(
                OUTBOX, Record(message.partition, message.row, message.to_data())
            )
        except AlreadyExistsError:
            existing = await self._store.get(OUTBOX, message.partition, message.row)
            if existing is not None:
                return Message.from_record(existing)
            stored = await self._store.upsert(
                OUTBOX, Record(message.partition, message.row, message.to_data())
            )
        return replace(message, etag=stored.etag)

    async def _index(self, message: Message) -> None:
        day = message.partition.split(":", 1)[1]
        await self._store.upsert(OUTBOX, Record(f"to:{message.to}", message.row, {"day": day}))

    async def send(
        self, kind: str, key: str, data: dict[str, Any] | None = None, *, to: str = ""
    ) -> RoundReport:
        """Schedule a message and send it now (a round takes it if this fails)."""
        return await self.send_now([await self.schedule(kind, key, data, to=to, hold=True)])

    async def send_now(self, messages: Sequence[Message]) -> RoundReport:
        """Send these (just scheduled, held for their scheduler) messages now, one after the
        other, as a request does for what it caused; any a round claimed are left to it."""
        report = RoundReport()
        now = self._clock.time()
        for message in messages:
            if message.state == PENDING and message.due <= now:
                await self._process(message, report, held=True)
        return report

    async def wake(self, addresses: Iterable[str]) -> int:
        """A person's first contact: what waited for them is due now."""
        woken = 0
        for address in {a.strip().lower() for a in addresses if a.strip()}:
            for record in await self._store.query(OUTBOX, f"w:{address}"):
                message = Message.from_record(record)
                moved = replace(message, state=PENDING, until=0.0, tries=0, claim="",
                                due=self._clock.time())  # fmt: skip
                await self._move(moved, self._partition(moved.due))
                woken += 1
        if woken:
            log.info("messages woken by a first contact", extra={"messages": woken})
        return woken

    # --- the round ------------------------------------------------------------------------

    async def run(self, kinds: Iterable[str] | None = None) -> RoundReport:
        """Send every message that is due (of these kinds, or all)."""
        wanted = set(kinds) if kinds is not None else None
        report = RoundReport()
        now, today = self._clock.time(), self._clock.today()
        cursor = await self._cursor(today)
        due: list[Message] = []
        unfinished: dict[str, date] = {}  # message row -> its day, while it is still to do
        day = cursor
        while day <= today:
            report.days_read += 1
            for record in await self._store.query(OUTBOX, f"d:{_day(day)}"):
                message = Message.from_record(record)
                if message.state not in (PENDING, SENDING):
                    await self._move(message, f"x:{_day(day)}")  # finished: out of the way
                    continue
                unfinished[message.row] = day
                if message.until <= now and message.due <= now:
                    report.backlog += 1
                    if wanted is None or message.kind in wanted:
                        due.append(message)
            day += timedelta(days=1)
        for row in await self._send_all(due, report):
            unfinished.pop(row, None)
        # The cursor moves to the first day with work left, but never past yesterday: a
        # message scheduled around midnight may still land there.
        yesterday = today - timedelta(days=1)
        advanced = min([*unfinished.values(), yesterday])
        if advanced != cursor:
            await self._store.upsert(OUTBOX, Record(*_CURSOR, {"day": _day(advanced)}))
        return report

    async def _cursor(self, today: date) -> date:
        record = await self._store.get(OUTBOX, *_CURSOR)
        if record is None:
            return today - timedelta(days=1)
        return min(date.fromisoformat(record.data["day"]), today)

    async def _store_cursor_once(self) -> None:
        """Before the first message: a cursor, so the first round reads from the day the node
        began to schedule (not only yesterday), however late it comes."""
        yesterday = self._clock.today() - timedelta(days=1)
        with contextlib.suppress(AlreadyExistsError):
            await self._store.insert(OUTBOX, Record(*_CURSOR, {"day": _day(yesterday)}))
        self._cursor_stored = True

    async def _send_all(self, messages: list[Message], report: RoundReport) -> set[str]:
        """Send them (groups one at a time, in key order); the rows of those that left their
        day (finished, waiting or moved to another day)."""
        done: set[str] = set()
        groups: dict[str, list[Message]] = {}
        for message in messages:
            kind = self._kinds.get(message.kind)
            name = kind.group(message) if kind is not None and kind.group else message.row
            groups.setdefault(name, []).append(message)
        gate = asyncio.Semaphore(self._concurrency)

        async def one_group(members: list[Message]) -> None:
            async with gate:
                for message in sorted(members, key=lambda m: (m.due, m.key)):
                    if await self._process(message, report) in _LEFT_THE_DAY:
                        done.add(message.row)

        await asyncio.gather(*(one_group(members) for members in groups.values()))
        return done

    # --- one message ----------------------------------------------------------------------

    async def _process(self, message: Message, report: RoundReport, held: bool = False) -> str:
        """Claim, send and record one message; what came of it ("" when it was not ours)."""
        kind = self._kinds.get(message.kind)
        if kind is None:
            log.warning("a message of an unknown kind is left", extra={"kind": message.kind})
            return ""
        # Paced before the claim: a claim is taken right before its send, so a process that
        # dies holds as few claims as it has sends in flight.
        await self._limiter.acquire()
        try:
            claimed = await self._claim(message, kind, held)
        except ConcurrencyError:
            return ""  # claimed elsewhere: theirs to send
        if claimed is None:
            return ""
        if claimed.state != SENDING:  # finished by the claim itself (uncertain, duplicate)
            report.outcomes[f"{kind.name}:{claimed.state}"] += 1
            report.outcomes[f"{kind.name}:{claimed.outcome}"] += 1  # interrupted, duplicate
            return claimed.state
        result: Result
        throttled = 0
        while True:
            try:
                result = await kind.send(claimed)
            except Throttled as throttle:
                throttled += 1
                if throttled <= _THROTTLE_WAITS:
                    await self._sleep(min(max(throttle.retry_after, 0.0), _MAX_INLINE_WAIT_S))
                    continue
                await self._again(claimed, throttle.retry_after, counts=False)
                report.outcomes[f"{kind.name}:throttled"] += 1
                return "throttled"
            except Gone:
                await self._finish(claimed, GONE, "gone")
                if kind.on_gone is not None:
                    await kind.on_gone(claimed)
                report.outcomes[f"{kind.name}:{GONE}"] += 1
                return GONE
            except Exception as error:  # Teams 5xx, no connection, a bug: tried again
                log.warning("message not sent; trying again later", exc_info=error,
                            extra={"kind": kind.name, "tries": claimed.tries})  # fmt: skip
                outcome = await self._retry(claimed, FAILED)
                report.outcomes[f"{kind.name}:{outcome}"] += 1
                return outcome
            break
        outcome = await self._apply(claimed, result)
        report.outcomes[f"{kind.name}:{outcome}"] += 1
        return outcome

    async def _claim(self, message: Message, kind: Kind, held: bool = False) -> Message | None:
        """The message claimed for CLAIM_SECONDS; None when it is not (or no longer) due.
        A claim that expired belongs to a process that died while sending. `held`: its
        scheduler takes a message held for it (never tried yet)."""
        now = self._clock.time()
        record = await self._store.get(OUTBOX, message.partition, message.row)
        if record is None:
            return None
        current = Message.from_record(record)
        waiting = current.until > now and not (held and current.state == PENDING
                                               and current.tries == 0)  # fmt: skip
        if current.state not in (PENDING, SENDING) or waiting or current.due > now:
            return None
        resumed = current.resumed + (current.state == SENDING)
        if current.state == SENDING and kind.after_crash == "give_up":
            log.warning("a send was interrupted; not sent again", extra={"kind": kind.name})
            uncertain = replace(current, resumed=resumed)
            await self._finish(uncertain, UNCERTAIN, "interrupted", expected=current.claim)
            return replace(uncertain, state=UNCERTAIN, outcome="interrupted")
        token = uuid.uuid4().hex
        claimed = replace(current, state=SENDING, claim=token, tries=current.tries + 1,
                          until=now + self._claim_seconds, resumed=resumed)  # fmt: skip
        stored = await self._store.replace(
            OUTBOX, Record(current.partition, current.row, claimed.to_data(), current.etag)
        )
        claimed = replace(claimed, etag=stored.etag)
        if not await self._first_of_its_key(claimed):
            await self._finish(claimed, SKIPPED, "duplicate")
            return replace(claimed, state=SKIPPED, outcome="duplicate")
        return claimed

    async def _first_of_its_key(self, message: Message) -> bool:
        """Whether this is the one message of its (kind, key): a marker taken at its first
        claim (markers are kept by month; the previous month's is looked at too)."""
        month = self._clock.today().replace(day=1)
        previous = (month - timedelta(days=1)).replace(day=1)
        for day in (previous,):
            earlier = await self._store.get(OUTBOX, f"once:{day:%Y-%m}", message.row)
            if earlier is not None:
                return bool(earlier.data.get("id") == message.id)
        try:
            await self._store.insert(
                OUTBOX, Record(f"once:{month:%Y-%m}", message.row, {"id": message.id})
            )
        except AlreadyExistsError:
            marker = await self._store.get(OUTBOX, f"once:{month:%Y-%m}", message.row)
            return marker is None or marker.data.get("id") == message.id
        return True

    async def _apply(self, message: Message, result: Result) -> str:
        if isinstance(result, Sent):
            await self._finish(replace(message, data={**message.data, **result.details}),
                               SENT, "sent")  # fmt: skip
            return SENT
        if isinstance(result, Skip):
            await self._finish(message, SKIPPED, result.reason)
            return SKIPPED
        if isinstance(result, Wait):
            waiting = replace(message, state=PENDING, claim="", until=0.0, tries=0,
                              to=result.address.strip().lower())  # fmt: skip
            if await self._still_mine(message):
                await self._move(waiting, f"w:{waiting.to}")
            return "waiting"
        if isinstance(result, Later):
            later = replace(message, state=PENDING, claim="", until=0.0, tries=0, due=result.due,
                            partition=self._partition(result.due))  # fmt: skip
            if await self._still_mine(message):
                await self._move(replace(later, partition=message.partition), later.partition)
                if later.to:
                    await self._index(later)
            return "later"
        return await self._retry(message, result.give_up_as, result.reason)

    async def _retry(self, message: Message, give_up_as: str, reason: str = "error") -> str:
        if message.tries >= MAX_TRIES:
            if give_up_as == FAILED:
                log.warning("message given up after retries",
                            extra={"kind": message.kind, "tries": message.tries})  # fmt: skip
            await self._finish(message, give_up_as, reason)
            return give_up_as
        wait = BACKOFF_S[min(message.tries, len(BACKOFF_S)) - 1]
        await self._again(message, wait, counts=True)
        return "retry"

    async def _again(self, message: Message, wait: float, counts: bool) -> None:
        later = replace(message, state=PENDING, claim="", until=self._clock.time() + wait,
                        tries=message.tries if counts else message.tries - 1)  # fmt: skip
        try:
            await self._store.replace(
                OUTBOX, Record(message.partition, message.row, later.to_data(), message.etag)
            )
        except ConcurrencyError:
            log.info("message changed while it was sent", extra={"kind": message.kind})

    async def _still_mine(self, message: Message) -> bool:
        record = await self._store.get(OUTBOX, message.partition, message.row)
        return record is not None and record.data.get("claim") == message.claim

    async def _finish(
        self, message: Message, state: str, outcome: str, expected: str | None = None
    ) -> None:
        """Record how it ended (only while the claim is still this one's), then move it out of
        its day: finished ones to `x:<day>`, given up ones to `f:<today>`."""
        claim = message.claim if expected is None else expected
        finished = replace(message, state=state, outcome=outcome, until=0.0)
        record = await self._store.get(OUTBOX, message.partition, message.row)
        if record is None or record.data.get("claim") != claim:
            return  # taken over meanwhile: the new holder records it
        try:
            await self._store.replace(
                OUTBOX, Record(message.partition, message.row, finished.to_data(), record.etag)
            )
        except ConcurrencyError:
            return
        telemetry.count("messages", kind=message.kind, outcome=state)
        day = message.partition.removeprefix("d:")
        target = f"f:{_day(self._clock.today())}" if state == FAILED else f"x:{day}"
        if message.partition.startswith("d:"):
            await self._move(finished, target)

    async def _move(self, message: Message, partition: str) -> None:
        """Store under another partition, then remove the old record (a crash between leaves
        a finished copy in the day, which the next round moves again)."""
        if partition == message.partition:
            await self._store.upsert(OUTBOX, Record(partition, message.row, message.to_data()))
            return
        await self._store.upsert(OUTBOX, Record(partition, message.row, message.to_data()))
        if message.partition:
            await self._store.delete(OUTBOX, message.partition, message.row)

    # --- for operators ------------------------------------------------------------------

    async def status(self) -> OutboxStatus:
        now, today = self._clock.time(), self._clock.today()
        backlog: Counter[str] = Counter()
        oldest: float | None = None
        day = await self._cursor(today)
        while day <= today:
            for record in await self._store.query(OUTBOX, f"d:{_day(day)}"):
                message = Message.from_record(record)
                if message.state in (PENDING, SENDING) and message.due <= now:
                    backlog[message.kind] += 1
                    oldest = message.due if oldest is None else min(oldest, message.due)
            day += timedelta(days=1)
        failed: Counter[str] = Counter()
        for back in range(7):
            for record in await self._store.query(OUTBOX, f"f:{_day(today - timedelta(back))}"):
                failed[str(record.data.get("kind", "?"))] += 1
        return OutboxStatus(dict(backlog), dict(failed), oldest)

    async def find(self, kind: str, key: str) -> Message | None:
        """A message due in the last week, where it is now (tests and operators)."""
        today = self._clock.today()
        for back in range(8):
            day = _day(today - timedelta(days=back))
            for partition in (f"d:{day}", f"x:{day}"):
                record = await self._store.get(OUTBOX, partition, f"{kind}|{key}")
                if record is not None:
                    return Message.from_record(record)
        return None

    async def prune(self) -> int:
        """Housekeeping: finished messages older than a month, given up ones older than three,
        and the markers of months before the last."""
        today = self._clock.today()
        removed = 0
        for prefix, keep in (("x", KEEP_FINISHED_DAYS), ("f", KEEP_FAILED_DAYS)):
            for back in range(keep, keep + 7):  # the days that just passed the limit
                partition = f"{prefix}:{_day(today - timedelta(days=back))}"
                for record in await self._store.query(OUTBOX, partition):
                    removed += await self._store.delete(OUTBOX, partition, record.key)
                    if record.data.get("to"):
                        await self._store.delete(OUTBOX, f"to:{record.data['to']}", record.key)
        old_month = (today.replace(day=1) - timedelta(days=40)).replace(day=1)
        partition = f"once:{old_month:%Y-%m}"
        for record in await self._store.query(OUTBOX, partition):
            removed += await self._store.delete(OUTBOX, partition, record.key)
        return removed

    # --- personal data: the messages addressed to a person ---------------------------------

    async def _addressed_to(self, person: PersonRef) -> list[tuple[str, Record]]:
        """(index partition, message record) of every message kept for the person."""
        found = []
        for address in _addresses(person):
            for entry in await self._store.query(OUTBOX, f"to:{address}"):
                day = str(entry.data.get("day", ""))
                for partition in (f"w:{address}", f"d:{day}", f"x:{day}", f"f:{day}"):
                    record = await self._store.get(OUTBOX, partition, entry.key)
                    if record is not None:
                        found.append((f"to:{address}", record))
                        break
        return found

    async def export_person(self, person: PersonRef) -> dict[str, Any]:
        found = await self._addressed_to(person)
        messages = [{"kind": r.data.get("kind"), "state": r.data.get("state"),
                     "due": r.data.get("due")} for _, r in found]  # fmt: skip
        return {"messages_to_you": messages}

    async def erase_person(self, person: PersonRef) -> int:
        """Messages to the person go, sent or not (a reminder they would have had names
        their agreement, which no longer names them)."""
        removed = 0
        for index, record in await self._addressed_to(person):
            removed += await self._store.delete(OUTBOX, record.partition, record.key)
            await self._store.delete(OUTBOX, index, record.key)
        for address in _addresses(person):
            for record in await self._store.query(OUTBOX, f"w:{address}"):
                removed += await self._store.delete(OUTBOX, record.partition, record.key)
        return removed


def _addresses(person: PersonRef) -> set[str]:
    """How messages address a person: their e-mail, or "teams:<Teams id>"."""
    return {e.lower() for e in person.emails} | {f"teams:{i}".lower() for i in person.ids}
