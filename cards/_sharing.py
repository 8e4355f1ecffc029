"""Cards for shared work: the two share forms, a shared item, lists, follow-up plans."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

from bot.criteria import Criterion
from bot.i18n import Texts, texts_for
from bot.sharing.forms import ANALYSIS, FOLLOWUP_REPORT, ROWS
from bot.sharing.models import FollowUpReport, MarketAnalysis
from bot.sharing.plan import plan_rows
from cards._basic import list_card, row
from cards._forms import form_card
from cards._render import Card, Markdown, escape_markdown, render, shorten

if TYPE_CHECKING:
    from bot.sharing.service import FollowUpSummary
from cards.actions import (
    AgreementForm,
    ShareAnalysis,
    ShareFollowUp,
    ShowCriterion,
    ShowShared,
    button,
    payload,
)


def analysis_form_card(
    texts: Texts,
    today: date,
    values: Mapping[str, str] | None = None,
    problems: Mapping[str, str] | None = None,
) -> Card:
    return form_card(ANALYSIS, texts, button(ShareAnalysis), today, values, problems)


def followup_form_card(
    texts: Texts,
    today: date,
    values: Mapping[str, str] | None = None,
    problems: Mapping[str, str] | None = None,
) -> Card:
    rows = {f"krav_{n}": n for n in range(1, ROWS + 1)}
    return form_card(FOLLOWUP_REPORT, texts, button(ShareFollowUp), today, values, problems,
                     rows)  # fmt: skip


def shared_item_card(item: MarketAnalysis | FollowUpReport, texts: Texts) -> Card:
    def fact(name: str, value: str) -> dict[str, str]:
        return {"title": texts(f"share.field.{name}"), "value": value or "–"}

    def findings() -> list[dict[str, str]]:
        return (
            [{"title": texts("share.field.findings"), "text": item.findings}]
            if item.findings
            else []
        )

    if isinstance(item, MarketAnalysis):
        return render(
            "shared_item",
            {
                "badge": texts("share.analysis.badge"),
                "title": item.title,
                "facts": [
                    fact("area", texts.area(item.area)),
                    fact("product_group", item.product_group),
                    fact("municipality", item.municipality),
                    fact("date", item.date),
                    fact("suppliers_consulted", str(item.suppliers_consulted)),
                    fact("contact", item.contact),
                ],
                "sections": [
                    {"title": texts("share.field.summary"), "text": item.summary},
                    *findings(),
                ],
                "link": item.link,
                "link_title": texts("share.open_document"),
            },
        )  # fmt: skip
    checks = "\n".join(f"- {c.krav_id}: {c.method} → {c.result}" for c in item.checks)
    return render(
        "shared_item",
        {
            "badge": texts("share.followup.badge"),
            "title": item.agreement,
            "facts": [
                fact("area", texts.area(item.area)),
                fact("supplier", item.supplier),
                fact("municipality", item.municipality),
                fact("date", item.date),
            ],
            "sections": [{"title": texts("share.checks"), "text": Markdown(checks)}, *findings()],
            "link": item.link or None,
            "link_title": texts("share.open_document"),
        },
    )  # fmt: skip


def shared_list_card(
    title: str, items: Sequence[MarketAnalysis | FollowUpReport], texts: Texts
) -> Card:
    rows = []
    for item in items:
        if isinstance(item, MarketAnalysis):
            heading, text = item.title, item.summary
        else:
            heading = item.agreement
            text = ", ".join(f"{c.krav_id} {c.result}" for c in item.checks)
        status = f"{item.municipality} · {item.date} · {texts.area(item.area)}"
        rows.append(row(shorten(heading, 120), shorten(text, 160), status, ShowShared(item.id)))
    return list_card(title, rows, texts("share.none"))


def followup_summary_text(summary: FollowUpSummary, texts: Texts) -> str | None:
    """How others followed a criterion up, in one paragraph (None when nobody has)."""
    if not summary.reports:
        return None
    methods = "; ".join(
        texts("share.method_found", method=m, count=n, found=summary.deviations[m])
        for m, n in summary.methods.most_common()
    )
    results = ", ".join(f"{r} ({n})" for r, n in summary.results.most_common())
    where = ", ".join(sorted({r.municipality for r in summary.reports}))
    return texts("share.followed_up", count=len(summary.reports), where=where,
                 methods=methods, results=results)  # fmt: skip


def plan_card(criteria: Sequence[Criterion], texts: Texts, download: str) -> Card:
    rows = plan_rows(list(criteria))
    sections = [
        {
            "title": f"{row.krav_id} · {row.name}",
            "text": Markdown(
                "\n".join(
                    f"**{label}:** {value}"
                    for label, value in (
                        (texts("plan.what"), _plain(row.what)),
                        (texts("plan.proof"), _plain(row.proof)),
                        (texts("plan.when"), row.when),
                        (texts("plan.who"), row.who),
                        (texts("plan.how"), _plain(row.how)),
                    )
                )
            ),
        }
        for row in rows
    ]
    return render(
        "criterion",
        {
            "name": texts("plan.title"),
            "facts": [],
            "sections": [{"title": "", "text": texts("plan.intro")}, *sections],
            "actions": [
                {"title": texts("plan.register"),
                 "data": payload(AgreementForm(tuple(c.key for c in criteria[:20])))},
                *[{"title": f"{texts('action.full')}: {row.krav_id}",
                   "data": payload(ShowCriterion(c.key))}
                  for row, c in zip(rows, criteria, strict=True)][:3],
            ],
            "link": download,
            "link_title": texts("plan.download"),
        },
    )  # fmt: skip


def _plain(text: str) -> str:
    return escape_markdown(text)


class SharedItemCards:
    """The sharing channel's cards (the sharing service's `SharedCards` port), in the node's
    language."""

    def __init__(self, node_locale: str = "sv") -> None:
        self._texts = texts_for(node_locale)

    def item(self, item: MarketAnalysis | FollowUpReport) -> Card:
        return shared_item_card(item, self._texts)
