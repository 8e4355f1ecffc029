"""Cards for criteria questions: the answer, one criterion in full, all levels, a comparison.

Library text (criteria, published answers) is data: it is escaped by the renderer. Labels are
the node's own words and may carry markdown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from bot.criteria import Criterion, Guide, PublishedAnswer
from bot.criteria.regional import REGIONAL, Proposal, regional_municipality
from bot.fields import FEEDBACK_QUESTION, QUESTION
from bot.i18n import Texts
from bot.sharing.models import FollowUpReport, MarketAnalysis
from cards._forms import form_card
from cards._render import Card, Markdown, escape_markdown, render, shorten
from cards.actions import (
    ApproveRegional,
    AskExpert,
    Compare,
    Feedback,
    MakePlan,
    MoreHits,
    ProposeRegional,
    ShowCriterion,
    ShowLevels,
    button,
    payload,
)

LINE_TEXT = 110  # one line of kravtext in an answer's row
# A criterion's section in full, up to this: a card must stay under Teams' 28 KB, and the
# library's own page (the link) has the rest.
SECTION_TEXT = 3000


@dataclass(frozen=True)
class AnswerHit:
    """One hit as the answer card shows it: the entry and, for a criterion, its other levels."""

    entry: Criterion | PublishedAnswer | Guide | MarketAnalysis | FollowUpReport
    other_levels: tuple[str, ...] = ()
    followed_up: str = ""  # how other municipalities followed this criterion up


def _criterion_facts(criterion: Criterion, texts: Texts) -> list[dict[str, str]]:
    return [
        {"title": texts("criterion.level"), "value": texts(f"level.{criterion.level.value}")},
        {"title": texts("criterion.type"), "value": texts(f"type.{criterion.type.value}")},
        {"title": texts("criterion.area"), "value": texts.area(criterion.area)},
        {"title": texts("criterion.group"), "value": criterion.product_group},
        {"title": "Krav ID", "value": criterion.krav_id},
        *([{"title": texts("criterion.status"),
            "value": texts("criterion.withdrawn", day=criterion.withdrawn)}]
          if criterion.withdrawn else []),
        *([{"title": texts("criterion.source"), "value": texts(
            "regional.from", municipality=regional_municipality(criterion))}]
          if regional_municipality(criterion) else []),
    ]  # fmt: skip


def _criterion_view(hit: AnswerHit, criterion: Criterion, texts: Texts) -> dict[str, Any]:
    badge = " · ".join(
        (
            f"Krav ID {criterion.krav_id}",
            texts(f"level.{criterion.level.value}"),
            texts(f"type.{criterion.type.value}"),
        )
    )
    if hit.other_levels:
        others = ", ".join(texts(f"level.{level}") for level in hit.other_levels)
        badge += " · " + texts("search.other_levels", levels=others)
    if criterion.withdrawn:
        badge += " · " + texts("criterion.withdrawn", day=criterion.withdrawn)
    if regional_municipality(criterion):
        badge += " · " + texts("regional.from", municipality=regional_municipality(criterion))
    sections = [
        (texts("criterion.kravtext"), shorten(criterion.kravtext, 700)),
        (texts("criterion.verifikat"), shorten(criterion.verifikat, 300)),
        (texts("criterion.uppfoljning"), shorten(criterion.uppfoljning, 300)),
        (texts("share.others_followed"), shorten(hit.followed_up, 400)),
    ]
    actions = [{"title": texts("action.full"), "data": payload(ShowCriterion(criterion.key))}]
    if hit.other_levels:
        actions.append(
            {"title": texts("action.levels"), "data": payload(ShowLevels(criterion.base_id))}
        )
    return {
        "name": shorten(criterion.name, 200),
        "badge": badge,
        "line": shorten(criterion.kravtext, LINE_TEXT),
        "sections": [{"title": title, "text": text} for title, text in sections if text],
        "actions": actions,
        "link": criterion.link or None,
        "link_title": texts("criterion.link"),
        "has_actions": True,
    }


def _hit_view(hit: AnswerHit, texts: Texts) -> dict[str, Any]:
    """One hit as a short row (name, kind, one line) and its details, opened in place."""
    entry = hit.entry
    if isinstance(entry, Criterion):
        return _criterion_view(hit, entry, texts)
    area = "" if isinstance(entry, Guide) else texts.area(entry.area)
    if isinstance(entry, MarketAnalysis | FollowUpReport):
        analysis = isinstance(entry, MarketAnalysis)
        kind = texts("share.analysis.badge" if analysis else "share.followup.badge")
        text = entry.summary if isinstance(entry, MarketAnalysis) else entry.findings
        return {
            "name": entry.title if isinstance(entry, MarketAnalysis) else entry.agreement,
            "badge": f"{kind} · {texts('search.shared_kind', municipality=entry.municipality)}"
            f" · {area}",
            "line": shorten(text, LINE_TEXT),
            "sections": [{"title": texts("share.field.summary" if analysis else
                                         "share.field.findings"), "text": shorten(text, 700)}],
            "actions": [],
            "link": entry.link or None,
            "link_title": texts("share.open_document"),
            "has_actions": bool(entry.link),
        }  # fmt: skip
    if isinstance(entry, PublishedAnswer):
        return {
            "name": entry.question,
            "badge": f"{texts('search.answer_kind')} · {area}",
            "line": shorten(entry.answer, LINE_TEXT),
            "sections": [
                {"title": texts("search.answer_kind"), "text": shorten(entry.answer, 1500)}
            ],
            "actions": [],
        }
    return {
        "name": entry.name,
        "badge": texts("type.process"),
        "line": shorten(entry.text, LINE_TEXT),
        "sections": [
            {"title": texts("type.process"), "text": shorten(entry.text, 1500)},
            *([{"title": texts("criterion.uppfoljning"), "text": entry.follow_up}]
              if entry.follow_up else []),
        ],
        "actions": [],
    }  # fmt: skip


def _hit_items(hit: AnswerHit, texts: Texts, details_id: str) -> list[Any]:
    """One hit's row and its details (hidden until the row is clicked), as card elements."""
    view = _hit_view(hit, texts)
    view["details_id"] = details_id
    view["toggle_title"] = texts("action.details")
    items: list[Any] = render("answer_hit", view)["items"]
    return items


class HitBlocks:
    """A criterion's row and details read the same to everyone in one language: rendered once
    per (criterion and its version, language, other levels, how others followed it up, its
    place on the card) and reused by every answer that shows it, until the library changes.
    Rendering them was 17 % of a criteria turn under load. Other entries are rendered each
    time (a shared item can change, an erasure say, without a library revision)."""

    SIZE = 4096  # blocks kept; a block is ~3 KB, the sample library has a few hundred

    def __init__(self) -> None:
        self._revision: int | None = None
        self._criterion = lru_cache(maxsize=self.SIZE)(_hit_items)

    def at(self, revision: int) -> HitBlocks:
        """The blocks for the library at `revision`: all dropped when it changed."""
        if revision != self._revision:
            self._criterion.cache_clear()
            self._revision = revision
        return self

    def items(self, hit: AnswerHit, texts: Texts, details_id: str) -> list[Any]:
        if isinstance(hit.entry, Criterion):
            return self._criterion(hit, texts, details_id)
        return _hit_items(hit, texts, details_id)


def answer_ids(hits: Sequence[AnswerHit]) -> tuple[str, ...]:
    """What an answer showed, by id (a criterion's Krav ID, an entry's own id), best first."""
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
    answer_id: str,
    area: str = "",
    filters: str = "",
    weak: bool = False,
    page: int = 0,
    more: bool = False,
    blocks: HitBlocks | None = None,
) -> dict[str, Any]:
    """The hits for a question as short rows; each opens its details in place, "Fler
    träffar" replaces the card with the next page (an Action.Execute, see docs). With
    `blocks`, criteria rows rendered before are reused."""
    criteria = [h.entry for h in hits if isinstance(h.entry, Criterion)]
    choices = [
        {"title": f"{c.name} ({texts(f'level.{c.level.value}')})", "value": c.key} for c in criteria
    ]
    items = blocks.items if blocks is not None else _hit_items
    views = [
        {"items": items(hit, texts, f"hit-{page}-{number}")} for number, hit in enumerate(hits, 1)
    ]
    more_action = MoreHits(question[: FEEDBACK_QUESTION.max], page + 1)
    return render(
        "answer",
        {
            "title": texts("search.title") if not page else texts("search.page", page=page + 1),
            "filters": texts("search.filters", filters=filters) if filters else None,
            "weak": texts("search.weak") if weak else None,
            "hits": views,
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
            "choose_title": texts("action.choose"),
            "more_title": texts("action.more"),
            "more_verb": MoreHits.VERB,
            "more_data": payload(more_action) if more else None,
            "helped_label": texts("action.helped"),
            "yes_title": texts("action.yes"),
            "yes_data": payload(Feedback(answer_id, True)),
            "no_title": texts("action.no"),
            "no_data": payload(Feedback(answer_id, False)),
            "expert_title": texts("action.ask_expert"),
            "expert_data": payload(AskExpert(question[: QUESTION.max], area)),
        },
    )


def no_answer_card(question: str, texts: Texts, area: str = "") -> dict[str, Any]:
    return render(
        "no_answer",
        {
            "text": Markdown(texts("search.none", text=escape_markdown(shorten(question, 120)))),
            "hint": Markdown(texts("welcome.help")),
            "expert_title": texts("action.ask_expert"),
            "expert_data": payload(AskExpert(question[: QUESTION.max], area)),
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
            "sections": [
                {"title": t, "text": shorten(body, SECTION_TEXT)} for t, body in sections if body
            ],
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
                {"title": texts("criterion.area"), "value": texts.area(first.area)},
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


def regional_form_card(
    texts: Texts,
    today: date,
    values: Mapping[str, str] | None = None,
    problems: Mapping[str, str] | None = None,
) -> Card:
    """The regional criterion form (bot/criteria/regional.py)."""
    return form_card(REGIONAL, texts, button(ProposeRegional), today, values, problems)


def proposal_card(proposal: Proposal, texts: Texts) -> Card:
    """A regional criterion waiting for an expert of another municipality: the whole text,
    who proposed it, and **Godkänn**."""
    criterion = proposal.criterion
    return render("criterion", {
        "name": f"{texts('regional.label')}: {criterion.name}",
        "facts": _criterion_facts(criterion, texts),
        "sections": [
            {"title": texts("regional.proposed"), "text": texts(
                "regional.proposed_by", name=proposal.by_name or "–",
                municipality=proposal.municipality)},
            *({"title": title, "text": shorten(body, SECTION_TEXT)} for title, body in (
                (texts("criterion.kravtext"), criterion.kravtext),
                (texts("criterion.motiv"), criterion.motiv),
                (texts("criterion.verifikat"), criterion.verifikat),
                (texts("criterion.uppfoljning"), criterion.uppfoljning)) if body),
        ],
        "actions": [{"title": texts("regional.approve"),
                     "data": payload(ApproveRegional(criterion.krav_id))}],
    })  # fmt: skip
