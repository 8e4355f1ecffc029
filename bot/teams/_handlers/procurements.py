"""Planned procurements: the "ny upphandling" form, the plan card and its actions (coordinate,
book early support, update, on to an agreement), and the region's next twelve months."""

from __future__ import annotations

from bot.commands import Command, Group, Spec, T
from bot.criteria import CriteriaLibrary, Criterion
from bot.criteria.model import area_of
from bot.forms import FormProblems
from bot.procurements import Procurement, ProcurementService
from bot.sharing import FollowUpReport, MarketAnalysis, SharingService
from bot.teams._access import PLAN_EDIT, PLAN_VIEW, REGISTER_PLAN, Registering, Subjects
from bot.teams._routes import Handler, Mode, action_on, command
from bot.teams._turn import Card, Turn
from cards import (
    agreement_form_card,
    message_card,
    procurement_card,
    procurement_form_card,
    upcoming_card,
)
from cards.actions import (
    BookEarly,
    Coordinate,
    CreateProcurement,
    ProcurementToAgreement,
    ShowProcurement,
    UpdateProcurement,
)

SUGGESTED = 3  # criteria a plan card suggests


class ProcurementHandler(Handler):
    def __init__(
        self,
        procurements: ProcurementService,
        library: CriteriaLibrary,
        sharing: SharingService,
        subjects: Subjects,
    ) -> None:
        self._procurements = procurements
        self._library = library
        self._sharing = sharing
        self._subjects = subjects  # whether the viewer may change a plan they look at

    @command(Spec("new_procurement", ("ny upphandling",), ("new procurement",), Group.SHARING))
    async def new_procurement(self, command: Command, turn: Turn) -> list[Card]:
        values = {"contact": await turn.party.address_or_empty(),
                  "municipality": await turn.party.municipality(),
                  "stage": "behovsanalys"}  # fmt: skip
        return [procurement_form_card(turn.texts, self._procurements.today(), values)]

    @command(Spec("upcoming", ("kommande upphandlingar",), ("upcoming procurements",),
                  Group.SHARING, argument=T))  # fmt: skip
    async def upcoming(self, command: Command, turn: Turn) -> list[Card]:
        plans = await self._procurements.upcoming(area_of(command.argument))
        groups = await self._procurements.overlaps()
        return [upcoming_card(plans, groups, turn.texts)]

    @action_on(CreateProcurement, REGISTER_PLAN, mode=Mode.IN_PLACE)
    async def create(
        self, action: CreateProcurement, turn: Turn, registering: Registering
    ) -> list[Card]:
        try:
            plan = await self._procurements.register(action.values, turn.user_id)
        except FormProblems as problems:
            return [procurement_form_card(turn.texts, self._procurements.today(), action.values,
                                          problems.problems.fields)]  # fmt: skip
        return [await self._plan_card(plan, turn, turn.texts("procurement.created"))]

    @action_on(ShowProcurement, PLAN_VIEW)
    async def show(self, action: ShowProcurement, turn: Turn, plan: Procurement) -> list[Card]:
        plan = await self._procurements.sync_expert(plan)
        return [await self._plan_card(plan, turn)]

    @action_on(Coordinate, PLAN_EDIT)
    async def coordinate(self, action: Coordinate, turn: Turn, plan: Procurement) -> list[Card]:
        group = await self._procurements.coordinate(plan)
        names = ", ".join(p.municipality for p in group if p.key != plan.key)
        return [message_card(turn.texts("procurement.coordinating", names=names))]

    @action_on(BookEarly, PLAN_EDIT, limit="ticket")
    async def book_early(self, action: BookEarly, turn: Turn, plan: Procurement) -> list[Card]:
        number = await self._procurements.book_early(plan, turn.person)
        return [message_card(turn.texts("procurement.booked_notice", number=number))]

    @action_on(UpdateProcurement, PLAN_EDIT, mode=Mode.IN_PLACE)
    async def update(self, action: UpdateProcurement, turn: Turn, plan: Procurement) -> list[Card]:
        try:
            updated = await self._procurements.update(plan, action.values)
        except FormProblems as problems:
            notice = "\n".join(turn.texts(key) for key in problems.problems.fields.values())
            return [await self._plan_card(plan, turn, notice)]
        return [await self._plan_card(updated, turn, turn.texts("procurement.updated"))]

    @action_on(ProcurementToAgreement, PLAN_EDIT)
    async def to_agreement(
        self, action: ProcurementToAgreement, turn: Turn, plan: Procurement
    ) -> list[Card]:
        """At stage "avtal": the agreement form with the plan's data, so follow-up starts."""
        values = {"municipality": plan.municipality, "title": plan.title, "area": plan.area,
                  "product_group": plan.product_group, "responsible": plan.contact,
                  "start": plan.contract_start.isoformat(), "interval": "ar",
                  "criteria": ", ".join(f"{c.krav_id} {c.level.value}"
                                        for c in self._suggested(plan))}  # fmt: skip
        today = self._procurements.today()
        return [agreement_form_card(turn.texts, today, values, procurement=plan.key)]

    def _suggested(self, plan: Procurement) -> list[Criterion]:
        """Criteria for the plan's product group, best first (a level each)."""
        query = f"{plan.product_group} {plan.title}"
        hits = [h for h in self._library.search(query, 8) if h.document.kind == "criterion"]
        found = [c for h in hits if (c := self._library.criterion(h.document.id))]
        return [c for c in found if c.area == plan.area][:SUGGESTED] or found[:SUGGESTED]

    async def _plan_card(self, plan: Procurement, turn: Turn, notice: str = "") -> Card:
        """The plan with what the node suggests: criteria for its product group by level,
        the area's shared work, and the municipalities buying the same; its update form
        only for those who may change it."""
        shared: list[MarketAnalysis | FollowUpReport] = [
            *await self._sharing.analyses(area=plan.area),
            *await self._sharing.followups(area=plan.area),
        ]
        group = await self._procurements.group_of(plan)
        editable = await PLAN_EDIT.allows(turn.party, plan, self._subjects)
        return procurement_card(
            plan, turn.texts, suggested=self._suggested(plan), shared=shared, group=group,
            notice=notice, editable=editable, today=self._procurements.today(),
        )  # fmt: skip
