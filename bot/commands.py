"""What a command is (a `Spec`: its Swedish and English spellings, where it works, who may
run it, what argument it takes, where it is offered) and how typed text becomes one
(`CommandBook.parse`). Plain data: no botbuilder, no cards, so cards and scripts read it too.

Each command's Spec is declared on its handler method (bot/teams/_handlers, `@command`);
the edge collects them into the one book that parsing, the permission checks, help, the
welcome card and the Teams manifest's command menus are made from. Its help text is
`cmd.<name>` (plus `cmd.<name>.arg` when it takes an argument) in bot/i18n/sv.json and
en.json; tests fail when any is missing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import process


class Who(StrEnum):
    """Who may run a command: checked before its handler runs, and help shows only what the
    person may do."""

    ANYONE = "anyone"
    EXPERT = "expert"  # a registered expert of the network
    OWNER = "owner"  # an owner of the team (with Graph configured) or an admin
    ADMIN = "admin"  # one of NODE_ADMIN_IDS
    COORDINATOR = "coordinator"  # the region's coordinator (an admin's grant), or an admin


class Group(StrEnum):
    """The jobs help is grouped by, in this order."""

    CRITERIA = "criteria"
    EXPERT = "expert"
    SHARING = "sharing"
    DIGEST = "digest"
    DATA = "data"
    ADMIN = "admin"


PERSONAL, CHANNEL, GROUP_CHAT = "personal", "channel", "groupChat"
EVERYWHERE = frozenset({PERSONAL, CHANNEL, GROUP_CHAT})
IN_CHANNELS = frozenset({CHANNEL})
ONE_TO_ONE = frozenset({PERSONAL})


@dataclass(frozen=True)
class Spec:
    name: str  # its help text's key: cmd.<name>
    sv: tuple[str, ...]  # spellings; the first is the one shown
    en: tuple[str, ...]
    group: Group
    who: Who = Who.ANYONE
    where: frozenset[str] = EVERYWHERE
    # The argument: "" none, "krav_ids" (else the text is a question), "text" anything.
    argument: str = ""
    # Where it is in the compose box's command menu (Teams lists at most 10 per scope).
    menu: frozenset[str] = frozenset()
    # A button on the welcome card: the main things to start with.
    suggested: bool = False

    def spelling(self, language: str) -> str:
        return (self.en if language == "en" else self.sv)[0]


K, T = "krav_ids", "text"
_SPACES = re.compile(r"\s+")
# Anything that starts like a Krav ID: "kriterium 99999" still reaches the command, which
# answers that no such criterion exists; and a version ("jämför 11567 v1 v2").
_KRAV_ID = re.compile(r"^(?:\d\S*|LOK-\S*|v\d{1,3})$", re.IGNORECASE)
QUESTION = "question"
SMALL_TALK = "small_talk"
# What people say to a bot that is not a question for the search: a friendly answer instead
# of "I found no criterion" (the argument says which).
_SMALL_TALK: dict[str, str] = {
    **dict.fromkeys(("hej", "hejsan", "hallå", "tjena", "god morgon", "godmorgon", "hi",
                     "hello", "hey", "good morning"), "greeting"),
    **dict.fromkeys(("tack", "tack så mycket", "tusen tack", "tackar", "thanks", "thank you",
                     "thx"), "thanks"),
    **dict.fromkeys(("vem är du", "vad är du", "who are you", "what are you"), "who"),
    **dict.fromkeys(("vad kan du", "vad kan du göra", "vad gör du", "what can you do"), "what"),
}  # fmt: skip
_PUNCTUATION = re.compile(r"[!?.,:;)(]+")
_TRAILING = "!?.:"


@dataclass(frozen=True)
class Command:
    name: str  # a Spec's name, "question" for free text, "small_talk"
    argument: str
    text: str  # what the user typed, cleaned of mentions and extra spaces
    language: str = ""  # the language of the command's spelling, when only one uses it
    spec: Spec | None = None


class CommandBook:
    """The commands, in the order help and the menus show them, and the parser."""

    def __init__(self, specs: Sequence[Spec]) -> None:
        self.specs = tuple(specs)
        self.by_name = {spec.name: spec for spec in self.specs}
        if len(self.by_name) != len(self.specs):
            raise ValueError("two commands with one name")
        # Every spelling with the language it is in ("" when both use it), longest first,
        # so "radera mina data" wins over "mina data".
        self._spellings: tuple[tuple[str, Spec, str], ...] = tuple(sorted(
            ((spelling, spec, "" if spelling in spec.sv and spelling in spec.en else language)
             for spec in self.specs
             for language, spellings in (("sv", spec.sv), ("en", spec.en))
             for spelling in spellings),
            key=lambda entry: -len(entry[0]),
        ))  # fmt: skip
        seen: dict[str, str] = {}
        for spelling, spec, _ in self._spellings:
            if seen.setdefault(spelling, spec.name) != spec.name:
                raise ValueError(f"'{spelling}' spells two commands")
        self._choices = [spelling for spelling, _, _ in self._spellings if len(spelling) >= 3]

    def __iter__(self) -> Iterator[Spec]:
        return iter(self.specs)

    def parse(self, text: str) -> Command:
        cleaned = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
        lowered = cleaned.lower()
        chat = _SMALL_TALK.get(_SPACES.sub(" ", _PUNCTUATION.sub(" ", lowered)).strip())
        if chat is not None:
            return Command(SMALL_TALK, chat, cleaned)
        head, _, after_head = cleaned.partition(" ")
        # "hjälp!" is help; "?!" too (a spelling of only punctuation keeps its first mark).
        head = head.lower().rstrip(_TRAILING) or head[:1]
        bare = lowered.rstrip(_TRAILING + " ")  # "mina avtal!" is the command
        for spelling, spec, language in self._spellings:
            if " " in spelling:
                if bare == spelling:
                    rest = ""
                elif lowered.startswith(spelling + " "):
                    rest = cleaned[len(spelling) :].strip()
                else:
                    continue
            elif head == spelling:
                rest = after_head.strip()
            else:
                continue
            if spec.argument == K and not all(
                _KRAV_ID.match(t) for t in rest.replace(",", " ").split()
            ):
                break  # "jämför basnivå och avancerad för bilar" is a question, not a command
            return Command(spec.name, rest, cleaned, language, spec)
        return Command(QUESTION, cleaned, cleaned)

    def closest(self, word: str) -> str | None:
        """The spelling a mistyped word most likely meant ("hjälpp" -> "hjälp"), if any."""
        if not word or len(word) < 3:
            return None
        match = process.extractOne(word.lower(), self._choices, score_cutoff=80)
        return None if match is None else str(match[0])
