"""Agreements and follow-ups in Teams: the "nytt avtal" form, the lists, and the follow-up
card's actions (result, postpone, hand over, expert support, joint follow-up)."""

from __future__ import annotations

import logging

from bot.agreements import DueItem, FormProblems
from bot.commands import Command
from bot.i18n import UserError
from bot.people import canonical
from bot.teams._resolve_base import Card, ResolverBase, Turn
from cards import (
    agreement_card,
    agreement_form_card,
    agreement_list_card,
    due_list_card,
    followup_card,
    message_card,
)
from cards.actions import (
    AgreementForm,
    CreateAgreement,
    ExpertSupport,
    FollowUpAction,
    HandOver,
    PostponeFollowUp,
    RecordResult,
    ReleaseJoint,
    ShowFollowUp,
    TakeJoint,
)

log = logging.getLogger(__name__)


class AgreementCommands(ResolverBase):
    async def cmd_new_agreement(self, command: Command, turn: Turn) -> list[Card]:
        return [await self._agreement_form(turn)]

    async def _agreement_form(self, turn: Turn, criteria: str = "") -> Card:
        who = await self._who(turn)
        responsible = who[0] if "@" in who[0] else ""
        municipality = await self._municipality(turn)
        values = {"responsible": responsible, "municipality": municipality,
                  "criteria": criteria, "interval": "ar"}  # fmt: skip
        return agreement_form_card(turn.texts, values)

    async def act_agreement_form(self, action: AgreementForm, turn: Turn) -> list[Card]:
        chosen = [self._criteria.criterion(key) for key in action.keys]
        criteria = ", ".join(f"{c.krav_id} {c.level.value}" for c in chosen if c is not None)
        return [await self._agreement_form(turn, criteria)]

    async def act_create_agreement(self, action: CreateAgreement, turn: Turn) -> list[Card]:
        texts = turn.texts
        try:
            agreement = await self._followups.register(action.values, turn.user_id)
        except FormProblems as problems:  # the form again, every problem marked, text kept
            return [agreement_form_card(texts, action.values, problems.problems.fields)]
        plan = await self._procurements.get(action.values.get("procurement", ""))
        if plan is not None:
            await self._procurements.became_agreement(plan, agreement.key)
        followups = await self._followups.repository.followups(agreement.key)
        first = min((f.due for f in followups if not f.finished), default=None)
        notice = texts("agreement.created", first=first.isoformat() if first else "–")
        return [agreement_card(agreement, texts, notice)]

    async def cmd_my_agreements(self, command: Command, turn: Turn) -> list[Card]:
        agreements = await self._followups.mine(await self._who(turn))
        return [agreement_list_card(turn.texts("list.my_agreements"), agreements, turn.texts)]

    async def cmd_my_followups(self, command: Command, turn: Turn) -> list[Card]:
        items = await self._followups.my_due(await self._who(turn))
        title = turn.texts("list.my_followups")
        return [due_list_card(title, items, turn.texts, self._followups.today())]

    async def cmd_followups_due(self, command: Command, turn: Turn) -> list[Card]:
        municipality = canonical(command.argument) or await self._municipality(turn)
        if not municipality:
            raise UserError("profile.unknown", {"name": command.argument[:40] or "?"})
        items = await self._followups.due(municipality=municipality)
        title = turn.texts("list.followups_due", municipality=municipality)
        return [due_list_card(title, items, turn.texts, self._followups.today())]

    # --- the follow-up card's actions -----------------------------------------------------

    async def _followup(self, action: FollowUpAction, turn: Turn) -> tuple[DueItem, bool]:
        """The follow-up, if this person may see it: those who may act on it, and people of
        the agreement's municipality while it is not shared (others see shared results)."""
        item = await self._followups.item(action.agreement, action.base)
        admin = self._is_admin(turn)
        if not await self._followups.may_act(item, await self._who(turn), admin):
            mine = item.agreement.municipality == await self._municipality(turn)
            if not (item.agreement.shared or mine):
                raise UserError("followup.not_found")
        return item, admin

    async def _card(self, item: DueItem, turn: Turn, notice: str = "") -> Card:
        criterion, others = await self._followups.about(item)
        return followup_card(item, turn.texts, criterion, others, viewer=turn.user_id,
                             notice=notice, today=self._node.clock.today())  # fmt: skip

    async def act_show_followup(self, action: ShowFollowUp, turn: Turn) -> list[Card]:
        item, _ = await self._followup(action, turn)
        return [await self._card(item, turn)]

    async def act_record_result(self, action: RecordResult, turn: Turn) -> list[Card]:
        item, admin = await self._followup(action, turn)
        texts = turn.texts
        try:
            results = await self._followups.record_result(
                item, action.values, turn.person, await self._who(turn), admin
            )
        except FormProblems as problems:
            lines = "\n".join(f"- {texts(key)}" for key in problems.problems.fields.values())
            card = await self._card(item, turn, f"{texts('followup.error.form')}\n{lines}")
            return [card]
        following = await self._followups.repository.followup(
            item.agreement.key, item.followup.base
        )
        next_due = (texts("followup.finished") if following is None or following.finished
                    else following.due.isoformat())  # fmt: skip
        return [message_card(texts("followup.recorded", count=len(results), next=next_due))]

    async def act_postpone(self, action: PostponeFollowUp, turn: Turn) -> list[Card]:
        item, admin = await self._followup(action, turn)
        texts = turn.texts
        try:
            moved = await self._followups.postpone(
                item, action.values.get("new_date", ""), action.values.get("reason", ""),
                turn.person, await self._who(turn), admin,
            )  # fmt: skip
        except FormProblems as problems:
            lines = "\n".join(f"- {texts(key)}" for key in problems.problems.fields.values())
            return [await self._card(item, turn, f"{texts('followup.error.form')}\n{lines}")]
        return [message_card(texts("followup.postponed", date=moved.due.isoformat()))]

    async def act_hand_over(self, action: HandOver, turn: Turn) -> list[Card]:
        item, admin = await self._followup(action, turn)
        texts = turn.texts
        try:
            agreement = await self._followups.hand_over(
                item, action.values.get("to", ""), turn.person, await self._who(turn), admin
            )
        except FormProblems:
            return [await self._card(item, turn, texts("agreement.error.responsible"))]
        return [message_card(texts("followup.handed", to=agreement.responsible))]

    async def act_expert_support(self, action: ExpertSupport, turn: Turn) -> list[Card]:
        item, _ = await self._followup(action, turn)
        question = action.values.get("question", "").strip() or turn.texts("followup.expert")
        await self._within_limit(turn, "ticket")
        number = await self._followups.expert_help(item, turn.person, question)
        return [message_card(turn.texts("followup.expert_sent", number=number))]

    async def act_take_joint(self, action: TakeJoint, turn: Turn) -> list[Card]:
        item, _ = await self._followup(action, turn)
        municipality = await self._municipality(turn) or item.agreement.municipality
        notice = await self._followups.take_joint(item, turn.person, municipality)
        item, _ = await self._followup(action, turn)
        return [await self._card(item, turn, notice.message(turn.texts))]

    async def act_release_joint(self, action: ReleaseJoint, turn: Turn) -> list[Card]:
        item, _ = await self._followup(action, turn)
        notice = await self._followups.release_joint(item, turn.person)
        item, _ = await self._followup(action, turn)
        return [await self._card(item, turn, notice.message(turn.texts))]
