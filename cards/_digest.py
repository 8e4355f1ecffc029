"""The weekly digest card."""

from __future__ import annotations

from bot.digest.content import WeekContent
from bot.i18n import Texts, texts_for
from cards._render import Card, render
from cards.library import change_line

MAX_LINES = 8


def digest_card(content: WeekContent, texts: Texts) -> Card:
    def section(key: str, lines: list[str]) -> dict[str, object] | None:
        if not lines:
            return None
        shown = lines[:MAX_LINES]
        if len(lines) > MAX_LINES:
            shown.append(texts("digest.more", count=len(lines) - MAX_LINES))
        return {"title": texts(key), "lines": [{"text": line} for line in shown]}

    sections = [
        section("digest.analyses", [f"{a.title} ({a.municipality})" for a in content.analyses]),
        section(
            "digest.followups", [f"{f.agreement} ({f.municipality})" for f in content.followups]
        ),
        section("digest.answered", [f"{q}: {by}" for _, q, by in content.answered]),
        section(
            "digest.open",
            [f"#{n} {texts.area(area)}: {q}" for n, area, q in content.open_questions],
        ),
        section("digest.on_call", [f"{area}: {who}" for area, who in content.on_call]),
        section(
            "digest.upcoming",
            [f"{month} {place}: {title}" for _, month, place, title in content.upcoming],
        ),
        section(
            "digest.library",
            [change_line(change, texts) for change in content.library],
        ),
    ]
    return render(
        "digest",
        {
            "title": texts("digest.title", week=content.week.split("-W")[1]),
            "stat": texts(
                "digest.stat",
                asked=content.asked_this_week,
                answered=len(content.answered),
                shared=len(content.analyses) + len(content.followups),
            ),
            "quiet": texts("digest.quiet") if content.quiet else None,
            "sections": [s for s in sections if s],
        },
    )


class DigestCards:
    """The digest's cards (its `DigestCards` port), in the node's language."""

    def __init__(self, node_locale: str = "sv") -> None:
        self._texts = texts_for(node_locale)

    def digest(self, content: WeekContent) -> Card:
        return digest_card(content, self._texts)
