"""The weekly digest card."""

from __future__ import annotations

from bot.digest.content import WeekContent
from bot.i18n import Texts, texts_for
from bot.stats import Stats
from cards._render import Card, render

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
            [texts("digest.library_changes", count=content.library_changes)]
            if content.library_changes
            else [],
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


def duration(hours: float) -> str:
    """Minutes below two hours ("median 0 h" said nothing), else hours."""
    return f"{round(hours * 60)} min" if hours < 2 else f"{hours:g} h"


def statistics_card(stats: Stats, texts: Texts) -> Card:
    def hours(spread: tuple[float, float] | None) -> tuple[str, str]:
        return ("–", "–") if spread is None else (duration(spread[0]), duration(spread[1]))

    claim, answer = hours(stats.claim_hours), hours(stats.answer_hours)
    share = "–" if stats.within_target is None else f"{stats.within_target:.0%}"
    summary = [
        texts("stats.line.questions", total=stats.total, answered=stats.answered,
              open=stats.open, escalated=stats.escalated),
        texts("stats.line.claim", median=claim[0], p90=claim[1]),
        texts("stats.line.answer", median=answer[0], p90=answer[1]),
        texts("stats.line.target", hours=f"{stats.target_hours:g}", share=share),
        texts("stats.line.published", count=stats.published),
    ]  # fmt: skip

    def counted(key: str, counter: dict[str, int]) -> dict[str, object] | None:
        if not counter:
            return None
        lines = [f"{name}: {count}" for name, count in sorted(counter.items(), key=lambda i: -i[1])]
        return {"title": texts(key), "lines": [{"text": line} for line in lines[: MAX_LINES * 2]]}

    figures = stats.followups
    on_time = figures.get("share_on_time")
    follow = [
        texts("stats.line.followups", due=figures.get("followups_due", 0),
              on_time=figures.get("done_on_time", 0), late=figures.get("done_late", 0),
              overdue=figures.get("overdue_now", 0),
              share="–" if on_time is None else f"{on_time:.0%}",
              joint=figures.get("joint_done", 0)),
    ]  # fmt: skip
    sections = [
        {"title": texts("stats.questions"), "lines": [{"text": line} for line in summary]},
        {"title": texts("stats.followups"), "lines": [{"text": line} for line in follow]},
        {
            "title": texts("stats.procurements"),
            "lines": [{"text": _procurement_line(stats, texts)}],
        },
        counted("stats.agreements", figures.get("agreements_per_municipality", {})),
        counted("stats.by_area", stats.per_area),
        counted("stats.by_municipality", stats.per_municipality),
        counted("stats.shared", stats.shared_per_municipality),
        counted("stats.active", stats.active_per_month),
    ]
    return render(
        "digest",
        {
            "title": texts("stats.title"),
            "stat": "",
            "quiet": None,
            "sections": [s for s in sections if s],
        },
    )


def _procurement_line(stats: Stats, texts: Texts) -> str:
    figures = stats.procurements
    early = figures.get("expert_before_announcement")
    return texts("stats.line.procurements", count=figures.get("procurements", 0),
                 early="–" if early is None else f"{early:.0%}",
                 groups=figures.get("coordinated_groups", 0),
                 agreements=figures.get("became_agreements", 0))  # fmt: skip


class DigestCards:
    """The digest's cards (its `DigestCards` port), in the node's language."""

    def __init__(self, node_locale: str = "sv") -> None:
        self._texts = texts_for(node_locale)

    def digest(self, content: WeekContent) -> Card:
        return digest_card(content, self._texts)
