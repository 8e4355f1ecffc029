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
from datetime import date, timedelta
from typing import Any, Protocol

from bot import telemetry
from bot.agreements.model import (
    RESULTS,
    Agreement,
    build_agreement,
    check_agreement,
    next_due,
)
from bot.agreements.repository import (
    AgreementRepository,
    FollowUp,
    JointTake,
    Reminder,
    Result,
)
from bot.clock import Clock
from bot.criteria import CriteriaLibrary, Criterion
from bot.forms import FormProblems, Problems
from bot.i18n import Notice, UserError
from bot.messaging import Card, Gone, Messenger, Person
from bot.routing import RoutingService
from bot.sharing import METHODS, FollowUpSummary, SharingService
from bot.sharing import FormProblems as FormProblemsOfSharing
from bot.storage import ConcurrencyError, Store
from bot.tabular import ImportReport, parse_register

log = logging.getLogger(__name__)

BEFORE_DAYS, OVERDUE_EVERY_DAYS, MAX_OVERDUE_REMINDERS = 14, 7, 26
_CLAIM_S = 90.0
_MAX_WRITES = 20
SHARED_RESULT = {"gron": "uppfyllt", "gul": "delvis", "rod": "ej uppfyllt"}

COLUMNS: dict[str, tuple[str, ...]] = {
    "municipality": ("kommun", "municipality"),
    "title": ("avtal", "avtalsnamn", "agreement"),
    "supplier": ("leverantör", "leverantor", "supplier"),
    "org_number": ("organisationsnummer", "orgnr", "org.nr", "organisation number"),
    "area": ("område", "omrade", "area"),
    "product_group": ("produktgrupp", "product group"),
    "start": ("avtalsstart", "startdatum", "start"),
    "end": ("avtalsslut", "slutdatum", "end"),
    "responsible": ("ansvarig", "avtalsansvarig", "responsible"),
    "criteria": ("krav-id", "krav id", "kravid", "krav", "criteria"),
    "interval": ("intervall", "uppföljningsintervall", "interval"),
    "framework": ("ramavtal", "framework"),
}
REQUIRED = ("municipality", "title", "supplier", "org_number", "area", "start", "end",
            "responsible", "criteria", "interval")  # fmt: skip


@dataclass(frozen=True)
class DueItem:
    """A follow-up that is due (or overdue) at a date, with what a reminder shows."""

    agreement: Agreement
    followup: FollowUp
    overdue: bool
    joint_with: tuple[str, ...]  # other municipalities following the same supplier and criterion
    joint: JointTake | None = None

    def as_json(self) -> dict[str, Any]:
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
        claim_seconds: float = _CLAIM_S,
    ) -> None:
        self.repository = AgreementRepository(store)
        self._claim_seconds = claim_seconds
        self._routing = routing
        self._sharing = sharing
        self._messenger = messenger
        self._library = library
        self._cards = cards
        self._directory = directory
        self._clock = clock

    def today(self) -> date:
        return self._clock.today()

    def _known_criteria(self) -> set[str]:
        return self._library.base_ids()

    # --- registering ----------------------------------------------------------------------

    async def register(self, values: dict[str, str], by: str) -> Agreement:
        """A new (or updated) agreement from a form; FormProblems with every problem."""
        problems = check_agreement(values, self._known_criteria(), self.today())
        if problems:
            raise FormProblems(problems)
        agreement, _ = await self._save(build_agreement(values, self._known_criteria(), by))
        return agreement

    async def import_rows(self, rows: list[list[str]]) -> ImportReport:
        """A municipality's agreement register; with any bad row nothing is imported."""
        known, today = self._known_criteria(), self.today()
        built, errors = parse_register(
            rows, COLUMNS, REQUIRED, lambda v: check_agreement(v, known, today).fields,
            lambda v: build_agreement(v, known, "import"), lambda a: a.key,
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
        agreement, new = await self.repository.save(agreement)
        today = self.today()
        for criterion in agreement.criteria:
            if await self.repository.followup(agreement.key, criterion.base) is not None:
                continue
            due = _open_due(agreement, criterion.interval, today)
            if due is None:
                continue
            followup = FollowUp(agreement.key, criterion.base, due)
            try:
                await self.repository.put_followup(followup)
            except ConcurrencyError:
                continue  # registered at the same moment elsewhere
            await self._schedule_first(followup, today)
        return agreement, new

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
        if today < followup.due:
            day = max(today, followup.due - timedelta(days=BEFORE_DAYS))
            kind = "before" if day < followup.due else "due"
        elif today == followup.due:
            day, kind = today, "due"
        else:
            day, kind = today, "overdue-1"
        await self.repository.schedule(Reminder(followup.agreement, followup.base,
                                                followup.due, kind, day))  # fmt: skip

    async def remind(self) -> int:
        """Send the reminders of every day up to today not done yet; returns how many."""
        today = self.today()
        cursor = await self.repository.cursor()
        sent = 0
        day = min(cursor or today, today)
        round_ = _Round()
        while day <= today:
            for reminder in await self.repository.reminders_on(day):
                sent += await self._remind(reminder, round_)
            day += timedelta(days=1)
        if cursor != today:
            await self.repository.set_cursor(today)
        return sent

    async def _remind(self, reminder: Reminder, round_: _Round) -> int:
        if reminder.state != "pending":
            if reminder.state == "sending" and reminder.until < self._clock.time():
                # The process died while sending: it may have gone out. Not sent again; the
                # next reminder is still scheduled so the follow-up is not forgotten.
                await self._finish(reminder, "uncertain")
            return 0
        agreement = await self.repository.get(reminder.agreement)
        followup = await self.repository.followup(reminder.agreement, reminder.base)
        if agreement is None or followup is None or followup.due != reminder.due:
            await self._set(reminder, "skipped")  # done, postponed or removed meanwhile
            return 0
        person = await self._directory.person(agreement.responsible)
        if person is None:
            return await self._wait_for_person(reminder)
        try:
            claimed = await self.repository.put_reminder(
                replace(reminder, state="sending", until=self._clock.time() + self._claim_seconds)
            )
        except ConcurrencyError:
            return 0  # another instance took it
        state = "sent"
        item = await self._item(agreement, followup, self.today(), round_.suppliers)
        criterion, others = await self.about(item, round_.summaries)
        card = self._cards.reminder(
            item, reminder.kind, person.locale, criterion, others, self.today()
        )
        try:
            if not await self._messenger.to_person(person.user_id, card):
                state = "unreachable"
        except Gone:
            state = "unreachable"
        except Exception:
            log.exception("reminder not sent; tried again next round")
            await self._set(claimed, "pending")
            return 0
        await self._finish(claimed, state)
        if state == "sent":
            telemetry.count("reminders", kind=claimed.kind)
        return int(state == "sent")

    async def _wait_for_person(self, reminder: Reminder) -> int:
        """The responsible person has not written to the bot yet, so it cannot write to them:
        the reminder waits (every round tries it) and moves to the next day, until the next
        reminder's day has come, which then takes its place."""
        today = self.today()
        if reminder.day < today:
            following = _next_reminder(reminder, today)
            if following is not None and following.day <= today:
                await self._finish(reminder, "unreachable")
            else:
                await self.repository.schedule(replace(reminder, day=today))
                await self._set(reminder, "moved")
        log.info("responsible person not reachable yet", extra={"reminder": reminder.key})
        return 0

    async def _finish(self, reminder: Reminder, state: str) -> None:
        await self._set(reminder, state)
        following = _next_reminder(reminder, self.today())
        if following is not None:
            await self.repository.schedule(following)

    async def _set(self, reminder: Reminder, state: str) -> None:
        """Record a reminder's state; a finished one leaves its day's partition, so later
        rounds that day read only what is still to do."""
        try:
            if state == "pending":
                await self.repository.put_reminder(replace(reminder, state=state))
            else:
                await self.repository.close_reminder(replace(reminder, state=state))
        except ConcurrencyError:
            log.info("reminder changed meanwhile", extra={"reminder": reminder.key})

    # --- acting on a follow-up ------------------------------------------------------------

    async def may_act(self, item: DueItem, who: tuple[str, ...], admin: bool) -> bool:
        """The responsible person, the taker of the joint follow-up, or an admin."""
        joint = item.joint
        return (
            admin or item.agreement.responsible in who or (joint is not None and joint.taker in who)
        )

    async def record_result(
        self, item: DueItem, values: dict[str, str], person: Person, who: tuple[str, ...],
        admin: bool,
    ) -> list[Result]:  # fmt: skip
        """Record a result (for every agreement of a joint follow-up its taker records)."""
        if not await self.may_act(item, who, admin):
            raise UserError("followup.not_yours")
        problems = _check_result(values, self.today())
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
            result = Result(
                member.agreement.key, member.followup.base, member.followup.due,
                values["result"], values.get("method", ""), values.get("checked", "").strip(),
                values.get("finding", "").strip(), values.get("action", "").strip(),
                values.get("action_date", ""), date.fromisoformat(values["done_on"]),
                person.user_id, person.name, source=joint.taker_name if joint else "",
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
            await self._sharing.share_followup(person, report, 1)
        except FormProblemsOfSharing:
            log.info("result not shared: it does not make a valid report")

    async def expert_help(self, item: DueItem, person: Person, question: str) -> int:
        """A question to the on-call expert of the agreement's area, the agreement and the
        criterion attached; returns the ticket number."""
        context = (f"[Avtal: {item.agreement.title}, {item.agreement.supplier}, "
                   f"{item.agreement.municipality}; kriterium {item.followup.base}, "
                   f"uppföljning {item.followup.due.isoformat()}] ")  # fmt: skip
        ticket, _ = await self._routing.ask(
            person, context + question.strip(), item.agreement.area, item.agreement.municipality,
            consent=False,
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

    async def postpone(
        self, item: DueItem, new_date: str, reason: str, person: Person,
        who: tuple[str, ...], admin: bool,
    ) -> FollowUp:  # fmt: skip
        if not await self.may_act(item, who, admin):
            raise UserError("followup.not_yours")
        problems = Problems()
        moved = _parse_date(new_date)
        problems.need(moved is not None and moved > self.today(), "new_date",
                      "followup.error.postpone_date")  # fmt: skip
        problems.need(moved is not None and moved <= item.agreement.end + timedelta(days=90),
                      "new_date", "followup.error.postpone_date")  # fmt: skip
        problems.need(0 < len(reason.strip()) <= 500, "reason", "followup.error.reason")
        if problems:
            raise FormProblems(problems)
        assert moved is not None
        followup = item.followup
        record = {"from": followup.due.isoformat(), "to": moved.isoformat(),
                  "reason": reason.strip(), "by": person.user_id}  # fmt: skip
        updated = replace(followup, due=moved, postponed=(*followup.postponed, record))
        try:
            stored = await self.repository.put_followup(updated)
        except ConcurrencyError:
            raise UserError("followup.changed") from None
        await self._schedule_first(stored, self.today())
        return stored

    async def hand_over(
        self, item: DueItem, to: str, person: Person, who: tuple[str, ...], admin: bool
    ) -> Agreement:
        if not await self.may_act(item, who, admin):
            raise UserError("followup.not_yours")
        values = {**_as_values(item.agreement), "responsible": to.strip().lower()}
        problems = check_agreement(values, self._known_criteria(), self.today())
        if "responsible" in problems.fields:
            raise FormProblems(Problems({"responsible": problems.fields["responsible"]}))
        agreement, _ = await self.repository.save(
            replace(item.agreement, responsible=values["responsible"], responsible_name="")
        )
        new_person = await self._directory.person(agreement.responsible)
        if new_person is not None:
            card = self._cards.handed_over(agreement, person.name, new_person.locale)
            try:
                await self._messenger.to_person(new_person.user_id, card)
            except Exception:
                log.exception("the new responsible person was not told")
        return agreement

    async def take_joint(self, item: DueItem, person: Person, municipality: str) -> Notice:
        if not item.joint_with:
            raise UserError("followup.not_joint")
        take = JointTake(item.agreement.org_number, item.followup.base, person.user_id,
                         person.name, municipality, self._clock.time())  # fmt: skip
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
        for other in await self.repository.of_supplier(item.agreement.org_number):
            if other.key == item.agreement.key or not other.criterion(item.followup.base):
                continue
            person = await self._directory.person(other.responsible)
            if person is None:
                continue
            try:
                await self._messenger.to_person(
                    person.user_id, self._cards.joint_taken(item, take, person.locale)
                )
            except Exception:
                log.exception("a joint follow-up member was not told")

    async def statistics(self, start: date | None, end: date | None) -> dict[str, Any]:
        return await figures(self.repository, self.today(), start, end)


def _open_due(agreement: Agreement, interval: str, today: date) -> date | None:
    """The follow-up a newly registered agreement owes: the first due today or later. The
    node cannot know whether earlier ones were done, so it does not call them overdue (an
    imported register of running agreements would otherwise remind everyone at once)."""
    return next_due(agreement.start, agreement.end, interval, today - timedelta(days=1))


def _next_reminder(reminder: Reminder, today: date) -> Reminder | None:
    """The reminder after this one: on the due day, then weekly while overdue, and never
    sooner than a week after this one (a follow-up long overdue is not reminded of every
    week it missed at once)."""
    if reminder.kind == "before":
        return Reminder(reminder.agreement, reminder.base, reminder.due, "due",
                        max(reminder.due, today))  # fmt: skip
    week = int(reminder.kind.split("-")[1]) + 1 if reminder.kind.startswith("overdue") else 1
    if week > MAX_OVERDUE_REMINDERS:
        return None
    day = max(reminder.due + timedelta(days=OVERDUE_EVERY_DAYS * week),
              today + timedelta(days=OVERDUE_EVERY_DAYS))  # fmt: skip
    return Reminder(reminder.agreement, reminder.base, reminder.due, f"overdue-{week}", day)


def _check_result(values: dict[str, str], today: date) -> Problems:
    problems = Problems()
    result = values.get("result", "")
    problems.need(result in RESULTS, "result", "followup.error.result")
    done_on = _parse_date(values.get("done_on", ""))
    problems.need(done_on is not None and done_on <= today, "done_on", "followup.error.done_on")
    problems.need(0 < len(values.get("checked", "").strip()) <= 2000, "checked",
                  "followup.error.checked")  # fmt: skip
    problems.need(len(values.get("finding", "")) <= 4000, "finding", "followup.error.too_long")
    if result in ("gul", "rod"):
        problems.need(0 < len(values.get("action", "").strip()) <= 2000, "action",
                      "followup.error.action")  # fmt: skip
        action_date = _parse_date(values.get("action_date", ""))
        problems.need(action_date is not None and action_date >= today, "action_date",
                      "followup.error.action_date")  # fmt: skip
    return problems


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def _as_values(agreement: Agreement) -> dict[str, str]:
    criteria = ", ".join(f"{c.krav_id} {c.level}" for c in agreement.criteria)
    interval = agreement.criteria[0].interval if agreement.criteria else "ar"
    return {"municipality": agreement.municipality, "title": agreement.title,
            "area": agreement.area, "supplier": agreement.supplier,
            "org_number": agreement.org_number, "start": agreement.start.isoformat(),
            "end": agreement.end.isoformat(), "responsible": agreement.responsible,
            "interval": interval, "criteria": criteria}  # fmt: skip


async def figures(
    repository: AgreementRepository, today: date, start: date | None, end: date | None
) -> dict[str, Any]:
    """The figure the region wants to move from "1 of 25": follow-ups done on time."""

    def inside(day: date) -> bool:
        return (start is None or day >= start) and (end is None or day <= end)

    agreements = await repository.all_agreements()
    results = [r for r in await repository.all_results() if inside(r.due)]
    overdue = [f for f in await repository.all_followups() if not f.finished and f.due < today]
    per_municipality: dict[str, int] = {}
    for agreement in agreements:
        if agreement.criteria:
            count = per_municipality.get(agreement.municipality, 0)
            per_municipality[agreement.municipality] = count + 1
    on_time = sum(r.on_time for r in results)
    due_in_period = len(results) + sum(inside(f.due) for f in overdue)
    return {
        "agreements_per_municipality": dict(sorted(per_municipality.items())),
        "followups_due": due_in_period,
        "done_on_time": on_time,
        "done_late": len(results) - on_time,
        "overdue_now": len(overdue),
        "share_on_time": round(on_time / due_in_period, 3) if due_in_period else None,
        "joint_done": sum(bool(r.source) for r in results),
    }
