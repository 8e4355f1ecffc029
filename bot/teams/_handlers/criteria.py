"""Criteria questions: a question gets the matching criteria (pages of three), each opening
its full text or all its levels; comparing levels or criteria; "Hjälpte det?"."""

from __future__ import annotations

import logging
from dataclasses import replace

from bot import telemetry
from bot.commands import EVERYWHERE, Command, Group, K, Spec
from bot.criteria import Answer, AnswerLog, Criterion
from bot.criteria.gaps import Gaps
from bot.i18n import Texts, UserError
from bot.routing import RoutingService
from bot.teams._handlers._entries import Entries
from bot.teams._routes import Handler, Mode, action, command
from bot.teams._turn import Card, Turn
from cards import (
    AnswerHit,
    HitBlocks,
    Markdown,
    answer_card,
    answer_ids,
    compare_card,
    criterion_card,
    escape_markdown,
    levels_card,
    message_card,
    no_answer_card,
)
from cards.actions import Compare, Feedback, MoreHits, ShowCriterion, ShowLevels

log = logging.getLogger(__name__)
MAX_COMPARE = 3


class CriteriaHandler(Handler):
    def __init__(
        self, entries: Entries, answers: AnswerLog, routing: RoutingService, gaps: Gaps
    ) -> None:
        self._entries = entries
        self._library = entries.library
        self._answers = answers
        self._routing = routing  # whose answer an expert's answer (T12) is
        self._gaps = gaps  # questions that found nothing good enough, without names
        self._blocks = HitBlocks()  # criteria rows rendered once per library revision

    # --- questions ------------------------------------------------------------------------

    async def question(self, text: str, turn: Turn, closest: str | None) -> list[Card]:
        """Free text: the criteria that match; a lone mistyped word gets a suggestion."""
        answer = self._library.answer(text)
        telemetry.count("questions", confidence=answer.confidence, area=answer.area)
        lone_typo = closest is not None  # the dispatcher looks only a lone word up
        if answer.confidence != "good" and not lone_typo:
            await self._gaps.record(text, answer.area)
        if answer.confidence == "none":
            if lone_typo:
                # The user's words sit inside the node's own (markdown) sentence: escaped.
                said = turn.texts("unknown.text", text=escape_markdown(text[:80]))
                suggestion = turn.texts("unknown.suggest", command=closest)
                return [message_card(Markdown(f"{said} {suggestion}"))]
            return [no_answer_card(text, turn.texts, answer.area)]
        return [await self._answer_card(answer, turn)]

    @action(MoreHits, mode=Mode.IN_PLACE)
    async def more_hits(self, action: MoreHits, turn: Turn) -> list[Card]:
        """The next page of an answer, in place of the card that asked for it."""
        answer = self._library.answer(action.question, page=action.page)
        if not answer.hits:
            return [no_answer_card(action.question, turn.texts, answer.area)]
        return [await self._answer_card(answer, turn, action.page)]

    async def _answer_card(self, answer: Answer, turn: Turn, page: int = 0) -> Card:
        texts = turn.texts
        hits: list[AnswerHit] = []
        for hit in answer.hits:
            entry = await self._entries.entry(hit.document.kind, hit.document.id)
            if entry is not None:
                hits.append(AnswerHit(entry, hit.other_levels))
        followed = await self._entries.followed_up([h.entry for h in hits], texts)
        hits = [replace(h, followed_up=followed[h.entry.krav_id])
                if isinstance(h.entry, Criterion) else h for h in hits]  # fmt: skip
        # Kept a month: "Hjälpte det?" counts only for an answer given to this person.
        answer_id = await self._answers.record(_who(turn), answer.question, answer_ids(hits))
        filters = ", ".join(
            texts(key) for key in (f"level.{answer.level}" if answer.level else "",
                                   f"type.{answer.type}" if answer.type else "") if key
        )  # fmt: skip
        return answer_card(
            answer.question, hits, texts, answer_id=answer_id, area=answer.area,
            filters=filters, weak=answer.confidence == "weak", page=page,
            more=answer.more and page + 1 < MoreHits.PAGES,
            blocks=self._blocks.at(self._library.revision),
        )  # fmt: skip

    @action(Feedback, limit="feedback")
    async def feedback(self, action: Feedback, turn: Turn) -> list[Card]:
        """Counted once per person, and only for an answer the node gave them: the search
        learns from it, so a forged payload must teach it nothing."""
        person = _who(turn)
        question, ids = await self._given(action.answer, turn)
        if question is None:
            log.info("feedback on an answer not given to this person: not counted")
        elif not await self._answers.first_feedback(action.answer, person):
            return [message_card(turn.texts("feedback.again"))]
        else:
            await self._library.record_feedback(question, action.helpful, list(ids), person)
        return [message_card(turn.texts("feedback.thanks"))]

    async def _given(self, answer_id: str, turn: Turn) -> tuple[str | None, tuple[str, ...]]:
        """The question and what was shown, if the node gave this answer to this person: a
        search answer from the answer log, an expert's answer (T12) to its asker."""
        if answer_id.startswith("T"):
            ticket = await self._routing.find(int(answer_id[1:]))
            if ticket is None or ticket.asker_id != turn.user_id or not ticket.answer:
                return None, ()
            return ticket.question, (answer_id,)
        given = await self._answers.given(answer_id, _who(turn))
        return (given.question, given.ids) if given else (None, ())

    # --- one criterion --------------------------------------------------------------------

    @command(Spec("criterion", ("kriterium",), ("criterion",), Group.CRITERIA, argument=K,
                  menu=EVERYWHERE))  # fmt: skip
    async def criterion(self, command: Command, turn: Turn) -> list[Card]:
        levels = self._entries.levels(command.argument)
        if len(levels) == 1:
            return [await self._criterion_card(levels[0], turn.texts)]
        return [levels_card(levels, turn.texts)]

    @command(Spec("levels", ("nivåer",), ("levels",), Group.CRITERIA, argument=K))
    async def levels(self, command: Command, turn: Turn) -> list[Card]:
        return [levels_card(self._entries.levels(command.argument), turn.texts)]

    @command(Spec("compare", ("jämför", "jamfor"), ("compare",), Group.CRITERIA, argument=K))
    async def compare(self, command: Command, turn: Turn) -> list[Card]:
        """`jämför 11567 10855`: side by side; `jämför 11567`: its levels; `jämför 11567 v1
        v2`: two versions of it (the text an agreement signed beside today's)."""
        words = self._entries.named(command.argument)
        versions = [w for w in words if w.lower().startswith("v")]
        ids = [w for w in words if not w.lower().startswith("v")]
        if versions:
            return await self._compare_versions(ids, versions, turn.texts)
        if len(ids) == 1:  # one criterion: compare its levels
            return self._compare(self._entries.levels(ids[0]), turn.texts)
        return self._compare([self._entries.levels(i)[0] for i in ids], turn.texts)

    @action(ShowCriterion)
    async def show_criterion(self, action: ShowCriterion, turn: Turn) -> list[Card]:
        criterion = self._library.criterion(action.key)
        if criterion is None:
            raise UserError("criterion.not_found", {"id": action.key.split("/")[0]})
        return [await self._criterion_card(criterion, turn.texts)]

    @action(ShowLevels)
    async def show_levels(self, action: ShowLevels, turn: Turn) -> list[Card]:
        return [levels_card(self._entries.levels(action.krav_id), turn.texts)]

    @action(Compare)
    async def compare_chosen(self, action: Compare, turn: Turn) -> list[Card]:
        found = [self._library.criterion(key) for key in action.keys]
        return self._compare([c for c in found if c is not None], turn.texts)

    async def _criterion_card(self, criterion: Criterion, texts: Texts) -> Card:
        followed = await self._entries.followed_up([criterion], texts)
        return criterion_card(criterion, texts, followed_up=followed[criterion.krav_id] or None)

    async def _compare_versions(
        self, ids: list[str], versions: list[str], texts: Texts
    ) -> list[Card]:
        if len(ids) != 1 or len(versions) != 2:
            raise UserError("compare.versions_usage")
        known = await self._library.versions(ids[0])
        chosen = []
        for word in versions:
            number = int(word[1:])
            if number not in known:
                raise UserError("compare.no_version", {
                    "id": escape_markdown(ids[0][:20]), "version": number,
                    "known": ", ".join(f"v{v}" for v in sorted(known)) or "–"})  # fmt: skip
            chosen.append(known[number][0])
        return self._compare(chosen, texts)

    @staticmethod
    def _compare(criteria: list[Criterion], texts: Texts) -> list[Card]:
        if not 2 <= len(criteria) <= MAX_COMPARE:
            raise UserError("compare.too_many")
        return [compare_card(criteria, texts)]


def _who(turn: Turn) -> str:
    return turn.aad_id or turn.user_id
