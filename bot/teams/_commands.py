"""What a typed message asks for: a command with its argument, or a free question."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import process

# Commands of two words, matched before single words.
PHRASES: dict[str, str] = {
    "min kommun": "my_municipality",
    "my municipality": "my_municipality",
    "prenumerera veckobrev": "subscribe",
    "subscribe digest": "subscribe",
    "avsluta veckobrev": "unsubscribe",
    "unsubscribe digest": "unsubscribe",
    "förhandsvisa veckobrev": "preview_digest",
    "preview digest": "preview_digest",
    "dela marknadsanalys": "share_analysis",
    "share analysis": "share_analysis",
    "dela uppföljning": "share_followup",
    "share follow-up": "share_followup",
    "radera mina data": "erase_my_data",
    "erase my data": "erase_my_data",
    "mina data": "my_data",
    "my data": "my_data",
    "mina frågor": "my_questions",
    "my questions": "my_questions",
    "öppna frågor": "open_tickets",
    "open questions": "open_tickets",
    "mina ärenden": "my_tickets",
    "my tickets": "my_tickets",
    "fråga expert": "ask_expert",
    "fråga expertis": "ask_expert",
    "ask expert": "ask_expert",
    "ask an": "ask_expert",
}
# Every spelling a user may type, mapped to one command name. Swedish first; English works too.
COMMANDS: dict[str, str] = {
    "jour": "on_call",
    "nätverk": "on_call",
    "on-call": "on_call",
    "expertkanal": "experts_channel",
    "granskningslogg": "audit_log",
    "delningskanal": "sharing_channel",
    "statistik": "statistics",
    "status": "status",
    "statistics": "statistics",
    "marknadsanalyser": "list_analyses",
    "uppföljningar": "list_followups",
    "uppföljningsplan": "plan",
    "plan": "plan",
    "audit": "audit_log",
    "hjälp": "help",
    "hjalp": "help",
    "help": "help",
    "kommandon": "help",
    "?": "help",
    "kriterium": "criterion",
    "criterion": "criterion",
    "nivåer": "levels",
    "levels": "levels",
    "jämför": "compare",
    "jamfor": "compare",
    "compare": "compare",
}
_SPACES = re.compile(r"\s+")
_TAKES_KRAV_IDS = frozenset({"criterion", "levels", "compare", "plan"})
# Anything that starts like a Krav ID: "kriterium 99999" still reaches the command, which
# answers that no such criterion exists.
_KRAV_ID = re.compile(r"^(?:\d\S*|LOK-\S*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Command:
    name: str  # a value of COMMANDS, or "question" for free text
    argument: str
    text: str  # what the user typed, cleaned of mentions and extra spaces


def parse(text: str) -> Command:
    cleaned = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
    lowered = cleaned.lower()
    for phrase, phrase_name in PHRASES.items():
        if lowered == phrase or lowered.startswith(phrase + " "):
            rest = cleaned[len(phrase) :].strip()
            if phrase == "ask an":  # "ask an expert ..."
                rest = rest.removeprefix("expert").strip()
            return Command(phrase_name, rest, cleaned)
    head, _, rest = cleaned.partition(" ")
    name = COMMANDS.get(head.lower().rstrip(":!."))
    if name in _TAKES_KRAV_IDS and not all(
        _KRAV_ID.match(t) for t in rest.replace(",", " ").split()
    ):
        # "jämför basnivå och avancerad för bilar" is a question, not a command.
        name = None
    if name is not None:
        return Command(name, rest.strip(), cleaned)
    return Command("question", cleaned, cleaned)


def closest_command(word: str) -> str | None:
    """The command a mistyped word most likely meant ("hjälpp" -> "hjälp"), if any."""
    if not word or len(word) < 3:
        return None
    match = process.extractOne(word.lower(), [*COMMANDS, *PHRASES], score_cutoff=80)
    return None if match is None else str(match[0])
