"""Environmental competence early, and procurements coordinated across municipalities.

A planned procurement is registered (form or the annual plan's import); the node suggests
criteria, shows shared market analyses and follow-ups of the area, and the municipalities whose
plans overlap, with "Samordna". "Boka miljöstöd tidigt" is a ticket of its own kind to the
on-call expert (5 working days), and the expert who takes it becomes the plan's environmental
contact. Ten weeks before the announcement, a plan with no expert nudges its contact, once.
The nudge, the introductions and the post when a group agrees are messages in the one
outbox. At stage "avtal" it turns into an agreement, so its follow-up starts by itself.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Protocol

from bot.agreements import Directory
from bot.channels import ChannelSettings
from bot.clock import Clock
from bot.criteria import CriteriaLibrary
from bot.forms import Context, FormProblems
from bot.i18n import UserError
from bot.messaging import Card, Messenger, Person
from bot.outbox import Kind, Later, Message, Outbox, Result, Sent, Skip, Wait
from bot.procurements.forms import PLAN_UPDATE, PROCUREMENT
from bot.procurements.model import Procurement, build_procurement, overlapping
from bot.procurements.records import ProcurementRecords
from bot.routing import RoutingService
from bot.storage import ConcurrencyError, Store
from bot.tabular import ImportReport, parse_register
from bot.values import parse_date, parse_month

log = logging.getLogger(__name__)

NUDGE_WEEKS = 10
EARLY_HOURS = 5 * 9  # five working days of 08-17
OVERLAP_MONTHS = 6
# The messages of planned procurements (declared in the outbox).
NUDGE, INTRODUCTION, COORDINATED = "nudge", "procurement.introduction", "procurement.coordinated"


class ProcurementCards(Protocol):
    def introduction(self, plan: Procurement, others: list[Procurement], locale: str) -> Card: ...

    def coordinated(self, group: list[Procurement]) -> Card: ...

    def nudge(self, plan: Procurement, locale: str) -> Card: ...


class ProcurementService:
    def __init__(
        self,
        store: Store,
        messenger: Messenger,
        library: CriteriaLibrary,
        cards: ProcurementCards,
        directory: Directory,
        routing: RoutingService,
        clock: Clock,
        outbox: Outbox,
    ) -> None:
        self._store = store
        self.records = ProcurementRecords(store)
        self._messenger = messenger
        self._library = library
        self._cards = cards
        self._directory = directory
        self._routing = routing
        self._channels = ChannelSettings(store)
        self._clock = clock
        self._outbox = outbox
        outbox.declare(Kind(NUDGE, self._send_nudge, after_crash="give_up"))
        outbox.declare(Kind(INTRODUCTION, self._send_introduction))
        outbox.declare(Kind(COORDINATED, self._send_coordinated))

    def today(self) -> date:
        return self._clock.today()

    async def get(self, key: str) -> Procurement | None:
        return await self.records.get(key)

    async def all(self) -> list[Procurement]:
        return await self.records.all()

    async def _put(self, plan: Procurement) -> Procurement:
        return await self.records.put(plan)

    # --- registering ----------------------------------------------------------------------

    def context(self) -> Context:
        return Context(self.today())

    async def register(self, values: dict[str, str], by: str) -> Procurement:
        values = PROCUREMENT.clean(values)
        problems = PROCUREMENT.check(values, self.context())
        if problems:
            raise FormProblems(problems)
        return await self._save(build_procurement(values, by))

    async def _save(self, plan: Procurement) -> Procurement:
        old = await self.get(plan.key)
        if old is not None:  # the same (Kommun, Upphandling) again: updated, links kept
            plan = replace(plan, expert=old.expert, expert_name=old.expert_name,
                           ticket=old.ticket, expert_linked_on=old.expert_linked_on,
                           coordinate=old.coordinate, agreement=old.agreement,
                           created_by=old.created_by or plan.created_by, etag=old.etag)  # fmt: skip
        plan = await self._put(plan)
        if old is None:  # nudged once, whatever the updates (the nudge looks at the plan then)
            await self._outbox.schedule(NUDGE, plan.key, {"plan": plan.key},
                                        due=self._nudge_time(plan), to=plan.contact)  # fmt: skip
        return plan

    def _nudge_time(self, plan: Procurement) -> float:
        day = plan.announce - timedelta(weeks=NUDGE_WEEKS)
        return datetime.combine(day, time(0, 0), self._clock.zone).timestamp()

    async def import_rows(self, rows: list[list[str]]) -> ImportReport:
        """A municipality's annual procurement plan; with any bad row nothing is imported."""
        built, errors = parse_register(
            rows, PROCUREMENT, self.context(), lambda v: build_procurement(v, "import"),
            lambda p: p.key,
        )  # fmt: skip
        if errors:
            return ImportReport(0, 0, errors)
        added = updated = 0
        for plan in built:
            new = await self.get(plan.key) is None
            await self._save(plan)
            added, updated = added + new, updated + (not new)
        return ImportReport(added, updated, [])

    # --- what the node does with them -----------------------------------------------------

    async def overlaps(self, months: int = OVERLAP_MONTHS) -> list[list[Procurement]]:
        return overlapping(await self.all(), months)

    async def group_of(self, plan: Procurement) -> list[Procurement]:
        for group in await self.overlaps():
            if any(p.key == plan.key for p in group):
                return group
        return []

    async def visible(self, key: str, municipality: str, admin: bool) -> Procurement:
        """A plan for whoever may see it: shared ones for all, others in their municipality."""
        plan = await self.get(key)
        if plan is None or not (plan.shared or admin or plan.municipality == municipality):
            raise UserError("procurement.not_found")
        return await self.sync_expert(plan)

    def may_change(self, plan: Procurement, who: tuple[str, ...], admin: bool) -> bool:
        """The contact, the linked expert, or an admin."""
        return admin or plan.contact in who or (bool(plan.expert) and plan.expert in who)

    async def update(self, plan: Procurement, values: dict[str, str]) -> Procurement:
        """Its stage and dates (who may is decided at the edge)."""
        given = PLAN_UPDATE.clean(values)
        values = {"stage": plan.stage, "announce": f"{plan.announce:%Y-%m}",
                  "contract_start": plan.contract_start.isoformat(), **given}  # fmt: skip
        problems = PLAN_UPDATE.check(values, self.context())
        if problems:
            raise FormProblems(problems)
        announce, start = parse_month(values["announce"]), parse_date(values["contract_start"])
        assert announce is not None
        assert start is not None
        try:
            return await self._put(replace(plan, stage=values["stage"], announce=announce,
                                           contract_start=start))  # fmt: skip
        except ConcurrencyError:
            raise UserError("procurement.changed") from None

    async def coordinate(self, plan: Procurement) -> list[Procurement]:
        """The contact wants to coordinate: the others' contacts get an introduction naming
        everyone and their timelines; once all in the group agree, the sharing channel hears.
        (Who may is decided at the edge.)"""
        group = await self.group_of(plan)
        if not group:
            raise UserError("procurement.no_overlap")
        plan = await self._put(replace(plan, coordinate=True))
        group = [plan if p.key == plan.key else p for p in group]
        messages = []
        for other in group:
            if other.key == plan.key:
                continue
            data = {"plan": other.key, "group": [p.key for p in group if p.key != other.key]}
            key = f"{other.key}|{plan.key}"
            messages.append(
                await self._outbox.schedule(INTRODUCTION, key, data, to=other.contact, hold=True)
            )
        if all(p.coordinate for p in group):
            messages += await self._announce_coordination(group)
        await self._outbox.send_now(messages)
        return group

    async def _announce_coordination(self, group: list[Procurement]) -> list[Message]:
        key = "|".join(sorted(p.key for p in group))[:500]
        if not await self.records.mark_coordinated(key, self._clock.time()):
            return []  # announced already
        group_keys = {"group": [p.key for p in group]}
        return [await self._outbox.schedule(COORDINATED, key, group_keys, hold=True)]

    async def _plans(self, keys: list[str]) -> list[Procurement]:
        return [p for key in keys if (p := await self.get(key)) is not None]

    async def _send_introduction(self, message: Message) -> Result:
        """A contact meets the others buying the same (their names, timelines, contacts)."""
        plan = await self.get(message.data["plan"])
        if plan is None or not plan.contact:
            return Skip("the plan or its contact is gone")
        contact = await self._directory.person(plan.contact)
        if contact is None:
            return Wait(plan.contact)
        others = await self._plans(message.data["group"])
        if not await self._messenger.to_person(
            contact.user_id, self._cards.introduction(plan, others, contact.locale)
        ):
            return Wait(plan.contact)  # fmt: skip
        return Sent()

    async def _send_coordinated(self, message: Message) -> Result:
        """One post in the sharing channel when a whole group agreed to coordinate."""
        channel = await self._channels.get("sharing_channel")
        if not channel:
            return Skip("no sharing channel")
        group = await self._plans(message.data["group"])
        await self._messenger.to_channel(channel, self._cards.coordinated(group))
        return Sent()

    async def book_early(self, plan: Procurement, person: Person) -> int:
        """A ticket of kind "early" to the on-call expert of the area, 5 working days."""
        if plan.ticket:
            raise UserError("procurement.already_booked", {"number": plan.ticket})
        about = {"kind": "procurement", "title": plan.title, "municipality": plan.municipality,
                 "stage": plan.stage, "announce": f"{plan.announce:%Y-%m}",
                 "contract_start": plan.contract_start.isoformat(),
                 "product_group": plan.product_group}  # fmt: skip
        ticket, _ = await self._routing.ask(
            person, "", plan.area, plan.municipality, consent=False, kind="early",
            hours=EARLY_HOURS, about=about,
        )  # fmt: skip
        await self._put(replace(plan, ticket=ticket.number))
        return ticket.number

    async def sync_expert(self, plan: Procurement) -> Procurement:
        """The expert who took the early consultation is the plan's environmental contact."""
        if not plan.ticket or plan.expert:
            return plan
        ticket = await self._routing.get(plan.ticket)
        if not ticket.assignee:
            return plan
        network = await self._routing.network()
        expert = network.experts.get(ticket.assignee)
        on = self._clock.local(ticket.claimed_at or self._clock.time()).date()
        linked = replace(plan, expert=ticket.assignee, expert_name=expert.name if expert else "",
                         expert_linked_on=on.isoformat())  # fmt: skip
        try:
            return await self._put(linked)
        except ConcurrencyError:
            return plan

    async def _send_nudge(self, message: Message) -> Result:
        """Ten weeks before the announcement, a plan with no environmental expert yet nudges
        its contact: once (a send cut short by a crash is not repeated)."""
        plan = await self.get(message.data["plan"])
        if plan is None:
            return Skip("the plan is gone")
        plan = await self.sync_expert(plan)
        if plan.expert or plan.nudged_on or plan.stage in ("tilldelad", "avtal"):
            return Skip("an expert is linked, or it is past the announcement")
        if self._nudge_time(plan) > self._clock.time():
            return Later(self._nudge_time(plan))  # the announcement moved later
        contact = await self._directory.person(plan.contact) if plan.contact else None
        if contact is None:
            return Wait(plan.contact) if plan.contact else Skip("no contact")
        if not await self._messenger.to_person(
            contact.user_id, self._cards.nudge(plan, contact.locale)
        ):
            return Wait(plan.contact)
        with contextlib.suppress(ConcurrencyError):
            await self._put(replace(plan, nudged_on=self.today().isoformat()))
        return Sent()

    async def upcoming(self, area: str = "", months: int = 12) -> list[Procurement]:
        today = self.today().replace(day=1)
        horizon = today.replace(year=today.year + 1) if months >= 12 else today
        return sorted(
            (p for p in await self.all()
             if p.shared and today <= p.announce <= horizon and (not area or p.area == area)),
            key=lambda p: (p.area, p.announce, p.municipality),
        )  # fmt: skip

    async def became_agreement(self, plan: Procurement, agreement_key: str) -> None:
        with contextlib.suppress(ConcurrencyError):
            await self._put(replace(plan, agreement=agreement_key, stage="avtal"))
