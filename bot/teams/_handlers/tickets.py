"""Expert routing: the ask form, the ticket card's Universal Actions (claim, release,
reassign, answer, refresh), the lists, who is on call and the experts' channel."""

from __future__ import annotations

from bot.clock import Clock
from bot.commands import (
    EVERYWHERE,
    GROUP_CHAT,
    IN_CHANNELS,
    ONE_TO_ONE,
    Command,
    Group,
    Spec,
    T,
    Who,
)
from bot.forms import Context
from bot.routing import Outcome, RoutingService, Ticket
from bot.routing.forms import ASK
from bot.teams._access import TICKET
from bot.teams._routes import Handler, Mode, action, action_on, command
from bot.teams._turn import Card, Turn
from cards import (
    TONE_COLORS,
    ask_form_card,
    message_card,
    on_call_card,
    ticket_card,
    ticket_list_card,
)
from cards.actions import (
    AnswerTicket,
    AskExpert,
    ClaimTicket,
    CreateTicket,
    ReassignTicket,
    RefreshTicket,
    ReleaseTicket,
    ShowTicket,
)


class TicketHandler(Handler):
    def __init__(self, routing: RoutingService, clock: Clock) -> None:
        self._routing = routing
        self._clock = clock

    # --- asking ---------------------------------------------------------------------------

    @command(Spec("ask_expert", ("fråga expert", "fråga expertis"), ("ask expert", "ask an expert"),
                  Group.EXPERT, argument=T, menu=EVERYWHERE, suggested=True))  # fmt: skip
    async def ask_expert(self, command: Command, turn: Turn) -> list[Card]:
        return [await self._ask_form(turn, command.argument)]

    @action(AskExpert)
    async def ask_from_answer(self, action: AskExpert, turn: Turn) -> list[Card]:
        return [await self._ask_form(turn, action.question, action.area)]

    async def _ask_form(self, turn: Turn, question: str = "", area: str = "") -> Card:
        values = {"question": question, "area": area,
                  "municipality": await turn.party.municipality()}  # fmt: skip
        return ask_form_card(turn.texts, self._clock.today(), values)

    @action(CreateTicket, limit="ticket", mode=Mode.IN_PLACE, done="ask.sent")
    async def create(self, action: CreateTicket, turn: Turn) -> list[Card]:
        """The receipt is not this turn's reply: routing sends it (once, also when this turn
        is retried after a crash); the form says it is sent."""
        values = ASK.clean(action.values)
        problems = ASK.check(values, Context(self._clock.today()))
        if problems:  # the form again, in place, with what was written and each problem
            return [ask_form_card(turn.texts, self._clock.today(), values, problems.fields)]
        await self._routing.ask(
            turn.person, values["question"], values["area"], values["municipality"],
            values.get("consent") == "true", origin=turn.origin, asked_in=turn.conversation_id,
        )  # fmt: skip
        return []

    # --- one ticket -----------------------------------------------------------------------

    @action_on(ShowTicket, TICKET)
    async def show(self, action: ShowTicket, turn: Turn, ticket: Ticket) -> list[Card]:
        return [await self._view(Outcome(ticket), turn)]

    @action_on(RefreshTicket, TICKET, mode=Mode.IN_PLACE)
    async def refresh(self, action: RefreshTicket, turn: Turn, ticket: Ticket) -> list[Card]:
        return [await self._view(Outcome(ticket), turn)]

    @action_on(ClaimTicket, TICKET, mode=Mode.IN_PLACE)
    async def claim(self, action: ClaimTicket, turn: Turn, ticket: Ticket) -> list[Card]:
        return [await self._view(await self._routing.claim(ticket.number, turn.person), turn)]

    @action_on(ReleaseTicket, TICKET, mode=Mode.IN_PLACE)
    async def release(self, action: ReleaseTicket, turn: Turn, ticket: Ticket) -> list[Card]:
        return [await self._view(await self._routing.release(ticket.number, turn.person), turn)]

    @action_on(ReassignTicket, TICKET, mode=Mode.IN_PLACE)
    async def reassign(self, action: ReassignTicket, turn: Turn, ticket: Ticket) -> list[Card]:
        outcome = await self._routing.reassign(ticket.number, turn.person, action.expert)
        return [await self._view(outcome, turn)]

    @action_on(AnswerTicket, TICKET, mode=Mode.IN_PLACE)
    async def answer(self, action: AnswerTicket, turn: Turn, ticket: Ticket) -> list[Card]:
        outcome = await self._routing.answer(
            ticket.number, turn.person, action.answer, action.publish
        )
        return [await self._view(outcome, turn)]

    async def _view(self, outcome: Outcome, turn: Turn) -> Card:
        """The ticket as this person should see it, with what their action did."""
        network = await self._routing.network()
        notice, ticket = outcome.notice, outcome.ticket
        return ticket_card(
            ticket, self._routing.role(ticket, turn.person, network), turn.texts,
            self._clock.zone, expert_of=network.experts.get,
            area_experts=self._routing.area_experts(ticket, network),
            notice=notice.message(turn.texts) if notice else None,
            notice_color=TONE_COLORS[notice.tone] if notice else "Good", draft=outcome.draft,
        )  # fmt: skip

    # --- lists ----------------------------------------------------------------------------

    @command(Spec("my_questions", ("mina frågor",), ("my questions",), Group.EXPERT,
                  menu=ONE_TO_ONE))  # fmt: skip
    async def my_questions(self, command: Command, turn: Turn) -> list[Card]:
        return await self._list(turn, "list.mine", await self._routing.asked_by(turn.person))

    @command(Spec("on_call", ("jour", "nätverk"), ("on-call", "on call"), Group.EXPERT,
                  menu=IN_CHANNELS | {GROUP_CHAT}))  # fmt: skip
    async def on_call(self, command: Command, turn: Turn) -> list[Card]:
        network = await self._routing.network()
        return [on_call_card(network, self._clock.now(), self._clock.zone, turn.texts)]

    @command(Spec("open_tickets", ("öppna frågor",), ("open questions",), Group.EXPERT,
                  Who.EXPERT, menu=ONE_TO_ONE))  # fmt: skip
    async def open_tickets(self, command: Command, turn: Turn) -> list[Card]:
        return await self._list(turn, "list.open", await self._routing.open_for(turn.person))

    @command(Spec("my_tickets", ("mina ärenden",), ("my tickets",), Group.EXPERT, Who.EXPERT))
    async def my_tickets(self, command: Command, turn: Turn) -> list[Card]:
        held = await self._routing.assigned_to(turn.person)
        return await self._list(turn, "list.assigned", held)

    async def _list(self, turn: Turn, title: str, tickets: list[Ticket]) -> list[Card]:
        network = await self._routing.network()
        return [ticket_list_card(turn.texts(title), tickets, turn.texts, self._clock.zone,
                                 network.experts.get)]  # fmt: skip

    @command(Spec("experts_channel", ("expertkanal",), ("experts channel",), Group.ADMIN,
                  Who.ADMIN, IN_CHANNELS, menu=IN_CHANNELS))  # fmt: skip
    async def experts_channel(self, command: Command, turn: Turn) -> list[Card]:
        await self._routing.set_experts_channel(turn.conversation_id, by=turn.aad_id)
        return [message_card(turn.texts("admin.experts_channel_set"))]
