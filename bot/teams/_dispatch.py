"""From a turn to a handler and back (no botbuilder here): the person's language, the command
or card action, the checks its route declares (where, role, relation to what it names,
per-person limit), the handler; a UserError becomes a message in the person's language."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.commands import SMALL_TALK, Command, CommandBook
from bot.criteria import CriteriaLibrary
from bot.i18n import UserError, language_of, language_of_text, texts_for
from bot.people import Profiles
from bot.ratelimits import PersonLimits
from bot.teams._access import ROLE_REFUSALS, Subjects, plays
from bot.teams._handlers import (
    ComposeHandler,
    CriteriaHandler,
    DigestHandler,
    GuideHandler,
    LibraryHandler,
)
from bot.teams._routes import ActionRoute, CommandRoute, Handler, Mode
from bot.teams._turn import Card, People, Turn
from cards import Markdown, message_card
from cards.actions import CardAction, parse_action

log = logging.getLogger(__name__)
LOCALES = {"sv": "sv-SE", "en": "en-US"}


@dataclass(frozen=True)
class Answer:
    """What a card action answers: its cards, and for an Action.Execute whether the first
    replaces the card clicked (else all follow below, and `note` is shown at the card)."""

    cards: list[Card]
    in_place: bool = False
    note: str = ""


class Dispatcher:
    def __init__(
        self,
        handlers: Sequence[Handler],
        book: CommandBook,
        *,
        guide: GuideHandler,
        criteria: CriteriaHandler,
        digest: DigestHandler,
        compose: ComposeHandler,
        files: LibraryHandler,
        people: People,
        subjects: Subjects,
        profiles: Profiles,
        library: CriteriaLibrary,
        limits: PersonLimits | None = None,
    ) -> None:
        self._book = book
        self._guide, self._criteria, self._digest, self._compose = guide, criteria, digest, compose
        self._files = files
        self._people = people
        self._subjects = subjects
        self._profiles = profiles
        self._library = library
        self._limits = limits or PersonLimits()
        self._commands: dict[str, tuple[Handler, CommandRoute]] = {}
        self._actions: dict[type[CardAction], tuple[Handler, ActionRoute]] = {}
        for handler in handlers:
            for command_route in handler.COMMANDS:
                self._commands[command_route.spec.name] = (handler, command_route)
            for action_route in handler.ACTIONS:
                if action_route.kind in self._actions:
                    raise ValueError(f"two routes for {action_route.kind.__name__}")
                self._actions[action_route.kind] = (handler, action_route)
        missing = {spec.name for spec in book} - set(self._commands)
        if missing:
            raise ValueError(f"commands without a handler: {sorted(missing)}")

    @property
    def action_kinds(self) -> frozenset[type[CardAction]]:
        return frozenset(self._actions)

    # --- turns ------------------------------------------------------------------------------

    async def welcome(self, turn: Turn) -> list[Card]:
        turn = await self._prepare(turn)
        await self._digest.joined(turn)
        return await self._guide.welcome(turn)

    async def removed(self, turn: Turn) -> None:
        await self._digest.removed(turn)

    async def on_text(self, turn: Turn) -> list[Card]:
        if turn.file is not None and not turn.text:  # a file sent in the 1:1 chat
            prepared = await self._prepare(turn)
            return await self._guarded(prepared, "file", lambda: self._files.received(prepared))
        command = self._book.parse(turn.text)
        spoken = command.language or language_of_text(command.text)
        if spoken and command.name != "language":
            await self._profiles.set_language(turn.user_id, spoken)
        turn = await self._prepare(turn, spoken)
        return await self._guarded(turn, command.name, lambda: self._run(command, turn))

    async def on_action(self, turn: Turn, value: dict[str, Any], executed: bool) -> Answer:
        """A card's button: an Action.Execute (`executed`) or an older card's Action.Submit,
        always answered below."""
        turn = await self._prepare(turn)
        route: ActionRoute | None = None

        async def run() -> list[Card]:
            nonlocal route
            action = parse_action(value)
            handler, route = self._actions[type(action)]
            if not await plays(turn.party, route.who):
                raise UserError(ROLE_REFUSALS[route.who])
            subject: tuple[Any, ...] = ()
            if route.access is not None:
                subject = (await route.access.check(turn.party, action, self._subjects),)
            if route.limit:
                await self._within_limit(turn, route.limit)
            return await route.run(handler, action, turn, *subject)

        try:
            cards = await run()
        except UserError as error:
            log.info("user error %s", error.key, extra={"command": str(value.get("verb"))[:40]})
            text = error.message(turn.texts)
            if executed:  # the card stays as it was (a form keeps what was written)
                return Answer([], note=text)
            return Answer([message_card(Markdown(text))])
        in_place = executed and route is not None and route.mode is Mode.IN_PLACE
        if in_place and not cards and route is not None and route.done:
            cards = [message_card(turn.texts(route.done))]
        return Answer(cards, in_place, "" if in_place else turn.texts("action.below"))

    async def on_compose(self, turn: Turn, name: str, value: Any) -> dict[str, Any]:
        return await self._compose.on_compose(await self._prepare(turn), name, value)

    # --- inside -----------------------------------------------------------------------------

    async def _prepare(self, turn: Turn, spoken: str = "") -> Turn:
        """The turn in the person's language, with who they are to the node. One language
        per person: what they write when it is clear, else their stored choice, else the
        client's locale (else Swedish)."""
        language = spoken or await self._profiles.language(turn.user_id)
        language = language or language_of(turn.locale)
        turn = replace(turn, texts=texts_for(language), locale=LOCALES[language])
        return turn.with_party(self._people)

    async def _run(self, command: Command, turn: Turn) -> list[Card]:
        """The command's place and role are checked here, once, from its declaration."""
        await self._library.refresh_if_changed()
        if command.name == SMALL_TALK:
            return self._guide.small_talk(command.argument, turn)
        spec = command.spec
        if spec is None:
            if not command.text:
                return await self._guide.help(command, turn)
            # Only a lone word may be a mistyped command ("hjälpp"); a question is not looked
            # up among the spellings (a fuzzy match over all of them: 6 % of a question's CPU).
            closest = self._book.closest(command.text) if " " not in command.text else None
            return await self._criteria.question(command.text, turn, closest)
        if turn.conversation_type not in spec.where:
            raise UserError("command.channel_only", {"command": spec.spelling(turn.texts.language)})
        if not await plays(turn.party, spec.who):
            raise UserError(ROLE_REFUSALS[spec.who])
        handler, route = self._commands[spec.name]
        return await route.run(handler, command, turn)

    async def _guarded(
        self, turn: Turn, what: str, run: Callable[[], Awaitable[list[Card]]]
    ) -> list[Card]:
        try:
            return await run()
        except UserError as error:
            log.info("user error %s", error.key, extra={"command": what})
            return [message_card(Markdown(error.message(turn.texts)))]

    async def _within_limit(self, turn: Turn, kind: str) -> None:
        """UserError("rate.limited") when this person has done `kind` too often lately."""
        if not await self._limits.allow(kind, turn.aad_id or turn.user_id):
            log.warning("person rate-limited", extra={"kind": kind})
            raise UserError("rate.limited")
