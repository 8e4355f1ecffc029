"""Planned procurements in Teams: the "ny upphandling" form, the plan card and its actions,
and the region's next twelve months."""

from __future__ import annotations

from bot.commands import Command
from bot.criteria import Criterion
from bot.forms import FormProblems
from bot.procurements import Procurement
from bot.sharing import FollowUpReport, MarketAnalysis
from bot.teams._resolve_base import Card, ResolverBase, Turn
from bot.teams._resolve_sharing import area_in
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
    ProcurementAction,
    ProcurementToAgreement,
    ShowProcurement,
    UpdateProcurement,
)

SUGGESTED = 3


class ProcurementCommands(ResolverBase):
    async def cmd_new_procurement(self, command: Command, turn: Turn) -> list[Card]:
        who = await self._who(turn)
        contact = who[0] if "@" in who[0] else ""
        municipality = await self._municipality(turn)
        values = {"contact": contact, "municipality": municipality, "stage": "behovsanalys"}
        return [procurement_form_card(turn.texts, values)]

    async def cmd_upcoming(self, command: Command, turn: Turn) -> list[Card]:
        plans = await self._procurements.upcoming(area_in(command.argument))
        groups = await self._procurements.overlaps()
        return [upcoming_card(plans, groups, turn.texts)]

    async def act_create_procurement(self, action: CreateProcurement, turn: Turn) -> list[Card]:
        try:
            plan = await self._procurements.register(action.values, turn.user_id)
        except FormProblems as problems:
            return [procurement_form_card(turn.texts, action.values, problems.problems.fields)]
        return [await self._plan_card(plan, turn, turn.texts("procurement.created"))]

    def _suggested(self, plan: Procurement) -> list[Criterion]:
        """Criteria for the plan's product group, best first (a level each)."""
        query = f"{plan.product_group} {plan.title}"
        hits = [h for h in self._criteria.search(query, 8) if h.document.kind == "criterion"]
        found = [c for h in hits if (c := self._criteria.criterion(h.document.id))]
        return [c for c in found if c.area == plan.area][:SUGGESTED] or found[:SUGGESTED]

    async def _plan_card(self, plan: Procurement, turn: Turn, notice: str = "") -> Card:
        """The plan with what the node suggests: criteria for its product group by level,
        the area's shared work, and the municipalities buying the same."""
        suggested = self._suggested(plan)
        shared: list[MarketAnalysis | FollowUpReport] = [
            *await self._sharing.analyses(area=plan.area),
            *await self._sharing.followups(area=plan.area),
        ]
        group = await self._procurements.group_of(plan)
        return procurement_card(plan, turn.texts, suggested=suggested, shared=shared,
                                group=group, notice=notice)  # fmt: skip

    async def _procurement(self, action: ProcurementAction, turn: Turn) -> Procurement:
        municipality = await self._municipality(turn)
        return await self._procurements.visible(action.key, municipality, self._is_admin(turn))

    async def act_show_procurement(self, action: ShowProcurement, turn: Turn) -> list[Card]:
        return [await self._plan_card(await self._procurement(action, turn), turn)]

    async def act_coordinate(self, action: Coordinate, turn: Turn) -> list[Card]:
        plan = await self._procurement(action, turn)
        group = await self._procurements.coordinate(
            plan, turn.person, await self._who(turn), self._is_admin(turn)
        )
        names = ", ".join(p.municipality for p in group if p.key != plan.key)
        return [message_card(turn.texts("procurement.coordinating", names=names))]

    async def act_book_early(self, action: BookEarly, turn: Turn) -> list[Card]:
        plan = await self._procurement(action, turn)
        number = await self._procurements.book_early(plan, turn.person)
        return [message_card(turn.texts("procurement.booked_notice", number=number))]

    async def act_update_procurement(self, action: UpdateProcurement, turn: Turn) -> list[Card]:
        plan = await self._procurement(action, turn)
        try:
            updated = await self._procurements.update(
                plan, action.values, await self._who(turn), self._is_admin(turn)
            )
        except FormProblems as problems:
            notice = "\n".join(turn.texts(key) for key in problems.problems.fields.values())
            return [await self._plan_card(plan, turn, notice)]
        return [await self._plan_card(updated, turn, turn.texts("procurement.updated"))]

    async def act_procurement_agreement(
        self, action: ProcurementToAgreement, turn: Turn
    ) -> list[Card]:
        """At stage "avtal": the agreement form with the plan's data, so follow-up starts."""
        plan = await self._procurement(action, turn)
        values = {"municipality": plan.municipality, "title": plan.title, "area": plan.area,
                  "product_group": plan.product_group, "responsible": plan.contact,
                  "start": plan.contract_start.isoformat(), "interval": "ar",
                  "criteria": ", ".join(f"{c.krav_id} {c.level.value}"
                                        for c in self._suggested(plan)),
                  "procurement": plan.key}  # fmt: skip
        return [agreement_form_card(turn.texts, values)]
