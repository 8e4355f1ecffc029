"""Cards for shared work: the two share forms, a shared item, lists, follow-up plans."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.criteria import AREAS, Criterion
from bot.i18n import Texts, texts_for
from bot.places import MUNICIPALITIES
from bot.sharing.models import METHODS, RESULTS, FollowUpReport, MarketAnalysis
from bot.sharing.plan import plan_rows
from cards._render import Card, Markdown, escape_markdown, render, shorten

if TYPE_CHECKING:
    from bot.sharing.service import FollowUpSummary
from cards.actions import (
    AgreementForm,
    ShareAnalysis,
    ShareFollowUp,
    ShowCriterion,
    button,
    payload,
)


def _choices(values: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"title": title, "value": value} for value, title in values]


AREA_CHOICES = _choices(list(AREAS.items()))
PLACE_CHOICES = _choices([(m, m) for m in MUNICIPALITIES])


def _input(
    kind: str, name: str, label: str, value: str, error: str | None, **extra: Any
) -> list[dict[str, Any]]:
    """An input, and under it, when the last submit had a problem there, the problem."""
    element: dict[str, Any] = {"type": kind, "id": name, "label": label, **extra}
    if value:
        element["value"] = value
    out = [element]
    if error:
        out.append({"type": "TextBlock", "text": f"⚠ {error}", "color": "Attention",
                    "wrap": True, "spacing": "None", "size": "Small"})  # fmt: skip
    return out


def _form(
    texts: Texts, title: str, intro: str, inputs: list[dict[str, Any]], problems: dict[str, str],
    send: dict[str, Any],
) -> Card:  # fmt: skip
    return render(
        "form",
        {
            "title": title,
            "intro": intro,
            "error": texts("share.error.form") if problems else None,
            "inputs": inputs,
            "send_title": texts("share.send"),
            # Action.Execute: the answer replaces this form, so an error shows in place.
            "send_verb": send["verb"],
            "send_data": send,
        },
    )


def analysis_form_card(
    texts: Texts,
    values: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
    *,
    today: date,
) -> Card:
    values, problems = values or {}, problems or {}

    def field(kind: str, name: str, **extra: Any) -> list[dict[str, Any]]:
        error = texts(problems[name]) if name in problems else None
        return _input(
            kind, name, texts(f"share.field.{name}"), values.get(name, ""), error, **extra
        )

    inputs = [
        *field("Input.Text", "title", maxLength=200),
        *field("Input.ChoiceSet", "area", choices=AREA_CHOICES),
        *field("Input.Text", "product_group", maxLength=200),
        *field("Input.ChoiceSet", "municipality", choices=PLACE_CHOICES),
        *field("Input.Date", "date", max=today.isoformat()),
        *field("Input.Number", "suppliers_consulted", min=0, max=9999),
        *field("Input.Text", "summary", isMultiline=True, maxLength=4000),
        *field("Input.Text", "findings", isMultiline=True, maxLength=4000),
        *field("Input.Text", "link", style="Url", maxLength=500),
        *field("Input.Text", "contact", maxLength=200),
    ]  # fmt: skip
    return _form(texts, texts("share.analysis.title"), texts("share.analysis.intro"), inputs,
                 problems, button(ShareAnalysis))  # fmt: skip


def followup_form_card(
    texts: Texts,
    values: dict[str, str] | None = None,
    problems: dict[str, str] | None = None,
    *,
    today: date,
) -> Card:
    values, problems = values or {}, problems or {}

    def field(kind: str, name: str, label: str = "", **extra: Any) -> list[dict[str, Any]]:
        error = texts(problems[name]) if name in problems else None
        text = label or texts(f"share.field.{name}")
        return _input(kind, name, text, values.get(name, ""), error, **extra)

    inputs = [
        *field("Input.Text", "agreement", maxLength=200),
        *field("Input.Text", "supplier", maxLength=200),
        *field("Input.ChoiceSet", "area", choices=AREA_CHOICES),
        *field("Input.ChoiceSet", "municipality", choices=PLACE_CHOICES),
        *field("Input.Date", "date", max=today.isoformat()),
    ]  # fmt: skip
    for n in range(1, ShareFollowUp.ROWS + 1):
        inputs += field("Input.Text", f"krav_{n}", texts("share.field.krav", n=n), maxLength=20,
                        placeholder="10699:2")  # fmt: skip
        inputs += field("Input.ChoiceSet", f"method_{n}", texts("share.field.method"),
                        choices=_choices([(m, m) for m in METHODS]))  # fmt: skip
        inputs += field("Input.ChoiceSet", f"result_{n}", texts("share.field.result"),
                        choices=_choices([(r, r) for r in RESULTS]))  # fmt: skip
    inputs += field("Input.Text", "findings", isMultiline=True, maxLength=4000)
    inputs += field("Input.Text", "link", style="Url", maxLength=500)
    return _form(texts, texts("share.followup.title"), texts("share.followup.intro"), inputs,
                 problems, button(ShareFollowUp))  # fmt: skip


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
                    fact("area", AREAS[item.area]),
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
                fact("area", AREAS[item.area]),
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
    sections = []
    for item in items[:20]:
        if isinstance(item, MarketAnalysis):
            heading, text = item.title, item.summary
        else:
            heading = item.agreement
            text = ", ".join(f"{c.krav_id} {c.result}" for c in item.checks)
        title = f"{shorten(heading, 120)} · {item.municipality} · {item.date}"
        sections.append({"title": title, "text": shorten(text, 300)})
    return render(
        "criterion",
        {
            "name": title,
            "facts": [],
            "sections": sections or [{"title": "", "text": texts("list.empty")}],
        },
    )


def followup_summary_text(summary: FollowUpSummary, texts: Texts) -> str | None:
    """How others followed a criterion up, in one paragraph (None when nobody has)."""
    if not summary.reports:
        return None
    methods = ", ".join(f"{m} ({n})" for m, n in summary.methods.most_common())
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
