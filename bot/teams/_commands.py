"""What a typed message asks for: a command with its argument, or a free question."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import process

# Every spelling a user may type, mapped to one command name. Swedish first; English works too.
COMMANDS: dict[str, str] = {
    "hjälp": "help",
    "hjalp": "help",
    "help": "help",
    "kommandon": "help",
    "?": "help",
    "kriterium": "criterion",
    "criterion": "criterion",
    "krav": "criterion",
    "nivåer": "levels",
    "levels": "levels",
    "jämför": "compare",
    "jamfor": "compare",
    "compare": "compare",
}
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Command:
    name: str  # a value of COMMANDS, or "question" for free text
    argument: str
    text: str  # what the user typed, cleaned of mentions and extra spaces


def parse(text: str) -> Command:
    cleaned = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
    head, _, rest = cleaned.partition(" ")
    name = COMMANDS.get(head.lower().rstrip(":!."))
    if name is not None:
        return Command(name, rest.strip(), cleaned)
    return Command("question", cleaned, cleaned)


def closest_command(word: str) -> str | None:
    """The command a mistyped word most likely meant ("hjälpp" -> "hjälp"), if any."""
    if not word or len(word) < 3:
        return None
    match = process.extractOne(word.lower(), COMMANDS.keys(), score_cutoff=80)
    return None if match is None else str(match[0])
