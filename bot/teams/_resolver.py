"""Maps what a user typed or clicked to a use case, and the result to cards.

No botbuilder here: the handler gives a `Turn` (who, where, what) and sends back the cards.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bot.criteria import Answer, Criterion
from bot.i18n import Texts, UserError
from bot.node import Node
from bot.teams._commands import Command, closest_command, parse
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
    welcome_card,
)
from cards.actions import (
    Action,
    AskExpert,
    Compare,
    Feedback,
    ShowCriterion,
    ShowLevels,
    parse_action,
)

log = logging.getLogger(__name__)

Card = dict[str, Any]
MAX_COMPARE = 3


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
        self._criteria = node.criteria

    def welcome(self, turn: Turn) -> list[Card]:
        return [welcome_card(turn.texts)]

    async def on_text(self, turn: Turn) -> list[Card]:
        command = parse(turn.text)
        return await self._guarded(turn, command.name, lambda: self._run(command, turn))

    async def on_action(self, turn: Turn) -> list[Card]:
        value = turn.value or {}
        verb = str(value.get("verb", ""))[:40]

        async def run() -> list[Card]:
            return await self._act(parse_action(value), turn)

        return await self._guarded(turn, verb, run)

    async def _guarded(self, turn: Turn, what: str, run: Any) -> list[Card]:
        try:
            cards: list[Card] = await run()
        except UserError as error:
            log.info("user error %s", error.key, extra={"command": what})
            return [message_card(Markdown(error.message(turn.texts)))]
        return cards

    # --- typed commands -------------------------------------------------------------------

    async def _run(self, command: Command, turn: Turn) -> list[Card]:
        await self._criteria.refresh_if_changed()
        if command.name == "help":
            return [help_card(turn.texts)]
        if command.name == "criterion":
            return self._show_criterion(command.argument, turn.texts)
        if command.name == "levels":
            return [levels_card(self._levels(command.argument), turn.texts)]
        if command.name == "compare":
            return self._compare_ids(command.argument.replace(",", " ").split(), turn.texts)
        if not command.text:
            return [help_card(turn.texts)]
        return self._question(command, turn)

    def _question(self, command: Command, turn: Turn) -> list[Card]:
        answer = self._criteria.answer(command.text)
        if answer.confidence == "none":
            guess = closest_command(command.text.split(" ")[0])
            if guess and " " not in command.text:
                return self._not_understood(command, guess, turn)
            return [no_answer_card(command.text, turn.texts, answer.area)]
        return [self._answer_card(answer, turn.texts)]

    def _answer_card(self, answer: Answer, texts: Texts) -> Card:
        hits: list[AnswerHit] = []
        for hit in answer.hits:
            document = hit.document
            entry: Any
            if document.kind == "criterion":
                entry = self._criteria.criterion(document.id)
            elif document.kind == "answer":
                entry = self._criteria.published_answer(document.id.split("/", 1)[1])
            else:
                entry = self._criteria.guide(document.id.split("/", 1)[1])
            if entry is not None:
                hits.append(AnswerHit(entry, hit.other_levels))
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
        )

    def _not_understood(self, command: Command, guess: str, turn: Turn) -> list[Card]:
        # The user's words sit inside the node's own (markdown) sentence, so escape them first.
        text = turn.texts("unknown.text", text=escape_markdown(command.text[:80]))
        text += " " + turn.texts("unknown.suggest", command=guess)
        return [message_card(Markdown(text))]

    def _levels(self, krav_id: str) -> list[Criterion]:
        levels = self._criteria.levels_of(krav_id.strip())
        if not levels:
            raise UserError("criterion.not_found", {"id": escape_markdown(krav_id.strip()[:40])})
        return levels

    def _show_criterion(self, krav_id: str, texts: Texts) -> list[Card]:
        levels = self._levels(krav_id)
        if len(levels) == 1:
            return [criterion_card(levels[0], texts)]
        return [levels_card(levels, texts)]

    def _compare_ids(self, ids: list[str], texts: Texts) -> list[Card]:
        if len(ids) == 1:  # one criterion: compare its levels
            return self._compare(self._levels(ids[0]), texts)
        return self._compare([self._levels(i)[0] for i in ids], texts)

    def _compare(self, criteria: list[Criterion], texts: Texts) -> list[Card]:
        if not 2 <= len(criteria) <= MAX_COMPARE:
            raise UserError("compare.too_many")
        return [compare_card(criteria, texts)]

    # --- card actions ---------------------------------------------------------------------

    async def _act(self, action: Action, turn: Turn) -> list[Card]:
        texts = turn.texts
        if isinstance(action, ShowCriterion):
            criterion = self._criteria.criterion(action.key)
            if criterion is None:
                raise UserError("criterion.not_found", {"id": action.key.split("/")[0]})
            return [criterion_card(criterion, texts)]
        if isinstance(action, ShowLevels):
            return [levels_card(self._levels(action.krav_id), texts)]
        if isinstance(action, Compare):
            found = [self._criteria.criterion(key) for key in action.keys]
            return self._compare([c for c in found if c is not None], texts)
        if isinstance(action, Feedback):
            await self._criteria.record_feedback(action.question, action.helpful, list(action.ids))
            return [message_card(texts("feedback.thanks"))]
        assert isinstance(action, AskExpert)
        return [message_card(texts("expert.unavailable"))]
