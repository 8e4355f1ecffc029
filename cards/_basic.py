"""Cards that carry only the node's own words: welcome, help and plain messages."""

from __future__ import annotations

from functools import cache
from typing import Any

from bot.i18n import Texts
from cards._render import Card, Markdown, render

HELP_LINES = (
    "help.cmd.question",
    "help.cmd.help",
    "help.cmd.criterion",
    "help.cmd.levels",
    "help.cmd.compare",
)


# Cards of the node's own words depend only on the language: render each once. Callers treat
# cards as immutable (they are serialized, never edited).
@cache
def welcome_card(texts: Texts) -> dict[str, Any]:
    return render(
        "welcome",
        {
            "title": texts("welcome.title"),
            "body": texts("welcome.body"),
            "try": Markdown(texts("welcome.try")),
            "help": Markdown(texts("welcome.help")),
            "example_title": texts("help.button.example"),
            "example_question": texts("example.question"),
            "help_title": texts("help.button.help"),
            "help_command": texts("command.help"),
        },
    )


@cache
def help_card(texts: Texts) -> dict[str, Any]:
    return render(
        "help",
        {
            "title": texts("help.title"),
            "intro": texts("help.intro"),
            "commands": [{"line": texts(key)} for key in HELP_LINES],
            "filters": texts("help.cmd.filters"),
            "example_title": texts("help.button.example"),
            "example_question": texts("example.question"),
        },
    )


def message_card(text: str, title: str | None = None) -> Card:
    """A short card for a sentence: `text` is escaped unless it is `Markdown`."""
    return render("message", {"title": title, "text": text})
