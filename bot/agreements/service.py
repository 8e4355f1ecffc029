"""Follow-up that actually happens: agreements, their due follow-ups, reminders to the named
responsible person, results, postponements, hand-overs, expert support, and one joint
follow-up for a supplier several municipalities share.

Which follow-up is open: for each criterion of an agreement, the first due date on or after
the day it was registered; recording a result opens the next, and one not recorded by its
date is overdue. Reminders go to the responsible person 14 days before, on the day and
every week while overdue; each (follow-up, kind) is scheduled once (an insert-if-absent) and
sent at most once: it is claimed before it is sent, and a claim left by a process that died
while sending is not sent again (the next reminder follows a week later), so no one is
reminded twice. The round reads only the reminders of the days it has not yet done.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from bot import telemetry
from bot.agreements.forms import AGREEMENT, EXPERT_SUPPORT, HAND_OVER, POSTPONE, RESULT
from bot.agreements.model import (
    POSTPONE_LIMIT,
    Agreement,
    Drift,
    Signed,
    build_agreement,
    drift,
    next_due,
    owed_due,
)
from bot.agreements.repository import (
    AgreementRepository,
    FollowUp,
    JointTake,
    Result,
)
from bot.clock import Clock
from bot.criteria import CriteriaLibrary, Criterion, split_krav_id
from bot.criteria.library import Change
from bot.forms import Context, FormProblems
from bot.i18n import Notice, UserError
from bot.messaging import Card, Messenger, Person
from bot.outbox import Kind, Message, Outbox, Sent, Skip, Wait
from bot.outbox import Result as Sending
from bot.routing import RoutingService
from bot.sharing import METHODS, FollowUpSummary, SharingService
from bot.sharing import FormProblems as FormProblemsOfSharing
from bot.storage import ConcurrencyError, Store
from bot.tabular import ImportReport, parse_register
from bot.values import parse_date

log = logging.getLogger(__name__)

# The messages follow-up sends (declared in the outbox).
REMINDER, HANDOVER, JOINT = "reminder", "agreement.handover", "followup.joint"
LIBRARY_CHANGE, LIBRARY_SUMMARY = "library.change", "library.summary"
BEFORE_DAYS, OVERDUE_EVERY_DAYS, MAX_OVERDUE_REMINDERS = 14, 7, 26
SHARED_RESULT = {"gron": "uppfyllt", "gul": "delvis", "rod": "ej uppfyllt"}


@dataclass(frozen=True)
class DueItem:
    """A follow-up that is due (or overdue) at a date, with what a reminder shows."""

    agreement: Agreement
    followup: FollowUp
    overdue: bool
    joint_with: tuple[str, ...]  # other municipalities following the same supplier and criterion
    joint: JointTake | None = None

    def as_json(self, moved: Drift | None = None) -> dict[str, Any]:
        """For the CLI; `moved`: how the library's text differs from the signed one."""
        criterion = self.agreement.criterion(self.followup.base)
        signed = criterion.signed.version if criterion and criterion.signed else None
        named = split_krav_id(criterion.krav_id)[1] if criterion else None
        return {
            "municipality": self.agreement.municipality,
            "agreement": self.agreement.title,
            "supplier": self.agreement.supplier,
            "org_number": self.agreement.org_number,
            "criterion": self.followup.base,
            "due": self.followup.due.isoformat(),
            "responsible": self.agreement.responsible,
            "overdue": self.overdue,
            "joint_with": list(self.joint_with),
            "criterion_version": signed or named,
            "library_version": moved.library_version if moved else None,
            "library_withdrawn": (moved.withdrawn or None) if moved else None,
        }


class Directory(Protocol):
    """Who a responsible person (an e-mail or "teams:<id>") is in Teams, when the node knows
    them: their Teams id and the language they use. Implemented by the Teams edge."""

    async def person(self, who: str) -> Person | None: ...

    async def emails_of(self, user_id: str) -> frozenset[str]: ...


class FollowUpCards(Protocol):
    def reminder(
        self, item: DueItem, kind: str, locale: str, criterion: Criterion | None,
        others: FollowUpSummary | None, today: date,
    ) -> Card: ...  # fmt: skip

    def handed_over(self, agreement: Agreement, by: str, locale: str) -> Card: ...

    def joint_taken(self, item: DueItem, taker: JointTake, locale: str) -> Card: ...

    def library_changed(
        self, item: DueItem, locale: str, criterion: Criterion | None, today: date
    ) -> Card: ...

    def library_summary(self, area: str, changes: list[Change], locale: str) -> Card: ...


@dataclass
class _Round:
    """What one reminder round reads once: which municipalities share a supplier and a
    criterion, each criterion's "how others followed it up"."""

    suppliers: dict[str, list[str]] = field(default_factory=dict)
    summaries: dict[str, FollowUpSummary] = field(default_factory=dict)


class FollowUpService:
    def __init__(
        self,
        store: Store,
        messenger: Messenger,
        library: CriteriaLibrary,
        cards: FollowUpCards,
        directory: Directory,
        clock: Clock,
        routing: RoutingService,
        sharing: SharingService,
        outbox: Outbox,
    ) -> None:
        self.repository = AgreementRepository(store)
        self._routing = routing
        self._sharing = sharing
        self._messenger = messenger
        self._library = library
        self._cards = cards
        self._directory = directory
        self._clock = clock
        self._outbox = outbox
        self._cache: tuple[float, _Round] | None = None
        outbox.declare(Kind(REMINDER, self._send_reminder, after_crash="give_up"))
        outbox.declare(Kind(HANDOVER, self._send_handover))
        outbox.declare(Kind(JOINT, self._send_joint))
        outbox.declare(Kind(LIBRARY_CHANGE, self._send_library_change))
        outbox.declare(Kind(LIBRARY_SUMMARY, self._send_library_summary))

    def today(self) -> date:
        return self._clock.today()

    def _known_criteria(self) -> set[str]:
        return self._library.base_ids()

    # --- registering ----------------------------------------------------------------------

    def context(self) -> Context:
        """What the forms of follow-up check against: today, the library's Krav IDs."""
        return Context(self.today(), frozenset(self._known_criteria()))

    async def register(
        self, values: dict[str, str], by: str, responsible_name: str = ""
    ) -> Agreement:
        """A new (or updated) agreement from a form; FormProblems with every problem."""
        clean = AGREEMENT.clean(values)
        problems = AGREEMENT.check(clean, self.context())
        if problems:
            raise FormProblems(problems)
        built = build_agreement(clean, self._known_criteria(), by, responsible_name)
        agreement, _ = await self._save(built)
        return agreement

    async def import_rows(self, rows: list[list[str]]) -> ImportReport:
        """A municipality's agreement register; with any bad row nothing is imported."""
        known = self._known_criteria()
        built, errors = parse_register(
            rows, AGREEMENT, self.context(), lambda v: build_agreement(v, known, "import"),
            lambda a: a.key,
        )  # fmt: skip
        if errors:
            return ImportReport(0, 0, errors)
        added = updated = 0
        for agreement in built:
            _, new = await self._save(agreement)
            added, updated = added + new, updated + (not new)
        return ImportReport(added, updated, [])

    async def _save(self, agreement: Agreement) -> tuple[Agreement, bool]:
        old = await self.repository.get(agreement.key)
        if old is not None:  # who registered it first stays; the rest is the new version
            agreement = replace(agreement, created_by=old.created_by or agreement.created_by)
        agreement = await self._signed(agreement, old)
        agreement, new = await self.repository.save(agreement)
        today = self.today()
        for criterion in agreement.criteria:
            if await self.repository.followup(agreement.key, criterion.base) is not None:
                continue
            due = owed_due(agreement.start, agreement.end, criterion.interval, today)
            if due is None:
                continue
            followup = FollowUp(agreement.key, criterion.base, due)
            try:
                await self.repository.put_followup(followup)
            except ConcurrencyError:
                continue  # registered at the same moment elsewhere
            await self._schedule_first(followup, today)
        return agreement, new

    async def _signed(self, agreement: Agreement, old: Agreement | None) -> Agreement:
        """Each criterion pinned to the version it is signed with, and its text kept: the one
        named ("10699:2", from history if the library has moved on), else the library's
        current. A criterion the agreement already signed keeps its text on an edit."""
        pinned = []
        for criterion in agreement.criteria:
            before = old.criterion(criterion.base) if old is not None else None
            named = split_krav_id(criterion.krav_id)[1] if ":" in criterion.krav_id else None
            if before is not None and before.signed and named in (None, before.signed.version):
                pinned.append(replace(criterion, krav_id=before.krav_id, signed=before.signed))
                continue
            versions = await self._library.versions(criterion.krav_id)
            current = self._library.levels_of(criterion.krav_id)
            version = named if named in versions else (current[0].version if current else None)
            levels = versions.get(version, []) if version is not None else []
            text = next((c for c in levels if c.level.value == criterion.level), None) or next(
                iter(levels), None)  # fmt: skip
            if text is None:  # not in the library at all (the form refuses that): as given
                pinned.append(criterion)
                continue
            krav_id = f"{criterion.base}:{text.version}" if text.version > 1 else criterion.base
            pinned.append(replace(criterion, krav_id=krav_id, signed=Signed.of(text)))
        return replace(agreement, criteria=tuple(pinned))

    def drift(self, agreement: Agreement, base: str) -> Drift | None:
        """How the library's text differs from what the agreement signed (None: nothing
        signed is known, an agreement from before the node kept texts)."""
        criterion = agreement.criterion(base)
        if criterion is None or criterion.signed is None:
            return None
        levels = self._library.levels_of(base)
        current = next((c for c in levels if c.level.value == criterion.level), None)
        return drift(criterion.signed, current or next(iter(levels), None))

    # --- what is due ----------------------------------------------------------------------

    async def due(self, at: date | None = None, municipality: str = "") -> list[DueItem]:
        """Open follow-ups due within the reminder window of `at` (or overdue): a report
        that reads every agreement, for the CLI and admins, never for the reminder round."""
        at = at or self.today()
        items = []
        suppliers: dict[str, list[str]] = {}
        agreements = {a.key: a for a in await self.repository.all_agreements()}
        for followup in await self.repository.all_followups():
            agreement = agreements.get(followup.agreement)
            if agreement is None or followup.finished:
                continue
            if municipality and agreement.municipality.lower() != municipality.lower():
                continue
            if followup.due <= at + timedelta(days=BEFORE_DAYS):
                items.append(await self._item(agreement, followup, at, suppliers))
        return sorted(items, key=lambda i: (not i.overdue, i.followup.due, i.agreement.title))

    async def _item(
        self,
        agreement: Agreement,
        followup: FollowUp,
        at: date,
        suppliers: dict[str, list[str]] | None = None,
    ) -> DueItem:
        """`suppliers` keeps, for the rest of a round or report, which municipalities have an
        agreement with a supplier containing a criterion."""
        key = f"{agreement.org_number}|{followup.base}"
        having = suppliers.get(key) if suppliers is not None else None
        if having is None:
            others = await self.repository.of_supplier(agreement.org_number)
            having = sorted({a.municipality for a in others if a.criterion(followup.base)})
            if suppliers is not None:
                suppliers[key] = having
        joint_with = tuple(m for m in having if m != agreement.municipality)
        joint = (
            await self.repository.joint(agreement.org_number, followup.base) if joint_with else None
        )
        return DueItem(agreement, followup, followup.due < at, joint_with, joint)

    async def agreement(self, key: str) -> Agreement | None:
        return await self.repository.get(key)

    async def followups_of(self, agreement_key: str) -> list[FollowUp]:
        return await self.repository.followups(agreement_key)

    async def followup(self, agreement_key: str, base: str) -> FollowUp | None:
        return await self.repository.followup(agreement_key, base)

    async def item(self, agreement_key: str, base: str) -> DueItem:
        agreement = await self.repository.get(agreement_key)
        followup = await self.repository.followup(agreement_key, base)
        if agreement is None or followup is None:
            raise UserError("followup.not_found")
        return await self._item(agreement, followup, self.today())

    async def about(
        self, item: DueItem, summaries: dict[str, FollowUpSummary] | None = None
    ) -> tuple[Criterion | None, FollowUpSummary]:
        """The criterion as the agreement has it, and how others followed it up
        (`summaries` keeps those for the rest of a round)."""
        wanted = item.agreement.criterion(item.followup.base)
        levels = self._library.levels_of(item.followup.base)
        level = next((c for c in levels if wanted and c.level.value == wanted.level), None)
        summary = summaries.get(item.followup.base) if summaries is not None else None
        if summary is None:
            summary = await self._sharing.followups_for(item.followup.base)
            if summaries is not None:
                summaries[item.followup.base] = summary
        return level or (levels[0] if levels else None), summary

    async def mine(self, who: tuple[str, ...]) -> list[Agreement]:
        found: dict[str, Agreement] = {}
        for name in who:
            for agreement in await self.repository.of_responsible(name):
                found[agreement.key] = agreement
        return sorted(found.values(), key=lambda a: (a.municipality, a.title))

    async def my_due(self, who: tuple[str, ...]) -> list[DueItem]:
        today = self.today()
        items = []
        for agreement in await self.mine(who):
            for followup in await self.repository.followups(agreement.key):
                if not followup.finished and followup.due <= today + timedelta(days=BEFORE_DAYS):
                    items.append(await self._item(agreement, followup, today))
        return sorted(items, key=lambda i: (not i.overdue, i.followup.due))

    # --- reminders ------------------------------------------------------------------------

    async def _schedule_first(self, followup: FollowUp, today: date) -> None:
        """The first reminder a follow-up gets: 14 days before it is due (now, when that has
        passed), on the day, or at once when it is already overdue."""
        if today < followup.due:
            day = max(today, followup.due - timedelta(days=BEFORE_DAYS))
            kind = "before" if day < followup.due else "due"
        elif today == followup.due:
            day, kind = today, "due"
        else:
            day, kind = today, "overdue-1"
        await self._schedule(followup.agreement, followup.base, followup.due, kind, day)

    async def _schedule(self, agreement: str, base: str, due: date, kind: str, day: date) -> None:
        responsible = await self.repository.get(agreement)
        await self._outbox.schedule(
            REMINDER, f"{agreement}|{base}|{due.isoformat()}|{kind}",
            {"agreement": agreement, "base": base, "due": due.isoformat(), "kind": kind},
            due=self._start_of(day), to=responsible.responsible if responsible else "",
        )  # fmt: skip

    def _start_of(self, day: date) -> float:
        return datetime.combine(day, time(0, 0), self._clock.zone).timestamp()

    async def _send_reminder(self, message: Message) -> Sending:
        """One reminder: to the responsible person, in their language, once (a send cut short
        by a crash is not repeated: the next reminder follows a week later)."""
        data = message.data
        due = date.fromisoformat(data["due"])
        agreement = await self.repository.get(data["agreement"])
        followup = await self.repository.followup(data["agreement"], data["base"])
        if agreement is None or followup is None or followup.finished or followup.due != due:
            return Skip("done, postponed or removed meanwhile")
        if not agreement.responsible:
            return Skip("nobody is responsible")
        person = await self._directory.person(agreement.responsible)
        if person is None:
            return Wait(agreement.responsible)
        today = self.today()
        following = _next_reminder(data["kind"], due, today)
        if following is not None:  # scheduled first: a crash after sending loses nothing
            await self._schedule(agreement.key, followup.base, due, *following)
        cache = self._round_cache()
        item = await self._item(agreement, followup, today, cache.suppliers)
        criterion, others = await self.about(item, cache.summaries)
        card = self._cards.reminder(item, _label(due, today), person.locale, criterion, others,
                                    today)  # fmt: skip
        if not await self._messenger.to_person(person.user_id, card):
            return Wait(agreement.responsible)
        telemetry.count("reminders", kind=data["kind"].split("-")[0])
        return Sent()

    def _round_cache(self) -> _Round:
        """What reminders sent close together share (a round's): who else has a supplier and
        criterion, how others followed it up. Kept a minute."""
        now = self._clock.time()
        if self._cache is None or not 0 <= now - self._cache[0] <= 60:
            self._cache = (now, _Round())
        return self._cache[1]

    # --- acting on a follow-up ------------------------------------------------------------

    async def record_result(
        self, item: DueItem, values: dict[str, str], person: Person, who: tuple[str, ...]
    ) -> list[Result]:
        """Record a result (its taker records one for every agreement of a joint follow-up);
        who may is decided at the edge (bot/teams/_access.py). `who`: the person's names."""
        values = RESULT.clean(values)
        problems = RESULT.check(values, self.context())
        if problems:
            raise FormProblems(problems)
        joint = item.joint if item.joint and item.joint.taker in who else None
        group = [item]
        if joint is not None:
            for other in await self.repository.of_supplier(item.agreement.org_number):
                followup = await self.repository.followup(other.key, item.followup.base)
                if other.key != item.agreement.key and followup and not followup.finished:
                    group.append(await self._item(other, followup, self.today()))
        recorded = []
        for member in group:
            done_on = parse_date(values["done_on"])
            assert done_on is not None  # checked above
            result = Result(
                member.agreement.key, member.followup.base, member.followup.due,
                values["result"], values.get("method", ""), values.get("checked", ""),
                values.get("finding", ""), values.get("action", ""),
                values.get("action_date", ""), done_on, person.user_id, person.name,
                source=joint.taker_name if joint else "",
            )  # fmt: skip
            if await self.repository.add_result(result):
                recorded.append(result)
                await self._advance(member)
        if joint is not None:
            await self.repository.release_joint(item.agreement.org_number, item.followup.base)
        if recorded and values.get("share") == "true":
            await self._share(item, values, person)
        return recorded

    async def _share(self, item: DueItem, values: dict[str, str], person: Person) -> None:
        """With the person's consent, the result becomes a shared follow-up report, so "Så
        har andra följt upp" grows by itself."""
        method = values.get("method", "")
        report = {
            "agreement": item.agreement.title, "supplier": item.agreement.supplier,
            "area": item.agreement.area, "municipality": item.agreement.municipality,
            "date": values["done_on"], "findings": values.get("finding", ""), "link": "",
            "krav_1": item.followup.base, "method_1": method if method in METHODS else "stickprov",
            "result_1": SHARED_RESULT[values["result"]],
        }  # fmt: skip
        try:
            await self._sharing.share_followup(person, report)
        except FormProblemsOfSharing:
            log.info("result not shared: it does not make a valid report")

    async def expert_help(self, item: DueItem, person: Person, values: dict[str, str]) -> int:
        """A question to the on-call expert of the agreement's area, with the agreement and
        the criterion it is about; returns the ticket number."""
        values = EXPERT_SUPPORT.clean(values)
        problems = EXPERT_SUPPORT.check(values, self.context())
        if problems:
            raise FormProblems(problems)
        about = {"kind": "followup", "agreement": item.agreement.title,
                 "supplier": item.agreement.supplier,
                 "municipality": item.agreement.municipality, "criterion": item.followup.base,
                 "due": item.followup.due.isoformat()}  # fmt: skip
        ticket, _ = await self._routing.ask(
            person, values.get("question", ""), item.agreement.area, item.agreement.municipality,
            consent=False, about=about,
        )  # fmt: skip
        return ticket.number

    async def _advance(self, item: DueItem) -> None:
        """The follow-up is done: open the next one (or none left before the end)."""
        agreement, followup = item.agreement, item.followup
        criterion = agreement.criterion(followup.base)
        interval = criterion.interval if criterion else "ar"
        following = next_due(agreement.start, agreement.end, interval, followup.due)
        updated = replace(followup, due=following or followup.due, finished=following is None)
        try:
            stored = await self.repository.put_followup(updated)
        except ConcurrencyError:
            return
        if following is not None:
            await self._schedule_first(stored, self.today())

    async def postpone(self, item: DueItem, values: dict[str, str], person: Person) -> FollowUp:
        values = POSTPONE.clean(values)
        problems = POSTPONE.check(values, self.context())
        moved = parse_date(values.get("new_date", ""))
        problems.need(moved is None or moved <= item.agreement.end + POSTPONE_LIMIT,
                      "new_date", "followup.error.postpone_date")  # fmt: skip
        if problems:
            raise FormProblems(problems)
        assert moved is not None
        followup = item.followup
        record = {"from": followup.due.isoformat(), "to": moved.isoformat(),
                  "reason": values["reason"], "by": person.user_id}  # fmt: skip
        updated = replace(followup, due=moved, postponed=(*followup.postponed, record))
        try:
            stored = await self.repository.put_followup(updated)
        except ConcurrencyError:
            raise UserError("followup.changed") from None
        await self._schedule_first(stored, self.today())
        return stored

    async def hand_over(self, item: DueItem, values: dict[str, str], person: Person) -> Agreement:
        values = HAND_OVER.clean(values)
        problems = HAND_OVER.check(values, self.context())
        if problems:
            raise FormProblems(problems)
        agreement, _ = await self.repository.save(
            replace(item.agreement, responsible=values["to"].lower(), responsible_name="")
        )
        await self._outbox.send(
            HANDOVER, f"{agreement.key}|{agreement.responsible}|{self._clock.time():.0f}",
            {"agreement": agreement.key, "by": person.name}, to=agreement.responsible,
        )  # fmt: skip
        return agreement

    async def _send_handover(self, message: Message) -> Sending:
        """The new responsible person hears that the agreement is theirs now."""
        agreement = await self.repository.get(message.data["agreement"])
        if agreement is None or agreement.responsible != message.to:
            return Skip("handed over again, or removed")
        person = await self._directory.person(agreement.responsible)
        if person is None:
            return Wait(agreement.responsible)
        card = self._cards.handed_over(agreement, message.data["by"], person.locale)
        if not await self._messenger.to_person(person.user_id, card):
            return Wait(agreement.responsible)
        return Sent()

    # --- the library changed ------------------------------------------------------------------

    async def library_changed(self, changes: list[Change]) -> int:
        """An import changed or withdrew criteria: the responsible person of every agreement
        citing one hears it (the follow-up card, with what changed), and each area's experts
        get one summary; through the outbox, once per change. How many were scheduled."""
        moved = [c for c in changes if c.kind in ("changed", "withdrawn")]
        if not moved:
            return 0
        bases = {c.base for c in moved}
        day = moved[0].day
        scheduled = 0
        for agreement in await self.repository.all_agreements():
            for criterion in agreement.criteria:
                if criterion.base in bases and agreement.responsible:
                    key = f"{day}|{agreement.key}|{criterion.base}"
                    await self._outbox.schedule(LIBRARY_CHANGE, key, {
                        "agreement": agreement.key, "base": criterion.base},
                        to=agreement.responsible)  # fmt: skip
                    scheduled += 1
        network = await self._routing.network()
        for area in sorted({c.area for c in moved}):
            lines = [c.to_data() for c in moved if c.area == area]
            for expert in network.experts.values():
                if expert.covers(area) and expert.teams_id:
                    key = f"{day}|{area}|{expert.id}"
                    await self._outbox.schedule(LIBRARY_SUMMARY, key, {
                        "area": area, "changes": lines}, to=f"teams:{expert.teams_id}")  # fmt: skip
                    scheduled += 1
        return scheduled

    async def _send_library_change(self, message: Message) -> Sending:
        agreement = await self.repository.get(message.data["agreement"])
        base = message.data["base"]
        if agreement is None or agreement.criterion(base) is None:
            return Skip("the agreement or its criterion is gone")
        person = await self._directory.person(agreement.responsible)
        if person is None:
            return Wait(agreement.responsible)
        today = self.today()
        followup = await self.repository.followup(agreement.key, base) or FollowUp(
            agreement.key, base, agreement.end, finished=True)  # fmt: skip
        item = await self._item(agreement, followup, today)
        criterion, _ = await self.about(item, {})
        card = self._cards.library_changed(item, person.locale, criterion, today)
        if not await self._messenger.to_person(person.user_id, card):
            return Wait(agreement.responsible)
        return Sent()

    async def _send_library_summary(self, message: Message) -> Sending:
        person = await self._directory.person(message.to)
        if person is None:
            return Wait(message.to)
        changes = [Change.from_data(c) for c in message.data["changes"]]
        card = self._cards.library_summary(message.data["area"], changes, person.locale)
        if not await self._messenger.to_person(person.user_id, card):
            return Wait(message.to)
        return Sent()

    async def take_joint(self, item: DueItem, person: Person) -> Notice:
        """One person follows the supplier up for every municipality sharing it: someone who
        acts for this agreement (the edge checks), on its municipality's behalf."""
        if not item.joint_with:
            raise UserError("followup.not_joint")
        take = JointTake(item.agreement.org_number, item.followup.base, person.user_id,
                         person.name, item.agreement.municipality,
                         self._clock.time())  # fmt: skip
        if not await self.repository.take_joint(take):
            current = await self.repository.joint(item.agreement.org_number, item.followup.base)
            name = current.taker_name if current else "?"
            return Notice("joint.taken_by", {"name": name}, tone="warning")
        await self._tell_joint_group(item, take)
        return Notice("joint.taken")

    async def release_joint(self, item: DueItem, person: Person) -> Notice:
        joint = item.joint
        if joint is None or joint.taker != person.user_id:
            raise UserError("followup.not_yours")
        await self.repository.release_joint(item.agreement.org_number, item.followup.base)
        return Notice("joint.released")

    async def _tell_joint_group(self, item: DueItem, take: JointTake) -> None:
        told = []
        for other in await self.repository.of_supplier(item.agreement.org_number):
            if other.key == item.agreement.key or not other.criterion(item.followup.base):
                continue
            data = {"agreement": item.agreement.key, "base": item.followup.base,
                    "taker_name": take.taker_name,
                    "taker_municipality": take.taker_municipality}  # fmt: skip
            key = f"{other.key}|{item.followup.base}|{take.since:.0f}"
            told.append(
                await self._outbox.schedule(JOINT, key, data, to=other.responsible, hold=True)
            )
        await self._outbox.send_now(told)

    async def _send_joint(self, message: Message) -> Sending:
        """Another municipality's responsible person hears who took the joint follow-up."""
        data = message.data
        if not message.to:
            return Skip("nobody is responsible")
        person = await self._directory.person(message.to)
        if person is None:
            return Wait(message.to)
        try:
            item = await self.item(data["agreement"], data["base"])
        except UserError:
            return Skip("the follow-up is gone")
        take = JointTake(item.agreement.org_number, item.followup.base, "", data["taker_name"],
                         data["taker_municipality"], 0.0)  # fmt: skip
        if not await self._messenger.to_person(
            person.user_id, self._cards.joint_taken(item, take, person.locale)
        ):
            return Wait(message.to)
        return Sent()


def _next_reminder(kind: str, due: date, today: date) -> tuple[str, date] | None:
    """The reminder after one of `kind` sent `today`: on the due day, then weekly while
    overdue (at most MAX_OVERDUE_REMINDERS), and never sooner than a week after this one (a
    follow-up long overdue is not reminded of every week it missed at once)."""
    if kind == "before" and today < due:
        return "due", due
    week = int(kind.split("-")[1]) + 1 if kind.startswith("overdue") else 1
    if week > MAX_OVERDUE_REMINDERS:
        return None
    day = max(due + timedelta(days=OVERDUE_EVERY_DAYS * week),
              today + timedelta(days=OVERDUE_EVERY_DAYS))  # fmt: skip
    return f"overdue-{week}", day


def _label(due: date, today: date) -> str:
    """What a reminder sent today says: coming up, today, or overdue (a reminder that waited
    for its person's first contact says how things are when it is sent)."""
    return "before" if today < due else "due" if today == due else "overdue"
