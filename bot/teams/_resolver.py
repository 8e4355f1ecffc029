"""Maps what a user typed or clicked to a use case, and the result to cards.

No botbuilder here: the handler gives a `Turn` (who, where, what) and sends back the cards.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bot.i18n import Texts, UserError
from bot.node import Node
from bot.teams._commands import Command, closest_command, parse
from cards import Markdown, escape_markdown, help_card, message_card, welcome_card

log = logging.getLogger(__name__)

Card = dict[str, Any]


@dataclass(frozen=True)
class Turn:
    texts: Texts
    user_id: str
    user_name: str
    conversation_id: str
    conversation_type: str  # personal, channel or groupChat
    text: str = ""
    value: dict[str, Any] | None = None


class Resolver:
    def __init__(self, node: Node) -> None:
        self._node = node

    def welcome(self, turn: Turn) -> list[Card]:
        return [welcome_card(turn.texts)]

    async def on_text(self, turn: Turn) -> list[Card]:
        command = parse(turn.text)
        try:
            return await self._run(command, turn)
        except UserError as error:
            log.info("user error %s", error.key, extra={"command": command.name})
            return [message_card(error.message(turn.texts))]

    async def _run(self, command: Command, turn: Turn) -> list[Card]:
        if command.name == "help":
            return [help_card(turn.texts)]
        return self._not_understood(command, turn)

    def _not_understood(self, command: Command, turn: Turn) -> list[Card]:
        # The user's words sit inside the node's own (markdown) sentence, so escape them first.
        text = turn.texts("unknown.text", text=escape_markdown(command.text[:80]))
        guess = closest_command(command.text.split(" ")[0]) if command.text else None
        if guess:
            text += " " + turn.texts("unknown.suggest", command=guess)
        return [message_card(Markdown(text))]
