"""What the node says of itself: the welcome card, help (what this person may do here) and a
friendly answer to small talk."""

from __future__ import annotations

from bot.commands import EVERYWHERE, Command, CommandBook, Group, Spec, Who
from bot.routing import RoutingService
from bot.teams._access import plays
from bot.teams._routes import Handler, command
from bot.teams._turn import Card, Turn
from cards import help_card, small_talk_card, welcome_card


class GuideHandler(Handler):
    def __init__(self, book: CommandBook, routing: RoutingService, demo: bool) -> None:
        self._book = book  # the commands of every handler, this one's included
        self._routing = routing
        self._demo = demo

    def _suggested(self, where: str) -> tuple[Spec, ...]:
        """The welcome card's buttons: the main things anyone can start with here."""
        return tuple(s for s in self._book
                     if s.suggested and where in s.where and s.who is Who.ANYONE)  # fmt: skip

    async def welcome(self, turn: Turn) -> list[Card]:
        # Demo (make run): the first channel the bot joins becomes the experts' channel, so
        # the whole expert flow can be tried alone in the Playground.
        if (self._demo and turn.conversation_type == "channel"
                and not await self._routing.experts_channel()):  # fmt: skip
            await self._routing.set_experts_channel(turn.conversation_id)
        return [welcome_card(turn.texts, self._suggested(turn.conversation_type))]

    def small_talk(self, kind: str, turn: Turn) -> list[Card]:
        return [small_talk_card(turn.texts, kind, self._suggested(turn.conversation_type))]

    @command(Spec("help", ("hjälp", "hjalp", "kommandon", "?"), ("help", "commands"),
                  Group.CRITERIA, menu=EVERYWHERE, suggested=True))  # fmt: skip
    async def help(self, command: Command, turn: Turn) -> list[Card]:
        """What this person can do here, grouped by job."""
        here = [spec for spec in self._book if turn.conversation_type in spec.where]
        roles = {who: await plays(turn.party, who) for who in {s.who for s in here}}
        return [help_card(turn.texts, tuple(spec for spec in here if roles[spec.who]))]
