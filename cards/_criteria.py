"""Cards for criteria questions: the answer, one criterion in full, all levels, a comparison.

Library text (criteria, published answers) is data: it is escaped by the renderer. Labels are
the node's own words and may carry markdown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.criteria import AREAS, Criterion, Guide, PublishedAnswer
from bot.i18n import Texts
from bot.sharing.models import FollowUpReport, MarketAnalysis
from cards._render import Markdown, escape_markdown, render
from cards.actions import (
    AskExpert,
    Compare,
    Feedback,
    MakePlan,
    ShowCriterion,
    ShowLevels,
    payload,
)

SHORT_TEXT = 280


@dataclass(frozen=True)
class AnswerHit:
    """One hit as the answer card shows it: the entry and, for a criterion, its other levels."""

    entry: Criterion | PublishedAnswer | Guide | MarketAnalysis | FollowUpReport
    other_levels: tuple[str, ...] = ()


def shorten(text: str, limit: int = SHORT_TEXT) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + " …"


def _criterion_facts(criterion: Criterion, texts: Texts) -> list[dict[str, str]]:
    return [
        {"title": texts("criterion.level"), "value": texts(f"level.{criterion.level.value}")},
        {"title": texts("criterion.type"), "value": texts(f"type.{criterion.type.value}")},
        {"title": texts("criterion.area"), "value": AREAS[criterion.area]},
        {"title": texts("criterion.group"), "value": criterion.product_group},
        {"title": "Krav ID", "value": criterion.krav_id},
    ]


def _hit_view(hit: AnswerHit, texts: Texts) -> dict[str, Any]:
    entry = hit.entry
    if isinstance(entry, Criterion):
        others = ", ".join(texts(f"level.{level}") for level in hit.other_levels)
        badge = f"Krav ID {entry.krav_id}"
        if others:
            badge += " · " + texts("search.other_levels", levels=others)
        return {
            "name": entry.name,
            "badge": badge,
            "facts": _criterion_facts(entry, texts)[:3],
            "kravtext": shorten(entry.kravtext),
            "verifikat_label": texts("criterion.verifikat"),
            "verifikat": shorten(entry.verifikat, 200),
            "uppfoljning_label": texts("criterion.uppfoljning"),
            "uppfoljning": shorten(entry.uppfoljning, 200),
            "actions": [
                {"title": texts("action.full"), "data": payload(ShowCriterion(entry.key))},
                *(
                    [{"title": texts("action.levels"), "data": payload(ShowLevels(entry.base_id))}]
                    if hit.other_levels
                    else []
                ),
            ],
            "link": entry.link or None,
            "link_title": texts("criterion.link"),
            "has_actions": True,
        }
    if isinstance(entry, MarketAnalysis | FollowUpReport):
        analysis = isinstance(entry, MarketAnalysis)
        kind = texts("share.analysis.badge" if analysis else "share.followup.badge")
        return {
            "name": entry.title if isinstance(entry, MarketAnalysis) else entry.agreement,
            "badge": f"{kind} · {texts('search.shared_kind', municipality=entry.municipality)}",
            "facts": [{"title": texts("criterion.area"), "value": AREAS.get(entry.area, "")}],
            "kravtext": shorten(
                entry.summary if isinstance(entry, MarketAnalysis) else entry.findings
            ),
            "actions": [],
            "link": entry.link or None,
            "link_title": texts("share.open_document"),
            "has_actions": bool(entry.link),
        }
    if isinstance(entry, PublishedAnswer):
        return {
            "name": entry.question,
            "badge": texts("search.answer_kind"),
            "facts": [{"title": texts("criterion.area"), "value": AREAS.get(entry.area, "")}],
            "kravtext": entry.answer,
            "actions": [],
        }
    return {
        "name": entry.name,
        "badge": texts("type.process"),
        "facts": [],
        "kravtext": entry.text,
        "uppfoljning_label": texts("criterion.uppfoljning"),
        "uppfoljning": entry.follow_up,
        "actions": [],
    }


def _ids(hits: Sequence[AnswerHit]) -> tuple[str, ...]:
    out = []
    for hit in hits:
        entry = hit.entry
        out.append(entry.krav_id if isinstance(entry, Criterion) else entry.id)
    return tuple(out)


def answer_card(
    question: str,
    hits: Sequence[AnswerHit],
    texts: Texts,
    *,
    area: str = "",
    filters: str = "",
    weak: bool = False,
) -> dict[str, Any]:
    criteria = [h.entry for h in hits if isinstance(h.entry, Criterion)]
    choices = [
        {"title": f"{c.name} ({texts(f'level.{c.level.value}')})", "value": c.key} for c in criteria
    ]
    ids = _ids(hits)
    return render(
        "answer",
        {
            "title": texts("search.title"),
            "filters": texts("search.filters", filters=filters) if filters else None,
            "weak": texts("search.weak") if weak else None,
            "hits": [_hit_view(hit, texts) for hit in hits],
            "sample_note": texts("criterion.sample")
            if any(c.is_sample for c in criteria)
            else None,
            # One choice list serves both: compare (two or three) and a follow-up plan (one+).
            "plan_choices": choices or None,
            "compare_choices": choices if len(choices) >= 2 else None,
            "compare_input": Compare.INPUTS[0],
            "compare_label": texts("compare.pick"),
            "compare_title": texts("action.compare"),
            "compare_data": payload(Compare(())),
            "plan_title": texts("action.plan"),
            "plan_data": payload(MakePlan(())),
            "helped_label": texts("action.helped"),
            "yes_title": texts("action.yes"),
            "yes_data": payload(Feedback.about(question, True, ids)),
            "no_title": texts("action.no"),
            "no_data": payload(Feedback.about(question, False, ids)),
            "expert_title": texts("action.ask_expert"),
            "expert_data": payload(AskExpert(question, area)),
        },
    )


def no_answer_card(question: str, texts: Texts, area: str = "") -> dict[str, Any]:
    return render(
        "no_answer",
        {
            "text": Markdown(texts("search.none", text=escape_markdown(shorten(question, 120)))),
            "hint": Markdown(texts("welcome.help")),
            "expert_title": texts("action.ask_expert"),
            "expert_data": payload(AskExpert(question, area)),
        },
    )


def criterion_card(
    criterion: Criterion, texts: Texts, followed_up: str | None = None
) -> dict[str, Any]:
    sections = [
        (texts("criterion.kravtext"), criterion.kravtext),
        (texts("criterion.motiv"), criterion.motiv),
        (texts("criterion.verifikat"), criterion.verifikat),
        (texts("criterion.uppfoljning"), criterion.uppfoljning),
        (texts("share.others_followed"), followed_up or ""),
    ]
    facts = _criterion_facts(criterion, texts)
    if criterion.version_date:
        facts.append({"title": "Version", "value": criterion.version_date})
    return render(
        "criterion",
        {
            "name": criterion.name,
            "facts": facts,
            "sections": [{"title": t, "text": body} for t, body in sections if body],
            "sample_note": texts("criterion.sample") if criterion.is_sample else None,
            "actions": [
                {"title": texts("action.levels"), "data": payload(ShowLevels(criterion.base_id))}
            ],
            "link": criterion.link or None,
            "link_title": texts("criterion.link"),
        },
    )


def levels_card(levels: Sequence[Criterion], texts: Texts) -> dict[str, Any]:
    first = levels[0]
    return render(
        "criterion",
        {
            "name": texts("levels.title", name=first.name),
            "facts": [
                {"title": "Krav ID", "value": first.krav_id},
                {"title": texts("criterion.area"), "value": AREAS[first.area]},
                {"title": texts("criterion.group"), "value": first.product_group},
            ],
            "sections": [
                {
                    "title": f"{texts(f'level.{c.level.value}')} · {texts(f'type.{c.type.value}')}",
                    "text": c.kravtext,
                }
                for c in levels
            ],
            "sample_note": texts("criterion.sample") if first.is_sample else None,
            "actions": [
                {"title": f"{texts('action.full')}: {texts(f'level.{c.level.value}')}",
                 "data": payload(ShowCriterion(c.key))}
                for c in levels
            ],
            "link": first.link or None,
            "link_title": texts("criterion.link"),
        },
    )  # fmt: skip


def compare_card(criteria: Sequence[Criterion], texts: Texts) -> dict[str, Any]:
    def section(label: str, value: str) -> dict[str, str]:
        return {"text": Markdown(f"**{label}:** {escape_markdown(shorten(value, 400))}")}

    return render(
        "compare",
        {
            "title": texts("compare.title"),
            "columns": [
                {
                    "name": c.name,
                    "subtitle": f"{c.krav_id} · {texts(f'level.{c.level.value}')} · "
                    f"{texts(f'type.{c.type.value}')}",
                    "sections": [
                        section(texts("criterion.kravtext"), c.kravtext),
                        section(texts("criterion.verifikat"), c.verifikat),
                        section(texts("criterion.uppfoljning"), c.uppfoljning),
                    ],
                }
                for c in criteria
            ],
        },
    )
