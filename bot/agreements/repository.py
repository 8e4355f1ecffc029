"""Agreements and their follow-ups in storage. Keys are chosen so that each question is a
partition read, never a scan: an agreement by municipality, its open follow-ups and results
by agreement, agreements by supplier or by responsible person through an index. (Reminders
are messages in the one outbox.)"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, ClassVar

from bot.agreements.model import Agreement
from bot.personal import PersonRef
from bot.storage import AlreadyExistsError, ConcurrencyError, Record, Store
from bot.storage.shapes import Shape, shape_of

AGREEMENTS = "agreements"  # partition: municipality; key: agreement key
INDEX = "agreementindex"  # partitions "org:<orgnr>" and "person:<who>"; key: agreement key
FOLLOWUPS = "followups"  # partition: agreement key; key: criterion base: the open follow-up
RESULTS = "followupresults"  # partition: agreement key; key: "<base>|<due>"
JOINT = "jointfollowups"  # partition: orgnr; key: criterion base: who took the joint follow-up


@dataclass(frozen=True)
class FollowUp:
    """The next follow-up a criterion of an agreement owes."""

    agreement: str  # agreement key
    base: str  # the criterion's Krav ID without version
    due: date
    postponed: tuple[dict[str, str], ...] = ()  # {"from", "to", "reason", "by"}
    finished: bool = False  # no follow-up left before the agreement ends
    etag: str | None = field(default=None, compare=False)

    def to_data(self) -> dict[str, Any]:
        return {"due": self.due.isoformat(), "postponed": list(self.postponed),
                "finished": self.finished}  # fmt: skip

    @classmethod
    def from_record(cls, record: Record) -> FollowUp:
        data = record.data
        return cls(record.partition, record.key, date.fromisoformat(data["due"]),
                   tuple(data.get("postponed", ())), bool(data.get("finished")),
                   record.etag)  # fmt: skip


@dataclass(frozen=True)
class Result:
    agreement: str
    base: str
    due: date
    result: str  # gron, gul, rod
    method: str
    checked: str
    finding: str
    action: str
    action_date: str
    done_on: date
    by: str  # Teams id of who recorded it ("" after an erasure)
    by_name: str
    source: str = ""  # the joint follow-up's taker, when recorded for a group
    shared_as: str = ""  # the follow-up report it was shared as

    @property
    def on_time(self) -> bool:
        return self.done_on <= self.due

    def to_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items()}
        data["due"], data["done_on"] = self.due.isoformat(), self.done_on.isoformat()
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Result:
        return cls(**{**data, "due": date.fromisoformat(data["due"]),
                      "done_on": date.fromisoformat(data["done_on"])})  # fmt: skip


@dataclass(frozen=True)
class JointTake:
    org_number: str
    base: str
    taker: str  # Teams id
    taker_name: str
    taker_municipality: str
    since: float
    etag: str | None = field(default=None, compare=False)


class AgreementRepository:
    SHAPES: ClassVar[dict[str, Shape]] = {
        AGREEMENTS: shape_of(lambda record: Agreement.from_data(record.data)),
        FOLLOWUPS: shape_of(FollowUp.from_record),
        RESULTS: shape_of(lambda record: Result.from_data(record.data)),
    }
    TABLES: ClassVar[dict[str, str]] = {
        AGREEMENTS: "the responsible person's e-mail and name; who registered it",
        INDEX: "the responsible person's e-mail, pointing at their agreements",
        FOLLOWUPS: "who postponed a follow-up",
        RESULTS: "who recorded a follow-up result (Teams id and name)",
        JOINT: "who took a joint follow-up (Teams id, name, municipality)",
    }

    def __init__(self, store: Store) -> None:
        self._store = store

    # --- agreements -----------------------------------------------------------------------

    async def get(self, key: str) -> Agreement | None:
        record = await self._store.get(AGREEMENTS, key.split(":", 1)[0], key)
        return None if record is None else Agreement.from_data(record.data, record.etag)

    async def of_municipality(self, municipality: str) -> list[Agreement]:
        records = await self._store.query(AGREEMENTS, municipality.lower())
        return [Agreement.from_data(r.data, r.etag) for r in records]

    async def save(self, agreement: Agreement) -> tuple[Agreement, bool]:
        """Store (insert or update by Kommun + Avtal); True when it was new."""
        old = await self.get(agreement.key)
        record = Record(agreement.municipality.lower(), agreement.key, agreement.to_data())
        stored = await self._store.upsert(AGREEMENTS, record)
        for stale in self._index_keys(old) - self._index_keys(agreement) if old else set():
            await self._store.delete(INDEX, stale, agreement.key)
        for partition in self._index_keys(agreement):
            await self._store.upsert(INDEX, Record(partition, agreement.key, {}))
        return replace(agreement, etag=stored.etag), old is None

    @staticmethod
    def _index_keys(agreement: Agreement) -> set[str]:
        keys = {f"org:{agreement.org_number}"}
        if agreement.responsible:
            keys.add(f"person:{agreement.responsible}")
        return keys

    async def _indexed(self, partition: str) -> list[Agreement]:
        found = []
        for record in await self._store.query(INDEX, partition):
            agreement = await self.get(record.key)
            if agreement is not None:
                found.append(agreement)
        return found

    async def of_supplier(self, org_number: str) -> list[Agreement]:
        return await self._indexed(f"org:{org_number}")

    async def of_responsible(self, who: str) -> list[Agreement]:
        return await self._indexed(f"person:{who}") if who else []

    # --- follow-ups -----------------------------------------------------------------------

    async def followups(self, agreement: str) -> list[FollowUp]:
        return [FollowUp.from_record(r) for r in await self._store.query(FOLLOWUPS, agreement)]

    async def followup(self, agreement: str, base: str) -> FollowUp | None:
        record = await self._store.get(FOLLOWUPS, agreement, base)
        return None if record is None else FollowUp.from_record(record)

    async def put_followup(self, followup: FollowUp) -> FollowUp:
        """Store a follow-up; conditional on its etag when it was read (ConcurrencyError)."""
        record = Record(followup.agreement, followup.base, followup.to_data(), followup.etag)
        if followup.etag is None:
            try:
                stored = await self._store.insert(FOLLOWUPS, record)
            except AlreadyExistsError as error:
                raise ConcurrencyError(f"{followup.agreement}/{followup.base}") from error
        else:
            stored = await self._store.replace(FOLLOWUPS, record)
        return replace(followup, etag=stored.etag)

    async def all_followups(self) -> list[FollowUp]:
        """Every open follow-up (reports and the CLI; never the reminder round)."""
        return [FollowUp.from_record(r) for r in await self._store.query(FOLLOWUPS)]

    async def all_agreements(self) -> list[Agreement]:
        return [Agreement.from_data(r.data, r.etag) for r in await self._store.query(AGREEMENTS)]

    # --- results --------------------------------------------------------------------------

    async def add_result(self, result: Result) -> bool:
        """Record a result once per follow-up (due date); False when one is there already."""
        key = f"{result.base}|{result.due.isoformat()}"
        try:
            await self._store.insert(RESULTS, Record(result.agreement, key, result.to_data()))
        except AlreadyExistsError:
            return False
        return True

    async def results(self, agreement: str) -> list[Result]:
        return [Result.from_data(r.data) for r in await self._store.query(RESULTS, agreement)]

    async def all_results(self) -> list[Result]:
        return [Result.from_data(r.data) for r in await self._store.query(RESULTS)]

    # --- joint follow-ups -----------------------------------------------------------------

    async def joint(self, org_number: str, base: str) -> JointTake | None:
        record = await self._store.get(JOINT, org_number, base)
        if record is None:
            return None
        return JointTake(org_number, base, **record.data, etag=record.etag)

    async def take_joint(self, take: JointTake) -> bool:
        """Exactly one taker: an insert-if-absent."""
        data = {"taker": take.taker, "taker_name": take.taker_name,
                "taker_municipality": take.taker_municipality, "since": take.since}  # fmt: skip
        try:
            await self._store.insert(JOINT, Record(take.org_number, take.base, data))
        except AlreadyExistsError:
            return False
        return True

    async def release_joint(self, org_number: str, base: str) -> bool:
        return await self._store.delete(JOINT, org_number, base)

    # --- personal data --------------------------------------------------------------------

    async def export_person(self, person: PersonRef) -> dict[str, Any]:
        mine = [a for a in await self.all_agreements() if _is(person, a.responsible)]
        recorded = [r for r in await self.all_results() if r.by in person.ids]
        postponed = [{"agreement": f.agreement, "base": f.base, **p}
                     for f in await self.all_followups() for p in f.postponed
                     if p.get("by") in person.ids]  # fmt: skip
        taken = [
            {"org_number": r.partition, "base": r.key, **r.data}
            for r in await self._store.query(JOINT)
            if r.data.get("taker") in person.ids
        ]
        return {"agreements": [a.to_data() for a in mine],
                "followup_results": [r.to_data() for r in recorded],
                "postponed_followups": postponed, "joint_followups_taken": taken}  # fmt: skip

    async def erase_person(self, person: PersonRef) -> int:
        """The person comes off agreements, results and postponements (they stay), and the
        joint follow-ups they took are released (someone else takes them)."""
        changed = 0
        for agreement in await self.all_agreements():
            if _is(person, agreement.responsible) or agreement.created_by in person.ids:
                await self.save(agreement.without_person())
                changed += 1
        for record in await self._store.query(RESULTS):
            if record.data.get("by") in person.ids:
                data = {**record.data, "by": "", "by_name": "", "source": ""}
                await self._store.upsert(RESULTS, Record(record.partition, record.key, data))
                changed += 1
        for followup in await self.all_followups():
            if any(p.get("by") in person.ids for p in followup.postponed):
                kept = tuple({**p, "by": ""} if p.get("by") in person.ids else p
                             for p in followup.postponed)  # fmt: skip
                await self._store.upsert(FOLLOWUPS, Record(
                    followup.agreement, followup.base, replace(followup, postponed=kept).to_data()
                ))  # fmt: skip
                changed += 1
        for record in await self._store.query(JOINT):
            if record.data.get("taker") in person.ids:
                changed += await self._store.delete(JOINT, record.partition, record.key)
        return changed


def _is(person: PersonRef, who: str) -> bool:
    """Whether `who` (an e-mail or "teams:<id>") is this person."""
    return bool(who) and (who in person.ids or who.removeprefix("teams:") in person.ids
                          or who in person.emails)  # fmt: skip
