"""Cards for planned procurements: the "ny upphandling" form, the plan with what the node
suggests (criteria, shared work, municipalities buying the same), the region's next twelve
months, and the introduction, coordination and nudge messages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from bot.criteria import Criterion
from bot.i18n import Texts, texts_for
from bot.procurements import Procurement
from bot.procurements.forms import PLAN_UPDATE, PROCUREMENT
from bot.sharing import FollowUpReport, MarketAnalysis
from cards._basic import list_card, message_card, row
from cards._forms import form_card, shown_card
from cards._render import Card, Markdown, escape_markdown, render
from cards.actions import (
    BookEarly,
    Coordinate,
    CreateProcurement,
    ProcurementToAgreement,
    ShowCriterion,
    ShowProcurement,
    UpdateProcurement,
    button,
    execute,
)


def procurement_form_card(
    texts: Texts,
    today: date,
    values: Mapping[str, str] | None = None,
    problems: Mapping[str, str] | None = None,
) -> Card:
    """The "ny upphandling" form (bot/procurements/forms.py)."""
    return form_card(PROCUREMENT, texts, button(CreateProcurement), today, values, problems)


def procurement_card(
    plan: Procurement,
    texts: Texts,
    *,
    suggested: Sequence[Criterion] = (),
    shared: Sequence[MarketAnalysis | FollowUpReport] = (),
    group: Sequence[Procurement] = (),
    notice: str = "",
    editable: bool = False,
    today: date | None = None,
) -> Card:
    """The plan with what the node suggests and what can be done with it: the buttons that
    change it only when `editable` (for those who may), its update form only with `today`
    too (it bounds the form's dates)."""
    facts = [
        {"title": texts("procurement.field.municipality"), "value": plan.municipality},
        {"title": texts("procurement.field.area"), "value": texts.area(plan.area)},
        {"title": texts("procurement.field.product_group"), "value": plan.product_group or "–"},
        {"title": texts("procurement.field.stage"), "value": texts(f"stage.{plan.stage}")},
        {"title": texts("procurement.field.announce"), "value": f"{plan.announce:%Y-%m}"},
        {"title": texts("procurement.field.contract_start"),
         "value": plan.contract_start.isoformat()},
        {"title": texts("procurement.expert"),
         "value": plan.expert_name or (texts("procurement.booked", number=plan.ticket)
                                       if plan.ticket else texts("procurement.no_expert"))},
    ]  # fmt: skip
    sections = []
    if suggested:
        lines = "\n".join(f"- {escape_markdown(c.krav_id)} {escape_markdown(c.name)} "
                          f"({texts(f'level.{c.level.value}')})" for c in suggested)  # fmt: skip
        sections.append({"title": texts("procurement.suggested"), "text": Markdown(lines)})
    if shared:
        lines = "\n".join(f"- {escape_markdown(_shared_title(item))} ({item.municipality})"
                          for item in shared[:5])  # fmt: skip
        sections.append({"title": texts("procurement.shared"), "text": Markdown(lines)})
    others = [p for p in group if p.key != plan.key]
    if others:
        sections.append({"title": texts("procurement.overlap"), "text": _timelines(others)})
    actions: list[dict[str, Any]] = []
    if editable and others and plan.open_to_coordinate:
        actions.append(execute(texts("procurement.coordinate"), Coordinate(plan.key)))
    if editable and not plan.ticket and not plan.expert:
        actions.append(execute(texts("procurement.book"), BookEarly(plan.key)))
    if editable and plan.stage == "avtal" and not plan.agreement:
        actions.append(execute(texts("plan.register"), ProcurementToAgreement(plan.key)))
    if editable and today is not None:
        current = {"stage": plan.stage, "announce": f"{plan.announce:%Y-%m}",
                   "contract_start": plan.contract_start.isoformat()}  # fmt: skip
        send = button(UpdateProcurement, key=plan.key)
        actions.append(shown_card(PLAN_UPDATE, texts, send, today, current))
    actions += [execute(f"{texts('action.full')}: {c.krav_id}", ShowCriterion(c.key))
                for c in suggested[:1]]  # fmt: skip
    return render("followup", {
        "title": texts("procurement.title", title=plan.title), "lead": notice or None,
        "lead_color": "Good", "facts": facts, "sections": sections, "joint": None,
        "actions": actions,
    })  # fmt: skip


def _shared_title(item: MarketAnalysis | FollowUpReport) -> str:
    return item.title if isinstance(item, MarketAnalysis) else item.agreement


def _timelines(plans: Sequence[Procurement]) -> str:
    # Paragraphs, not lines: Adaptive Cards' markdown joins single line breaks.
    return "\n\n".join(f"{p.municipality}: {p.title}, {p.announce:%Y-%m} ({_contact(p)})"
                       for p in plans)  # fmt: skip


def _contact(plan: Procurement) -> str:
    """The contact's address; a Teams-only contact (no address) by name, when known."""
    return plan.contact if "@" in plan.contact else (plan.contact_name or "–")


def upcoming_card(
    plans: Sequence[Procurement], groups: Sequence[Sequence[Procurement]], texts: Texts
) -> Card:
    """The region's next twelve months as rows, each opening its plan; plans in an
    overlapping group are marked."""
    overlapping = {p.key for group in groups for p in group}
    rows = [
        row(f"{p.title} · {p.municipality}",
            f"{texts.area(p.area)} · {p.announce:%Y-%m}",
            texts("procurement.overlap_mark") if p.key in overlapping else "",
            ShowProcurement(p.key))
        for p in plans
    ]  # fmt: skip
    return list_card(texts("procurement.upcoming"), rows, texts("procurement.none"))


class ProcurementPresenter:
    """The plans' messages (their `ProcurementCards` port)."""

    def __init__(self, node_locale: str = "sv") -> None:
        self._node_texts = texts_for(node_locale)

    def introduction(self, plan: Procurement, others: list[Procurement], locale: str) -> Card:
        texts = texts_for(locale)
        return procurement_card(plan, texts, group=[plan, *others], editable=True,
                                notice=texts("procurement.introduced"))  # fmt: skip

    def coordinated(self, group: list[Procurement]) -> Card:
        texts = self._node_texts
        names = ", ".join(sorted({p.municipality for p in group}))
        text = texts("procurement.coordinated", names=names, title=group[0].title)
        return message_card(
            Markdown(f"{escape_markdown(text)}\n\n{escape_markdown(_timelines(group))}")
        )

    def nudge(self, plan: Procurement, locale: str) -> Card:
        texts = texts_for(locale)
        notice = texts("procurement.nudge", month=f"{plan.announce:%Y-%m}")
        return procurement_card(plan, texts, notice=notice, editable=True)
