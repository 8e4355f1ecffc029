"""Agreements and follow-ups: the "nytt avtal" form, the lists (rows open what they name),
and the follow-up card's actions: a result, postponing, handing over, expert support, the
joint follow-up. Who may is declared with each action (bot/teams/_access.py)."""

from __future__ import annotations

from bot.agreements import Agreement, DueItem, FollowUpService
from bot.commands import ONE_TO_ONE, Command, Group, Spec, T, Who
from bot.criteria import CriteriaLibrary
from bot.forms import FormProblems
from bot.i18n import UserError
from bot.people import canonical
from bot.procurements import ProcurementService
from bot.teams._access import (
    AGREEMENT_VIEW,
    FOLLOWUP_ACT,
    FOLLOWUP_VIEW,
    JOINT,
    REGISTER_AGREEMENT,
    Registering,
)
from bot.teams._routes import Handler, Mode, action, action_on, command
from bot.teams._turn import Card, Turn
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
    HandOver,
    PostponeFollowUp,
    RecordResult,
    ReleaseJoint,
    ShowAgreement,
    ShowFollowUp,
    TakeJoint,
)


class AgreementHandler(Handler):
    def __init__(
        self,
        followups: FollowUpService,
        procurements: ProcurementService,
        library: CriteriaLibrary,
    ) -> None:
        self._followups = followups
        self._procurements = procurements
        self._library = library

    # --- registering ----------------------------------------------------------------------

    @command(Spec("new_agreement", ("nytt avtal", "registrera avtal"), ("new agreement",),
                  Group.SHARING, menu=ONE_TO_ONE, suggested=True))  # fmt: skip
    async def new_agreement(self, command: Command, turn: Turn) -> list[Card]:
        return [await self._form(turn)]

    @action(AgreementForm)
    async def form_with_criteria(self, action: AgreementForm, turn: Turn) -> list[Card]:
        chosen = [self._library.criterion(key) for key in action.keys]
        criteria = ", ".join(f"{c.krav_id} {c.level.value}" for c in chosen if c is not None)
        return [await self._form(turn, criteria)]

    async def _form(self, turn: Turn, criteria: str = "") -> Card:
        party = turn.party
        values = {"responsible": await party.address_or_empty(),
                  "municipality": await party.municipality(), "criteria": criteria,
                  "interval": "ar"}  # fmt: skip
        return agreement_form_card(turn.texts, self._followups.today(), values)

    @action_on(CreateAgreement, REGISTER_AGREEMENT, mode=Mode.IN_PLACE)
    async def create(
        self, action: CreateAgreement, turn: Turn, registering: Registering
    ) -> list[Card]:
        """A new agreement, or (with the key of one the person acts for) its new version;
        a plan it comes from becomes this agreement."""
        texts = turn.texts
        try:
            agreement = await self._followups.register(
                action.values, turn.user_id, responsible_name=turn.user_name
                if action.values.get("responsible", "").lower() in await turn.party.names()
                else "",
            )  # fmt: skip
        except FormProblems as problems:  # the form again, every problem marked, text kept
            return [
                agreement_form_card(
                    texts,
                    self._followups.today(),
                    action.values,
                    problems.problems,
                    action.procurement,
                )
            ]
        if registering.plan is not None:
            await self._procurements.became_agreement(registering.plan, agreement.key)
        followups = await self._followups.followups_of(agreement.key)
        first = min((f.due for f in followups if not f.finished), default=None)
        notice = texts("agreement.created", first=first.isoformat() if first else "–")
        return [agreement_card(agreement, texts, notice, followups)]

    # --- lists ----------------------------------------------------------------------------

    @command(Spec("my_agreements", ("mina avtal",), ("my agreements",), Group.SHARING))
    async def my_agreements(self, command: Command, turn: Turn) -> list[Card]:
        agreements = await self._followups.mine(await turn.party.names())
        return [agreement_list_card(turn.texts("list.my_agreements"), agreements, turn.texts)]

    @action_on(ShowAgreement, AGREEMENT_VIEW)
    async def show_agreement(
        self, action: ShowAgreement, turn: Turn, agreement: Agreement
    ) -> list[Card]:
        followups = await self._followups.followups_of(agreement.key)
        return [agreement_card(agreement, turn.texts, followups=followups)]

    @command(Spec("my_followups", ("mina uppföljningar",), ("my follow-ups",), Group.SHARING,
                  menu=ONE_TO_ONE))  # fmt: skip
    async def my_followups(self, command: Command, turn: Turn) -> list[Card]:
        items = await self._followups.my_due(await turn.party.names())
        return [due_list_card(turn.texts("list.my_followups"), items, turn.texts)]

    @command(Spec("followups_due", ("uppföljningar",), ("follow-ups due",), Group.ADMIN,
                  Who.ADMIN, argument=T))  # fmt: skip
    async def followups_due(self, command: Command, turn: Turn) -> list[Card]:
        municipality = canonical(command.argument) or await turn.party.municipality()
        if not municipality:
            raise UserError("profile.unknown", {"name": command.argument[:40] or "?"})
        items = await self._followups.due(municipality=municipality)
        title = turn.texts("list.followups_due", municipality=municipality)
        return [due_list_card(title, items, turn.texts)]

    # --- the follow-up card ---------------------------------------------------------------

    async def _card(self, item: DueItem, turn: Turn, notice: str = "") -> Card:
        criterion, others = await self._followups.about(item)
        return followup_card(item, turn.texts, criterion, others, viewer=turn.user_id,
                             notice=notice, today=self._followups.today())  # fmt: skip

    async def _again(self, item: DueItem, turn: Turn, problems: FormProblems) -> list[Card]:
        """The follow-up card again, each problem of the form that was sent listed on it."""
        texts = turn.texts
        lines = "\n".join(f"- {texts(key)}" for key in problems.problems.fields.values())
        return [await self._card(item, turn, f"{texts('followup.error.form')}\n{lines}")]

    @action_on(ShowFollowUp, FOLLOWUP_VIEW)
    async def show_followup(self, action: ShowFollowUp, turn: Turn, item: DueItem) -> list[Card]:
        return [await self._card(item, turn)]

    @action_on(RecordResult, FOLLOWUP_ACT, limit="share", mode=Mode.IN_PLACE)
    async def record_result(self, action: RecordResult, turn: Turn, item: DueItem) -> list[Card]:
        texts = turn.texts
        try:
            results = await self._followups.record_result(
                item, action.values, turn.person, await turn.party.names()
            )
        except FormProblems as problems:
            return await self._again(item, turn, problems)
        following = await self._followups.followup(item.agreement.key, item.followup.base)
        next_due = (texts("followup.finished") if following is None or following.finished
                    else following.due.isoformat())  # fmt: skip
        return [message_card(texts("followup.recorded", count=len(results), next=next_due))]

    @action_on(PostponeFollowUp, FOLLOWUP_ACT, mode=Mode.IN_PLACE)
    async def postpone(self, action: PostponeFollowUp, turn: Turn, item: DueItem) -> list[Card]:
        try:
            moved = await self._followups.postpone(item, action.values, turn.person)
        except FormProblems as problems:
            return await self._again(item, turn, problems)
        return [message_card(turn.texts("followup.postponed", date=moved.due.isoformat()))]

    @action_on(HandOver, FOLLOWUP_ACT, mode=Mode.IN_PLACE)
    async def hand_over(self, action: HandOver, turn: Turn, item: DueItem) -> list[Card]:
        try:
            agreement = await self._followups.hand_over(item, action.values, turn.person)
        except FormProblems as problems:
            return await self._again(item, turn, problems)
        return [message_card(turn.texts("followup.handed", to=agreement.responsible))]

    @action_on(ExpertSupport, FOLLOWUP_ACT, limit="ticket", mode=Mode.IN_PLACE)
    async def expert_support(self, action: ExpertSupport, turn: Turn, item: DueItem) -> list[Card]:
        try:
            number = await self._followups.expert_help(item, turn.person, action.values)
        except FormProblems as problems:
            return await self._again(item, turn, problems)
        return [message_card(turn.texts("followup.expert_sent", number=number))]

    @action_on(TakeJoint, JOINT, mode=Mode.IN_PLACE)
    async def take_joint(self, action: TakeJoint, turn: Turn, item: DueItem) -> list[Card]:
        notice = await self._followups.take_joint(item, turn.person)
        item = await self._followups.item(item.agreement.key, item.followup.base)
        return [await self._card(item, turn, notice.message(turn.texts))]

    @action_on(ReleaseJoint, FOLLOWUP_ACT, mode=Mode.IN_PLACE)
    async def release_joint(self, action: ReleaseJoint, turn: Turn, item: DueItem) -> list[Card]:
        notice = await self._followups.release_joint(item, turn.person)
        item = await self._followups.item(item.agreement.key, item.followup.base)
        return [await self._card(item, turn, notice.message(turn.texts))]
