"""The `statistik` card: a view of the statistics tree. Teams' native charts where people
would rather look than read (the region's share of follow-ups on time as a gauge, each
municipality's as bars, the trend per month as lines), each with a table as its fallback
for clients without charts (the official renderer, the Agents Playground)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from bot.i18n import Texts
from bot.stats import Month, Municipality, Share, Statistics
from cards._render import Card, Markdown, render
from cards.actions import QUARTER, CardAction, match, payload


@dataclass(frozen=True)
class DownloadReport(CardAction):
    """The steering group's workbook for a quarter ("2026Q3"), from the `statistik` card.
    (Declared beside the card that sends it: a card action needs no other module.)"""

    VERB: ClassVar[str] = "stats.report"
    quarter: str

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        return cls(match(QUARTER, value.get("quarter")))


MAX_AREAS = 8


def _share(share: Share, texts: Texts) -> str:
    return texts("stats.share", count=share.whole, part=share.part,
                 percent=texts.percent(share.ratio))  # fmt: skip


def duration(hours: float) -> str:
    """Minutes below two hours ("median 0 h" said nothing), else hours."""
    return f"{round(hours * 60)} min" if hours < 2 else f"{hours:g} h"


def _indicators(stats: Statistics, texts: Texts) -> list[dict[str, str]]:
    f, p, q, base = stats.followups, stats.procurements, stats.questions, stats.baseline

    def against(now: Share, before: int) -> str:
        """Now beside the study's baseline (of its 25 units)."""
        return texts("stats.against", now=_share(now, texts),
                     before=_share(Share(before, base.units), texts))  # fmt: skip

    rows = [
        ("followups_on_time", _share(f.in_time, texts)),
        ("consistent", against(f.consistent, base.consistent)),
        ("never", against(f.never, base.never)),
        ("early", against(p.early, base.competence)),
        ("shared_analyses", str(stats.shared_analyses)),
        ("shared_followups", str(stats.shared_followups)),
        ("questions_in_time", _share(q.in_time, texts)),
        ("active_users", str(stats.active_users)),
    ]  # fmt: skip
    if stats.survey.answers:
        mean = stats.survey.rating_mean
        shown = texts.decimal(mean) if mean else "–"
        rows.append(
            ("meeting_place", texts("stats.rating", count=stats.survey.answers, mean=shown))
        )
    return [{"name": texts(f"stats.name.{name}"), "value": value} for name, value in rows]


def _gauge(stats: Statistics, texts: Texts) -> dict[str, object] | None:
    share = stats.followups.in_time
    if share.ratio is None:
        return None
    value = round(100 * share.ratio)
    return {
        "title": texts("stats.name.followups_on_time"),
        "label": texts("stats.region"),
        "value": value,
        "segments": [
            {"legend": texts("stats.gauge.low"), "value": 50, "color": "attention"},
            {"legend": texts("stats.gauge.mid"), "value": 30, "color": "warning"},
            {"legend": texts("stats.gauge.high"), "value": 20, "color": "good"},
        ],
        "text": f"{texts('stats.name.followups_on_time')}: {_share(share, texts)}",
    }


def _bars(stats: Statistics, texts: Texts) -> dict[str, object] | None:
    rows = [m for m in stats.municipalities if m.followups_due]
    if not rows:
        return None
    rows.sort(key=lambda m: (-(m.on_time.ratio or 0), m.name))
    return {
        "title": texts("stats.bars.title"),
        "data": [{"x": m.name, "y": round(100 * (m.on_time.ratio or 0)), "color": _colour(m)}
                 for m in rows],
        "rows": [{"label": m.name, "value": _share(m.on_time, texts)} for m in rows],
    }  # fmt: skip


def _colour(row: Municipality) -> str:
    return "good" if row.consistent else "warning" if row.followups_done else "attention"


def _trend(stats: Statistics, texts: Texts) -> dict[str, object] | None:
    months = stats.months[-12:]
    if len(months) < 2:
        return None
    series: tuple[tuple[str, Callable[[Month], int]], ...] = (
        ("stats.trend.questions", lambda m: m.questions),
        ("stats.trend.followups", lambda m: m.followups_done),
        ("stats.trend.active", lambda m: m.active_users),
    )
    header = [texts("stats.trend.month")] + [texts(key) for key, _ in series]
    return {
        "title": texts("stats.trend.title"),
        "x": texts("stats.trend.month"),
        "data": [{"legend": texts(key), "values": [{"x": m.month, "y": count(m)} for m in months]}
                 for key, count in series],
        "rows": [{"cells": [{"text": text} for text in header]}]
        + [{"cells": [{"text": m.month}] + [{"text": str(count(m))} for _, count in series]}
           for m in months],
    }  # fmt: skip


def statistics_card(stats: Statistics, texts: Texts, report_quarter: str = "") -> Card:
    q = stats.questions
    claim = ("–", "–") if q.claim_hours is None else tuple(map(duration, q.claim_hours))
    answer = ("–", "–") if q.answer_hours is None else tuple(map(duration, q.answer_hours))
    f, p = stats.followups, stats.procurements

    def section(key: str, lines: list[str]) -> dict[str, object]:
        return {"title": texts(key), "lines": [{"text": line} for line in lines]}

    sections = [
        section("stats.questions", [
            texts("stats.line.questions", count=q.total, answered=q.answered, open=q.open,
                  escalated=q.escalated),
            texts("stats.line.claim", median=claim[0], p90=claim[1]),
            texts("stats.line.answer", median=answer[0], p90=answer[1]),
            texts("stats.line.published", count=q.published),
            *(f"{texts.area(area)}: {n}" for area, n in list(q.per_area.items())[:MAX_AREAS]),
        ]),
        section("stats.followups", [
            texts("stats.line.followups", count=f.due, on_time=f.on_time, late=f.late,
                  overdue=f.overdue_now, joint=f.joint_done),
        ]),
        section("stats.procurements", [
            texts("stats.line.procurements", count=p.plans, early=texts.percent(p.early.ratio),
                  groups=p.coordinated_groups, agreements=p.became_agreements),
        ]),
    ]  # fmt: skip
    means = [Markdown(f"**{texts(f'stats.name.{n}')}**: {texts(f'stats.means.{n}')}")
             for n in _MEANS]  # fmt: skip
    return render(
        "statistics",
        {
            "title": texts("stats.title"),
            "period": texts("stats.period", period=stats.period.label or texts("stats.all_time"),
                            today=stats.today.isoformat()),
            "gauge": _gauge(stats, texts),
            "indicators": _indicators(stats, texts),
            "bars": _bars(stats, texts),
            "trend": _trend(stats, texts),
            "sections": sections,
            "means_title": texts("stats.means"),
            "means": [{"text": line} for line in means],
            "report": {"title": texts("stats.report"),
                       "data": payload(DownloadReport(report_quarter))}
            if report_quarter else None,
        },
    )  # fmt: skip


_MEANS = ("followups_on_time", "consistent", "never", "early", "shared_analyses",
          "shared_followups", "questions_in_time", "active_users", "meeting_place")  # fmt: skip


def report_card(texts: Texts, period: str, link: str) -> Card:
    """The workbook is ready: a download link that works for a while."""
    return render("criterion", {
        "name": texts("report.title"), "facts": [],
        "sections": [{"title": "", "text": texts("report.ready", period=period)}],
        "link": link, "link_title": texts("report.download"),
    })  # fmt: skip
