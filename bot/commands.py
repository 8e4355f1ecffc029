"""Every command a person can type, declared once: its Swedish and English spellings, where it
works, who may run it, what argument it takes, its help text and its handler (plain data: no
botbuilder, no cards, so cards and scripts read it too). Parsing, the
permission checks, the help card, the welcome card's suggestions and the Teams manifest's
command lists are all made from `COMMANDS`.

Adding a command: one `Spec` here, its handler method on the resolver (same name as
`Spec.handler`), and its help text `cmd.<name>` (plus `cmd.<name>.arg` when it takes one) in
bot/i18n/sv.json and en.json. Tests fail when any of these is missing.
"""

from __future__ import annotations

import re
import unicodedata
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
    name: str  # the handler's name, the help text's key
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

    @property
    def handler(self) -> str:
        return f"cmd_{self.name}"

    def spelling(self, language: str) -> str:
        return (self.en if language == "en" else self.sv)[0]


K, T = "krav_ids", "text"
COMMANDS: tuple[Spec, ...] = (
    # Ask about criteria.
    Spec("help", ("hjälp", "hjalp", "kommandon", "?"), ("help", "commands"), Group.CRITERIA,
         menu=EVERYWHERE, suggested=True),
    Spec("criterion", ("kriterium",), ("criterion",), Group.CRITERIA, argument=K, menu=EVERYWHERE),
    Spec("levels", ("nivåer",), ("levels",), Group.CRITERIA, argument=K),
    Spec("compare", ("jämför", "jamfor"), ("compare",), Group.CRITERIA, argument=K),
    # Ask an expert.
    Spec("ask_expert", ("fråga expert", "fråga expertis"), ("ask expert", "ask an expert"),
         Group.EXPERT, argument=T, menu=EVERYWHERE, suggested=True),
    Spec("my_questions", ("mina frågor",), ("my questions",), Group.EXPERT, menu=ONE_TO_ONE),
    Spec("on_call", ("jour", "nätverk"), ("on-call", "on call"), Group.EXPERT,
         menu=IN_CHANNELS | {GROUP_CHAT}),
    Spec("open_tickets", ("öppna frågor",), ("open questions",), Group.EXPERT, Who.EXPERT,
         menu=ONE_TO_ONE),
    Spec("my_tickets", ("mina ärenden",), ("my tickets",), Group.EXPERT, Who.EXPERT),
    # Share and follow up.
    Spec("share_analysis", ("dela marknadsanalys", "dela analys"),
         ("share analysis", "share market analysis"), Group.SHARING,
         menu=EVERYWHERE),
    Spec("share_followup", ("dela uppföljning",), ("share follow-up", "share followup"),
         Group.SHARING,
         menu=ONE_TO_ONE),
    Spec("list_analyses", ("marknadsanalyser",), ("analyses",), Group.SHARING, argument=T),
    Spec("list_followups", ("delade uppföljningar",), ("shared follow-ups",), Group.SHARING,
         argument=T),
    Spec("plan", ("uppföljningsplan",), ("plan",), Group.SHARING, argument=K),
    Spec("new_agreement", ("nytt avtal", "registrera avtal"), ("new agreement",),
         Group.SHARING, menu=ONE_TO_ONE, suggested=True),
    Spec("my_agreements", ("mina avtal",), ("my agreements",), Group.SHARING),
    Spec("my_followups", ("mina uppföljningar",), ("my follow-ups",), Group.SHARING,
         menu=ONE_TO_ONE),
    Spec("followups_due", ("uppföljningar",), ("follow-ups due",), Group.ADMIN, Who.ADMIN,
         argument=T),
    Spec("new_procurement", ("ny upphandling",), ("new procurement",), Group.SHARING),
    Spec("upcoming", ("kommande upphandlingar",), ("upcoming procurements",), Group.SHARING,
         argument=T),
    # The digest.
    Spec("subscribe", ("prenumerera veckobrev",), ("subscribe digest",), Group.DIGEST,
         Who.OWNER, IN_CHANNELS, argument=T, menu=IN_CHANNELS),
    Spec("unsubscribe", ("avsluta veckobrev",), ("unsubscribe digest",), Group.DIGEST,
         Who.OWNER, IN_CHANNELS),
    Spec("preview_digest", ("förhandsvisa veckobrev",), ("preview digest",), Group.DIGEST,
         where=IN_CHANNELS, menu=IN_CHANNELS),
    # Your data.
    Spec("my_municipality", ("min kommun",), ("my municipality",), Group.DATA, argument=T),
    Spec("my_data", ("mina data",), ("my data",), Group.DATA, menu=ONE_TO_ONE),
    Spec("language", ("språk",), ("language",), Group.DATA, argument=T),
    Spec("erase_my_data", ("radera mina data",), ("erase my data",), Group.DATA),
    # Administration.
    Spec("experts_channel", ("expertkanal",), ("experts channel",), Group.ADMIN, Who.ADMIN,
         IN_CHANNELS, menu=IN_CHANNELS),
    Spec("sharing_channel", ("delningskanal",), ("sharing channel",), Group.ADMIN, Who.ADMIN,
         IN_CHANNELS, menu=IN_CHANNELS),
    Spec("statistics", ("statistik",), ("statistics",), Group.ADMIN, Who.ADMIN),
    Spec("audit_log", ("granskningslogg",), ("audit",), Group.ADMIN, Who.ADMIN),
    Spec("status", ("status",), ("status",), Group.ADMIN, Who.ADMIN),
    Spec("learned_words", ("inlärda ord",), ("learned words",), Group.ADMIN, Who.ADMIN),
    Spec("forget_word", ("glöm ord",), ("forget word",), Group.ADMIN, Who.ADMIN, argument=T),
)  # fmt: skip
BY_NAME: dict[str, Spec] = {spec.name: spec for spec in COMMANDS}
# Every spelling with the language it is in ("" when both use it), longest first, so
# "radera mina data" wins over "mina data".
_SPELLINGS: tuple[tuple[str, Spec, str], ...] = tuple(
    sorted(
        (
            (spelling, spec, "" if spelling in spec.sv and spelling in spec.en else language)
            for spec in COMMANDS
            for language, spellings in (("sv", spec.sv), ("en", spec.en))
            for spelling in spellings
        ),
        key=lambda entry: -len(entry[0]),
    )
)
_SPACES = re.compile(r"\s+")
# Anything that starts like a Krav ID: "kriterium 99999" still reaches the command, which
# answers that no such criterion exists.
_KRAV_ID = re.compile(r"^(?:\d\S*|LOK-\S*)$", re.IGNORECASE)
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


@dataclass(frozen=True)
class Command:
    name: str  # a Spec's name, or "question" for free text
    argument: str
    text: str  # what the user typed, cleaned of mentions and extra spaces
    language: str = ""  # the language of the command's spelling, when only one uses it

    @property
    def spec(self) -> Spec | None:
        return BY_NAME.get(self.name)


def parse(text: str) -> Command:
    cleaned = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
    lowered = cleaned.lower()
    chat = _SMALL_TALK.get(_SPACES.sub(" ", _PUNCTUATION.sub(" ", lowered)).strip())
    if chat is not None:
        return Command(SMALL_TALK, chat, cleaned)
    head, _, after_head = cleaned.partition(" ")
    head = head.lower().rstrip(":!.")
    for spelling, spec, language in _SPELLINGS:
        if " " in spelling:
            if lowered != spelling and not lowered.startswith(spelling + " "):
                continue
            rest = cleaned[len(spelling) :].strip()
        elif head == spelling:
            rest = after_head.strip()
        else:
            continue
        if spec.argument == K and not all(
            _KRAV_ID.match(t) for t in rest.replace(",", " ").split()
        ):
            break  # "jämför basnivå och avancerad för bilar" is a question, not a command
        return Command(spec.name, rest, cleaned, language)
    return Command(QUESTION, cleaned, cleaned)


def closest_command(word: str) -> str | None:
    """The spelling a mistyped word most likely meant ("hjälpp" -> "hjälp"), if any."""
    if not word or len(word) < 3:
        return None
    choices = [spelling for spelling, _, _ in _SPELLINGS if len(spelling) >= 3]
    match = process.extractOne(word.lower(), choices, score_cutoff=80)
    return None if match is None else str(match[0])
