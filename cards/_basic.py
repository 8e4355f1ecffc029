"""Cards that carry only the node's own words: welcome, help and plain messages."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from bot.commands import Group, Spec
from bot.criteria.gaps import UNKNOWN_AREA, GapGroup
from bot.i18n import Texts
from cards._render import Card, Markdown, escape_markdown, render
from cards.actions import CardAction, WriteRegional, payload

LIST_ROWS = 20  # rows a list card shows (a card must stay within Teams' 28 KB)


# Cards of the node's own words depend only on their inputs: render each once. Callers treat
# cards as immutable (they are serialized, never edited).
@cache
def welcome_card(texts: Texts, suggested: tuple[Spec, ...] = ()) -> Card:
    """The first card in a new chat: what the node is, and buttons for the main things to
    start with (an example question, and the commands marked `suggested`)."""
    buttons = [{"title": texts("help.button.example"), "command": texts("example.question")}]
    buttons += [{"title": texts(f"cmd.{s.name}.button"), "command": s.spelling(texts.language)}
                for s in suggested]  # fmt: skip
    return render(
        "welcome",
        {
            "title": texts("welcome.title"),
            "body": texts("welcome.body"),
            "try": Markdown(texts("welcome.try")),
            "help": Markdown(texts("welcome.help")),
            "buttons": buttons,
        },
    )


@cache
def small_talk_card(texts: Texts, kind: str, suggested: tuple[Spec, ...] = ()) -> Card:
    """A short friendly answer to a greeting or thanks, with the main things to try."""
    buttons = [{"title": texts("help.button.example"), "command": texts("example.question")}]
    buttons += [{"title": texts(f"cmd.{s.name}.button"), "command": s.spelling(texts.language)}
                for s in suggested]  # fmt: skip
    return render(
        "welcome",
        {
            "title": texts(f"smalltalk.{kind}"),
            "body": texts("smalltalk.body"),
            "try": Markdown(texts("welcome.try")),
            "help": Markdown(texts("welcome.help")),
            "buttons": buttons,
        },
    )


@cache
def help_card(texts: Texts, commands: tuple[Spec, ...]) -> Card:
    """The commands given (those this person may run here), grouped by job."""
    language = texts.language
    groups = []
    for group in Group:
        lines = [texts("help.cmd.question")] if group is Group.CRITERIA else []
        for spec in commands:
            if spec.group is group:
                argument = f" {texts(f'cmd.{spec.name}.arg')}" if spec.argument else ""
                spelling = escape_markdown(spec.spelling(language))
                lines.append(f"**{spelling}**{argument}: {texts(f'cmd.{spec.name}')}")
        if lines:
            title = texts(f"help.group.{group.value}")
            groups.append({"title": title, "lines": [{"line": Markdown(line)} for line in lines]})
    return render(
        "help",
        {
            "title": texts("help.title"),
            "intro": texts("help.intro"),
            "groups": groups,
            "filters": texts("help.cmd.filters"),
            "example_title": texts("help.button.example"),
            "example_question": texts("example.question"),
        },
    )


def message_card(text: str, title: str | None = None) -> Card:
    """A short card for a sentence: `text` is escaped unless it is `Markdown`."""
    return render("message", {"title": title, "text": text})


def row(
    heading: str, text: str = "", status: str = "", opens: CardAction | None = None
) -> dict[str, Any]:
    """One row of a list: what it is, a line or two, its state; `opens` what clicking it shows."""
    return {"heading": heading, "text": text or None, "status": status or None,
            "data": payload(opens) if opens is not None else None}  # fmt: skip


def list_card(title: str, rows: Sequence[dict[str, Any]], empty: str) -> Card:
    """A list whose rows open what they name (a ticket, an agreement, a plan, a follow-up)."""
    shown = list(rows[:LIST_ROWS])
    return render("list", {"title": title, "empty": None if shown else empty, "rows": shown})


def gaps_card(groups: Sequence[GapGroup], texts: Texts, area: str = "") -> Card:
    """What people asked in vain, per area: where a regional criterion would help."""
    rows = [row(
        texts("gaps.heading", area=texts.area(g.area) if g.area != UNKNOWN_AREA else
              texts("gaps.unknown_area"), count=g.count),
        texts("gaps.words", words=", ".join(f"{w} ({n})" for w, n in g.words),
              examples="; ".join(f"“{e}”" for e in g.examples)),
        texts("gaps.seen", first=g.first, last=g.last),
        opens=WriteRegional(g.area if g.area != UNKNOWN_AREA else "", ", ".join(
            w for w, _ in g.words[:3])),
    ) for g in groups]  # fmt: skip
    title = texts("gaps.title_area", area=texts.area(area)) if area else texts("gaps.title")
    return list_card(title, rows, texts("gaps.none"))
