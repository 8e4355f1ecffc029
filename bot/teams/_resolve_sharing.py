"""Shared work in Teams: the share forms, lists, the sharing channel, follow-up plans."""

from __future__ import annotations

import logging
from typing import Any

from bot.commands import Command
from bot.criteria import AREAS, Criterion
from bot.i18n import Texts, UserError
from bot.sharing import FormProblems
from bot.teams._resolve_base import DOWNLOAD_SECONDS, Card, ResolverBase, Turn
from cards import (
    analysis_form_card,
    followup_form_card,
    message_card,
    plan_card,
    shared_item_card,
    shared_list_card,
)
from cards.actions import (
    ShareAnalysis,
    ShareFollowUp,
)

log = logging.getLogger(__name__)


class SharingCommands(ResolverBase):
    async def act_share(self, action: ShareAnalysis | ShareFollowUp, turn: Turn) -> list[Card]:
        texts = turn.texts
        try:
            if isinstance(action, ShareAnalysis):
                item: Any = await self._sharing.share_analysis(turn.person, action.values)
            else:
                item = await self._sharing.share_followup(
                    turn.person, action.values, ShareFollowUp.ROWS
                )
        except FormProblems as problems:  # the form again, with every problem marked
            form = analysis_form_card if isinstance(action, ShareAnalysis) else followup_form_card
            return [form(texts, action.values, problems.problems.fields, today=self._today)]
        await self._sharing.post(item)
        return [message_card(texts("share.shared")), shared_item_card(item, texts)]

    def _plan(self, criteria: list[Criterion], texts: Texts) -> Card:
        if not criteria:
            raise UserError("plan.pick")
        token = self._links.sign(
            {"kind": "plan", "keys": [c.key for c in criteria]}, DOWNLOAD_SECONDS
        )
        return plan_card(criteria, texts, f"{self._node.settings.public_url}/files/{token}")

    async def cmd_share_analysis(self, command: Command, turn: Turn) -> list[Card]:
        return [analysis_form_card(turn.texts, today=self._today)]

    async def cmd_share_followup(self, command: Command, turn: Turn) -> list[Card]:
        return [followup_form_card(turn.texts, today=self._today)]

    async def cmd_plan(self, command: Command, turn: Turn) -> list[Card]:
        ids = command.argument.replace(",", " ").split()
        return [self._plan([self._levels(i)[0] for i in ids], turn.texts)]

    async def cmd_sharing_channel(self, command: Command, turn: Turn) -> list[Card]:
        await self._sharing.set_sharing_channel(turn.conversation_id, by=turn.aad_id)
        return [message_card(turn.texts("share.channel_set"))]

    async def cmd_list_analyses(self, command: Command, turn: Turn) -> list[Card]:
        analyses = await self._sharing.analyses(area=area_in(command.argument))
        return [shared_list_card(turn.texts("list.analyses"), analyses, turn.texts)]

    async def cmd_list_followups(self, command: Command, turn: Turn) -> list[Card]:
        followups = await self._sharing.followups(area=area_in(command.argument))
        return [shared_list_card(turn.texts("list.followups"), followups, turn.texts)]


def area_in(text: str) -> str:
    """An area named in a list command ("marknadsanalyser fordon"), or "" for all."""
    words = text.lower()
    if not words:
        return ""
    for slug, name in AREAS.items():
        if words in slug or words in name.lower() or slug.split("-")[0] in words:
            return slug
    return ""
