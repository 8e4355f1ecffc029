"""Shared work: the share forms, the lists, the sharing channel, follow-up plans
(uppföljningsmallar) from chosen criteria."""

from __future__ import annotations

from bot.clock import Clock
from bot.commands import EVERYWHERE, IN_CHANNELS, ONE_TO_ONE, Command, Group, K, Spec, T, Who
from bot.criteria import Criterion
from bot.criteria.model import area_of
from bot.forms import FormProblems
from bot.i18n import Texts, UserError
from bot.links import DOWNLOAD_S, LinkSigner
from bot.sharing import SharingService
from bot.teams._handlers._entries import Entries
from bot.teams._routes import Handler, Mode, action, command
from bot.teams._turn import Card, Turn
from cards import (
    analysis_form_card,
    followup_form_card,
    message_card,
    plan_card,
    shared_item_card,
    shared_list_card,
)
from cards.actions import MakePlan, ShareAnalysis, ShareFollowUp, ShowShared


class SharingHandler(Handler):
    def __init__(
        self, sharing: SharingService, entries: Entries, links: LinkSigner, public_url: str,
        clock: Clock,
    ) -> None:  # fmt: skip
        self._sharing = sharing
        self._entries = entries
        self._links = links
        self._public_url = public_url
        self._clock = clock

    @command(
        Spec(
            "share_analysis",
            ("dela marknadsanalys", "dela analys"),
            ("share analysis", "share market analysis"),
            Group.SHARING,
            menu=EVERYWHERE,
        )
    )
    async def share_analysis(self, command: Command, turn: Turn) -> list[Card]:
        return [analysis_form_card(turn.texts, self._clock.today())]

    @command(Spec("share_followup", ("dela uppföljning",), ("share follow-up", "share followup"),
                  Group.SHARING, menu=ONE_TO_ONE))  # fmt: skip
    async def share_followup(self, command: Command, turn: Turn) -> list[Card]:
        return [followup_form_card(turn.texts, self._clock.today())]

    @action(ShareAnalysis, limit="share", mode=Mode.IN_PLACE)
    async def shared_analysis(self, action: ShareAnalysis, turn: Turn) -> list[Card]:
        try:
            item = await self._sharing.share_analysis(turn.person, action.values)
        except FormProblems as problems:  # the form again, with every problem marked
            return [analysis_form_card(turn.texts, self._clock.today(), action.values,
                                       problems.problems.fields)]  # fmt: skip
        await self._sharing.post(item)
        return [message_card(turn.texts("share.shared")), shared_item_card(item, turn.texts)]

    @action(ShareFollowUp, limit="share", mode=Mode.IN_PLACE)
    async def shared_followup(self, action: ShareFollowUp, turn: Turn) -> list[Card]:
        try:
            item = await self._sharing.share_followup(turn.person, action.values)
        except FormProblems as problems:
            return [followup_form_card(turn.texts, self._clock.today(), action.values,
                                       problems.problems.fields)]  # fmt: skip
        await self._sharing.post(item)
        return [message_card(turn.texts("share.shared")), shared_item_card(item, turn.texts)]

    @command(Spec("list_analyses", ("marknadsanalyser",), ("analyses",), Group.SHARING,
                  argument=T))  # fmt: skip
    async def list_analyses(self, command: Command, turn: Turn) -> list[Card]:
        analyses = await self._sharing.analyses(area=area_of(command.argument))
        return [shared_list_card(turn.texts("list.analyses"), analyses, turn.texts)]

    @command(Spec("list_followups", ("delade uppföljningar",), ("shared follow-ups",),
                  Group.SHARING, argument=T))  # fmt: skip
    async def list_followups(self, command: Command, turn: Turn) -> list[Card]:
        followups = await self._sharing.followups(area=area_of(command.argument))
        return [shared_list_card(turn.texts("list.followups"), followups, turn.texts)]

    @action(ShowShared)
    async def show(self, action: ShowShared, turn: Turn) -> list[Card]:
        item = await self._sharing.item(action.item)
        if item is None:
            raise UserError("share.not_found")
        return [shared_item_card(item, turn.texts)]

    # --- follow-up plans --------------------------------------------------------------------

    @command(Spec("plan", ("uppföljningsplan",), ("plan",), Group.SHARING, argument=K))
    async def plan(self, command: Command, turn: Turn) -> list[Card]:
        ids = self._entries.named(command.argument)
        return [self._plan([self._entries.levels(i)[0] for i in ids], turn.texts)]

    @action(MakePlan)
    async def plan_from_answer(self, action: MakePlan, turn: Turn) -> list[Card]:
        found = [self._entries.library.criterion(key) for key in action.keys]
        return [self._plan([c for c in found if c is not None], turn.texts)]

    def _plan(self, criteria: list[Criterion], texts: Texts) -> Card:
        if not criteria:
            raise UserError("plan.pick")
        token = self._links.sign({"kind": "plan", "keys": [c.key for c in criteria]},
                                 DOWNLOAD_S)  # fmt: skip
        return plan_card(criteria, texts, f"{self._public_url}/files/{token}")

    @command(Spec("sharing_channel", ("delningskanal",), ("sharing channel",), Group.ADMIN,
                  Who.ADMIN, IN_CHANNELS, menu=IN_CHANNELS))  # fmt: skip
    async def sharing_channel(self, command: Command, turn: Turn) -> list[Card]:
        await self._sharing.set_sharing_channel(turn.conversation_id, by=turn.aad_id)
        return [message_card(turn.texts("share.channel_set"))]
