"""Maps what a user typed or clicked to a use case, and the result to cards.

No botbuilder here: the handler gives a `Turn` (who, where, what) and sends back the cards.
This module dispatches and answers criteria questions; routing, sharing and the admin and
privacy commands live in their own parts (_resolve_*.py), mixed into `Resolver`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from bot import telemetry
from bot.app import Services
from bot.commands import COMMANDS, SMALL_TALK, Command, Spec, Who, closest_command, parse
from bot.criteria import Answer, Criterion
from bot.i18n import Texts, UserError, language_of_text, texts_for
from bot.messaging import Messenger
from bot.people import Profiles
from bot.ratelimits import PersonLimits
from bot.teams._actions import ACTION_ROUTES
from bot.teams._resolve_admin import AdminCommands
from bot.teams._resolve_agreements import AgreementCommands
from bot.teams._resolve_base import Card, Turn
from bot.teams._resolve_compose import ComposeCommands
from bot.teams._resolve_procurements import ProcurementCommands
from bot.teams._resolve_routing import RoutingCommands
from bot.teams._resolve_sharing import SharingCommands
from cards import (
    AnswerHit,
    Markdown,
    answer_card,
    compare_card,
    criterion_card,
    escape_markdown,
    help_card,
    levels_card,
    message_card,
    no_answer_card,
    small_talk_card,
    welcome_card,
)
from cards.actions import (
    AskExpert,
    CardAction,
    Compare,
    ConfirmErase,
    Feedback,
    MakePlan,
    MoreHits,
    ShowCriterion,
    ShowLevels,
    ShowTicket,
    parse_action,
)

log = logging.getLogger(__name__)

MAX_COMPARE = 3
_LANGUAGE_NAMES = {
    **dict.fromkeys(("svenska", "swedish", "sv", "svensk"), "sv"),
    **dict.fromkeys(("engelska", "english", "en", "engelsk"), "en"),
}
Handler = Callable[[Command, Turn], Awaitable[list[Card]]]
ActionHandler = Callable[[Any, Turn], Awaitable[list[Card]]]


# What a person is told when a command is not theirs to run.
_REFUSED = {
    Who.ADMIN: "admin.only",
    Who.OWNER: "digest.owner_only",
    Who.EXPERT: "ticket.not_expert",
}


def _suggested(where: str) -> tuple[Spec, ...]:
    """The welcome card's buttons: the main things anyone can start with here."""
    return tuple(s for s in COMMANDS if s.suggested and where in s.where and s.who is Who.ANYONE)


class Resolver(
    RoutingCommands,
    SharingCommands,
    AgreementCommands,
    ProcurementCommands,
    AdminCommands,
    ComposeCommands,
):
    def __init__(self, services: Services, messenger: Messenger) -> None:
        self._node = services.node
        self._criteria = services.node.criteria
        self._routing = services.routing
        self._sharing = services.sharing
        self._links = services.links
        self._digest = services.digest
        self._messenger = messenger
        self._graph = services.graph
        self._profiles = Profiles(services.node.store)
        self._privacy = services.privacy
        self._limits = PersonLimits()
        self._followups = services.followups
        self._procurements = services.procurements
        self._directory = services.directory
        self._outbox = services.outbox

    async def welcome(self, turn: Turn) -> list[Card]:
        # Demo (make run): the first channel the bot joins becomes the experts' channel, so
        # the whole expert flow can be tried alone in the Playground.
        if (
            self._node.demo
            and turn.conversation_type == "channel"
            and not await self._routing.experts_channel()
        ):
            await self._routing.set_experts_channel(turn.conversation_id)
        if turn.team_id:  # back in a team it was removed from: its subscriptions resume
            await self._digest.subscriptions.resume_team(turn.team_id)
        turn = await self.in_their_language(turn)
        return [welcome_card(turn.texts, _suggested(turn.conversation_type))]

    async def removed(self, turn: Turn) -> None:
        if turn.team_id:
            paused = await self._digest.subscriptions.pause_team(turn.team_id, "removed")
            log.info("bot removed from a team", extra={"paused_subscriptions": paused})

    async def on_text(self, turn: Turn) -> list[Card]:
        command = parse(turn.text)
        spoken = command.language or language_of_text(command.text)
        if spoken and command.name != "language":
            await self._profiles.set_language(turn.user_id, spoken)
        turn = await self.in_their_language(turn, spoken)
        return await self._guarded(turn, command.name, lambda: self._run(command, turn))

    async def cmd_language(self, command: Command, turn: Turn) -> list[Card]:
        wanted = _LANGUAGE_NAMES.get(command.argument.strip().lower())
        if wanted is None:
            raise UserError("language.unknown")
        await self._profiles.set_language(turn.user_id, wanted)
        return [message_card(texts_for(wanted)("language.set"))]

    async def on_action(self, turn: Turn) -> list[Card]:
        turn = await self.in_their_language(turn)
        value = turn.value or {}
        verb = str(value.get("verb", ""))[:40]

        async def run() -> list[Card]:
            return await self._act(parse_action(value), turn)

        return await self._guarded(turn, verb, run)

    async def on_execute(self, turn: Turn, value: dict[str, Any]) -> list[Card]:
        """An Action.Execute: the first card replaces the one clicked (for this person), any
        others follow as new messages."""
        turn = await self.in_their_language(turn)

        async def run() -> list[Card]:
            action = parse_action(value)
            route = ACTION_ROUTES[type(action)]
            if not (route.universal or route.in_place):
                raise UserError("error.bad_action")
            # The receipt of a question, say, comes as its own message: the form says so.
            return await self._act(action, turn) or [message_card(turn.texts(route.sent))]

        return await self._guarded(turn, str(value.get("verb", ""))[:40], run)

    def error_card(self, turn: Turn, key: str) -> Card:
        return message_card(turn.texts(key))

    async def _guarded(self, turn: Turn, what: str, run: Any) -> list[Card]:
        try:
            cards: list[Card] = await run()
        except UserError as error:
            log.info("user error %s", error.key, extra={"command": what})
            return [message_card(Markdown(error.message(turn.texts)))]
        return cards

    # --- typed commands -------------------------------------------------------------------

    async def _run(self, command: Command, turn: Turn) -> list[Card]:
        """Dispatch by lookup: the command's place and permission are checked here, once,
        from its declaration; then its handler runs."""
        await self._criteria.refresh_if_changed()
        spec = command.spec
        if command.name == SMALL_TALK:
            suggested = _suggested(turn.conversation_type)
            return [small_talk_card(turn.texts, command.argument, suggested)]
        if spec is None:
            if not command.text:
                return [await self._help(turn)]
            return await self._question(command, turn)
        if turn.conversation_type not in spec.where:
            raise UserError("command.channel_only", {"command": spec.spelling(turn.texts.language)})
        if not await self._may(spec.who, turn):
            raise UserError(_REFUSED[spec.who])
        handler: Handler = getattr(self, spec.handler)
        return await handler(command, turn)

    async def _may(self, who: Who, turn: Turn) -> bool:
        if who is Who.ANYONE:
            return True
        if who is Who.ADMIN:
            return self._is_admin(turn)
        if who is Who.OWNER:
            return await self._is_owner_or_admin(turn)
        return await self._routing.expert(turn.person) is not None

    async def _help(self, turn: Turn) -> Card:
        """What this person can do here, grouped by job."""
        allowed = [spec for spec in COMMANDS if turn.conversation_type in spec.where]
        permitted = {who: await self._may(who, turn) for who in {s.who for s in allowed}}
        return help_card(turn.texts, tuple(spec for spec in allowed if permitted[spec.who]))

    async def cmd_help(self, command: Command, turn: Turn) -> list[Card]:
        return [await self._help(turn)]

    async def cmd_criterion(self, command: Command, turn: Turn) -> list[Card]:
        return await self._show_criterion(command.argument, turn.texts)

    async def cmd_levels(self, command: Command, turn: Turn) -> list[Card]:
        return [levels_card(self._levels(command.argument), turn.texts)]

    async def cmd_compare(self, command: Command, turn: Turn) -> list[Card]:
        return self._compare_ids(command.argument.replace(",", " ").split(), turn.texts)

    async def _question(self, command: Command, turn: Turn) -> list[Card]:
        answer = self._criteria.answer(command.text)
        telemetry.count("questions", confidence=answer.confidence, area=answer.area)
        if answer.confidence == "none":
            guess = closest_command(command.text.split(" ")[0])
            if guess and " " not in command.text:
                return self._not_understood(command, guess, turn)
            return [no_answer_card(command.text, turn.texts, answer.area)]
        return [await self._answer_card(answer, turn.texts)]

    async def act_more_hits(self, action: MoreHits, turn: Turn) -> list[Card]:
        """The next page of an answer, in place of the card that asked for it."""
        answer = self._criteria.answer(action.question, page=action.page)
        if not answer.hits:
            return [no_answer_card(action.question, turn.texts, answer.area)]
        return [await self._answer_card(answer, turn.texts, action.page)]

    async def _answer_card(self, answer: Answer, texts: Texts, page: int = 0) -> Card:
        hits: list[AnswerHit] = []
        for hit in answer.hits:
            entry = await self._entry(hit.document.kind, hit.document.id)
            if entry is not None:
                hits.append(AnswerHit(entry, hit.other_levels))
        followed = await self._followed_up([h.entry for h in hits], texts)
        hits = [
            replace(h, followed_up=followed[h.entry.krav_id])
            if isinstance(h.entry, Criterion)
            else h
            for h in hits
        ]
        filters = ", ".join(
            texts(key)
            for key in (
                f"level.{answer.level}" if answer.level else "",
                f"type.{answer.type}" if answer.type else "",
            )
            if key
        )
        return answer_card(
            answer.question,
            hits,
            texts,
            area=answer.area,
            filters=filters,
            weak=answer.confidence == "weak",
            page=page,
            more=answer.more and page + 1 < MoreHits.PAGES,
        )

    def _not_understood(self, command: Command, guess: str, turn: Turn) -> list[Card]:
        # The user's words sit inside the node's own (markdown) sentence, so escape them first.
        text = turn.texts("unknown.text", text=escape_markdown(command.text[:80]))
        text += " " + turn.texts("unknown.suggest", command=guess)
        return [message_card(Markdown(text))]

    async def _show_criterion(self, krav_id: str, texts: Texts) -> list[Card]:
        levels = self._levels(krav_id)
        if len(levels) == 1:
            return [await self._criterion_card(levels[0], texts)]
        return [levels_card(levels, texts)]

    async def _criterion_card(self, criterion: Criterion, texts: Texts) -> Card:
        followed = await self._followed_up([criterion], texts)
        return criterion_card(criterion, texts, followed_up=followed[criterion.krav_id] or None)

    # --- shared work ----------------------------------------------------------------------

    def _compare_ids(self, ids: list[str], texts: Texts) -> list[Card]:
        if len(ids) == 1:  # one criterion: compare its levels
            return self._compare(self._levels(ids[0]), texts)
        return self._compare([self._levels(i)[0] for i in ids], texts)

    def _compare(self, criteria: list[Criterion], texts: Texts) -> list[Card]:
        if not 2 <= len(criteria) <= MAX_COMPARE:
            raise UserError("compare.too_many")
        return [compare_card(criteria, texts)]

    # --- card actions ---------------------------------------------------------------------

    async def _act(self, action: CardAction, turn: Turn) -> list[Card]:
        """Dispatch a card action by its type; its limit and permission come from its route."""
        route = ACTION_ROUTES[type(action)]
        if route.universal:
            # Also reached by a Universal Action sent as a plain submit (an old client).
            return [await self._universal(action, turn)]
        if not await self._may(route.who, turn):
            raise UserError(_REFUSED[route.who])
        if route.limit:
            await self._within_limit(turn, route.limit)
        handler: ActionHandler = getattr(self, route.handler)
        return await handler(action, turn)

    async def act_show_criterion(self, action: ShowCriterion, turn: Turn) -> list[Card]:
        criterion = self._criteria.criterion(action.key)
        if criterion is None:
            raise UserError("criterion.not_found", {"id": action.key.split("/")[0]})
        return [await self._criterion_card(criterion, turn.texts)]

    async def act_show_levels(self, action: ShowLevels, turn: Turn) -> list[Card]:
        return [levels_card(self._levels(action.krav_id), turn.texts)]

    async def act_compare(self, action: Compare, turn: Turn) -> list[Card]:
        found = [self._criteria.criterion(key) for key in action.keys]
        return self._compare([c for c in found if c is not None], turn.texts)

    async def act_make_plan(self, action: MakePlan, turn: Turn) -> list[Card]:
        found = [self._criteria.criterion(key) for key in action.keys]
        return [self._plan([c for c in found if c is not None], turn.texts)]

    async def act_feedback(self, action: Feedback, turn: Turn) -> list[Card]:
        await self._criteria.record_feedback(
            action.question, action.helpful, list(action.ids), person=turn.aad_id or turn.user_id
        )
        return [message_card(turn.texts("feedback.thanks"))]

    async def act_ask_expert(self, action: AskExpert, turn: Turn) -> list[Card]:
        return [await self._ask_form(turn, action.question, action.area)]

    async def act_confirm_erase(self, action: ConfirmErase, turn: Turn) -> list[Card]:
        erased = await self._privacy.erase(turn.user_id, turn.aad_id)
        text = turn.texts("privacy.erased", count=erased.questions, shared=erased.shared)
        return [message_card(text)]

    async def act_show_ticket(self, action: ShowTicket, turn: Turn) -> list[Card]:
        ticket = await self._routing.visible(action.number, turn.person, self._is_admin(turn))
        return [await self._ticket_view(ticket, turn)]
