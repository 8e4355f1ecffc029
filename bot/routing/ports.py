"""What routing needs from the presentation: the cards its messages carry. The domain decides
who is told what (a `Notice`); the implementation (cards.TicketCards) chooses the words, the
language and the look."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.i18n import Notice
from bot.messaging import Card
from bot.routing.network import Expert, Network
from bot.routing.tickets import Ticket


class TicketCards(Protocol):
    def channel(
        self,
        ticket: Ticket,
        network: Network,
        area_experts: Sequence[Expert],
        on_call: Expert | None = None,
    ) -> Card:
        """The ticket as the experts' channel shows it (each expert refreshes their own)."""
        ...

    def expert_notice(
        self, ticket: Ticket, network: Network, area_experts: Sequence[Expert], notice: Notice
    ) -> Card:
        """The ticket sent 1:1 to an expert, with why they get it."""
        ...

    def receipt(self, ticket: Ticket, experts: Sequence[Expert]) -> Card:
        """The asker's receipt: number, who has it, by when."""
        ...

    def asker_notice(self, ticket: Ticket, notice: Notice) -> Card: ...

    def answer(self, ticket: Ticket, expert: Expert) -> Card:
        """The answer, as the asker receives it."""
        ...
