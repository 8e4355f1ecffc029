"""Where the library has nothing: the gaps experts see (`luckor`), the regional criteria they
write from them and approve for each other (another municipality's expert approves)."""

from __future__ import annotations

from bot.clock import Clock
from bot.commands import Command, Group, Spec, T, Who
from bot.criteria.gaps import Gaps
from bot.criteria.model import area_of
from bot.criteria.regional import RegionalCriteria
from bot.forms import FormProblems
from bot.i18n import UserError
from bot.teams._routes import Handler, Mode, action, command
from bot.teams._turn import Card, Turn
from cards import (
    criterion_card,
    gaps_card,
    message_card,
    proposal_card,
    regional_form_card,
)
from cards.actions import ApproveRegional, ProposeRegional, WriteRegional

MAX_PROPOSALS = 5  # cards one command sends


class RegionalHandler(Handler):
    def __init__(self, gaps: Gaps, regional: RegionalCriteria, clock: Clock) -> None:
        self._gaps = gaps
        self._regional = regional
        self._clock = clock

    @command(Spec("gaps", ("luckor",), ("gaps",), Group.EXPERT, Who.EXPERT, argument=T))
    async def gaps(self, command: Command, turn: Turn) -> list[Card]:
        """`luckor [område]`: what people asked that the library could not answer."""
        area = area_of(command.argument) if command.argument else ""
        if command.argument and not area:
            raise UserError("gaps.unknown_area_given", {"given": command.argument[:40]})
        return [gaps_card(await self._gaps.groups(area), turn.texts, area)]

    @command(Spec("regional_criterion", ("nytt regionalt krav",), ("new regional criterion",),
                  Group.EXPERT, Who.EXPERT))  # fmt: skip
    async def new_regional(self, command: Command, turn: Turn) -> list[Card]:
        return [regional_form_card(turn.texts, self._clock.today())]

    @action(WriteRegional, who=Who.EXPERT)
    async def from_gap(self, action: WriteRegional, turn: Turn) -> list[Card]:
        values = {"area": action.area, "name": action.words[:80]}
        return [regional_form_card(turn.texts, self._clock.today(), values)]

    @action(ProposeRegional, who=Who.EXPERT, mode=Mode.IN_PLACE)
    async def propose(self, action: ProposeRegional, turn: Turn) -> list[Card]:
        expert = await turn.party.expert()
        assert expert is not None  # Who.EXPERT
        try:
            proposal = await self._regional.propose(action.values, expert.id, expert.name,
                                                    expert.municipality)  # fmt: skip
        except FormProblems as problems:
            return [regional_form_card(turn.texts, self._clock.today(), action.values,
                                       problems.problems.fields)]  # fmt: skip
        return [message_card(turn.texts("regional.proposed_done",
                                        id=proposal.criterion.krav_id))]  # fmt: skip

    @command(Spec("regional_pending", ("regionala förslag",), ("regional proposals",),
                  Group.EXPERT, Who.EXPERT))  # fmt: skip
    async def pending(self, command: Command, turn: Turn) -> list[Card]:
        proposals = await self._regional.pending()
        if not proposals:
            return [message_card(turn.texts("regional.none_pending"))]
        return [proposal_card(p, turn.texts) for p in proposals[:MAX_PROPOSALS]]

    @action(ApproveRegional, who=Who.EXPERT, mode=Mode.IN_PLACE)
    async def approve(self, action: ApproveRegional, turn: Turn) -> list[Card]:
        expert = await turn.party.expert()
        assert expert is not None  # Who.EXPERT
        criterion = await self._regional.approve(action.krav_id, expert.id, expert.municipality)
        return [criterion_card(criterion, turn.texts)]
