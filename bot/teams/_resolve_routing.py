"""Expert routing in Teams: the ask form, tickets' Universal Actions, routing commands."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.commands import Command
from bot.criteria import AREAS
from bot.i18n import Texts, UserError
from bot.routing import Outcome, Ticket
from bot.teams._actions import ACTION_ROUTES
from bot.teams._resolve_base import Card, ResolverBase, Turn
from cards import (
    TONE_COLORS,
    Markdown,
    ask_form_card,
    message_card,
    render,
    ticket_card,
    ticket_list_card,
)
from cards.actions import (
    AnswerTicket,
    CardAction,
    ClaimTicket,
    CreateTicket,
    ReassignTicket,
    RefreshTicket,
    ReleaseTicket,
)

log = logging.getLogger(__name__)

# Which input of the ask form an error is about.
_ASK_FIELDS = {
    "ask.error.question": "question",
    "ask.error.area": "area",
    "ask.error.municipality": "municipality",
}


class RoutingCommands(ResolverBase):
    async def _ask_form(self, turn: Turn, question: str = "", area: str = "") -> Card:
        municipality = await self._municipality(turn)
        return ask_form_card(turn.texts, question=question, area=area, municipality=municipality)

    async def act_create_ticket(self, action: CreateTicket, turn: Turn) -> list[Card]:
        """The receipt is not this turn's reply: routing sends it as a delivery step (once,
        also when this turn is retried after a crash)."""
        try:
            await self._within_limit(turn, "ticket")
            await self._routing.ask(
                turn.person, action.question, action.area, action.municipality, action.consent,
                origin=f"{turn.conversation_id}|{turn.activity_id}" if turn.activity_id else "",
                asked_in=turn.conversation_id,
            )  # fmt: skip
        except UserError as error:  # the form again, in place, with what the user wrote
            return [
                ask_form_card(
                    turn.texts,
                    question=action.question,
                    area=action.area,
                    municipality=action.municipality,
                    consent=action.consent,
                    error=error.message(turn.texts),
                    field=_ASK_FIELDS.get(error.key, ""),
                )
            ]
        return []

    async def _universal(self, action: CardAction, turn: Turn) -> Card:
        """A ticket card's Action.Execute: the answer is that viewer's updated card."""
        handler: Callable[[Any, Turn], Awaitable[Outcome]] = getattr(
            self, ACTION_ROUTES[type(action)].handler
        )
        try:
            outcome = await handler(action, turn)
        except UserError as error:
            log.info("user error %s", error.key, extra={"command": action.VERB})
            return message_card(Markdown(error.message(turn.texts)))
        return await self._ticket_view(outcome.ticket, turn, outcome)

    async def exec_claim(self, action: ClaimTicket, turn: Turn) -> Outcome:
        return await self._routing.claim(action.number, turn.person)

    async def exec_release(self, action: ReleaseTicket, turn: Turn) -> Outcome:
        return await self._routing.release(action.number, turn.person)

    async def exec_reassign(self, action: ReassignTicket, turn: Turn) -> Outcome:
        return await self._routing.reassign(action.number, turn.person, action.expert)

    async def exec_answer(self, action: AnswerTicket, turn: Turn) -> Outcome:
        return await self._routing.answer(action.number, turn.person, action.answer, action.publish)

    async def exec_refresh(self, action: RefreshTicket, turn: Turn) -> Outcome:
        admin = self._is_admin(turn)
        return Outcome(await self._routing.visible(action.number, turn.person, admin))

    async def _ticket_view(
        self, ticket: Ticket, turn: Turn, outcome: Outcome | None = None
    ) -> Card:
        """The ticket as this person should see it, with what their action did."""
        network = await self._routing.network()
        notice = outcome.notice if outcome else None
        return ticket_card(
            ticket, self._routing.role(ticket, turn.person, network), turn.texts,
            self._node.settings.zone, expert_of=network.experts.get,
            area_experts=self._routing.area_experts(ticket, network),
            notice=notice.message(turn.texts) if notice else None,
            notice_color=TONE_COLORS[notice.tone] if notice else "Good",
            draft=outcome.draft if outcome else "",
        )  # fmt: skip

    async def cmd_ask_expert(self, command: Command, turn: Turn) -> list[Card]:
        return [await self._ask_form(turn, command.argument)]

    async def cmd_on_call(self, command: Command, turn: Turn) -> list[Card]:
        return [await self._on_call_card(turn.texts)]

    async def cmd_experts_channel(self, command: Command, turn: Turn) -> list[Card]:
        await self._routing.set_experts_channel(turn.conversation_id, by=turn.aad_id)
        return [message_card(turn.texts("admin.experts_channel_set"))]

    async def cmd_my_questions(self, command: Command, turn: Turn) -> list[Card]:
        tickets = await self._routing.asked_by(turn.person)
        return await self._ticket_list(turn, turn.texts("list.mine"), tickets)

    async def cmd_open_tickets(self, command: Command, turn: Turn) -> list[Card]:
        tickets = await self._routing.open_for(turn.person)
        return await self._ticket_list(turn, turn.texts("list.open"), tickets)

    async def cmd_my_tickets(self, command: Command, turn: Turn) -> list[Card]:
        tickets = await self._routing.assigned_to(turn.person)
        return await self._ticket_list(turn, turn.texts("list.assigned"), tickets)

    async def _ticket_list(self, turn: Turn, title: str, tickets: list[Ticket]) -> list[Card]:
        network = await self._routing.network()
        zone = self._node.settings.zone
        return [ticket_list_card(title, tickets[:20], turn.texts, zone, network.experts.get)]

    async def _on_call_card(self, texts: Texts) -> Card:
        network = await self._routing.network()
        if not network.experts:
            return message_card(texts("network.empty"))
        zone = self._node.settings.zone
        now = self._node.clock.now()
        lines = []
        for slug, name in AREAS.items():
            experts = network.on_call(slug, now, zone)
            who = (
                f"{experts[0].name} ({experts[0].municipality})"
                if experts
                else texts("network.none")
            )
            lines.append({"title": name, "text": who})
        return render("criterion", {"name": texts("network.title"), "facts": [], "sections": lines})
