"""Cards for planned procurements: the "ny upphandling" form, the plan with what the node
suggests (criteria, shared work, municipalities buying the same), the region's next twelve
months, and the introduction, coordination and nudge messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.criteria import AREAS, Criterion
from bot.i18n import Texts, texts_for
from bot.procurements import STAGES, VALUE_BANDS, Procurement
from bot.sharing import FollowUpReport, MarketAnalysis
from cards._basic import message_card
from cards._render import Card, Markdown, escape_markdown, render
from cards._sharing import AREA_CHOICES, PLACE_CHOICES, _form, _input
from cards.actions import (
    BookEarly,
    Coordinate,
    CreateProcurement,
    ProcurementToAgreement,
    ShowCriterion,
    UpdateProcurement,
    button,
    payload,
)


def procurement_form_card(
    texts: Texts, values: dict[str, str] | None = None, problems: dict[str, str] | None = None
) -> Card:
    values, problems = values or {}, problems or {}

    def field(kind: str, name: str, **extra: Any) -> list[dict[str, Any]]:
        error = texts(problems[name]) if name in problems else None
        return _input(kind, name, texts(f"procurement.field.{name}"), values.get(name, ""),
                      error, **extra)  # fmt: skip

    stages = [{"title": texts(f"stage.{s}"), "value": s} for s in STAGES]
    bands = [{"title": texts(f"value.{b}"), "value": b} for b in VALUE_BANDS]
    inputs = [
        *field("Input.ChoiceSet", "municipality", choices=PLACE_CHOICES),
        *field("Input.Text", "title", maxLength=200),
        *field("Input.ChoiceSet", "area", choices=AREA_CHOICES),
        *field("Input.Text", "product_group", maxLength=200),
        *field("Input.ChoiceSet", "stage", choices=stages),
        *field("Input.Text", "announce", maxLength=7, placeholder="2027-03"),
        *field("Input.Date", "contract_start"),
        *field("Input.ChoiceSet", "value_band", choices=bands),
        *field("Input.Text", "contact", style="Email", maxLength=254),
        *field("Input.Toggle", "open_to_coordinate", valueOn="true", valueOff="false",
               title=texts("procurement.field.open_to_coordinate")),
        *field("Input.Toggle", "shared", valueOn="true", valueOff="false",
               title=texts("procurement.field.shared")),
    ]  # fmt: skip
    for element in inputs:
        if element.get("type") == "Input.Toggle":
            element.pop("label", None)
            element.setdefault("value", "true")
    return _form(texts, texts("procurement.form.title"), texts("procurement.form.intro"),
                 inputs, problems, button(CreateProcurement))  # fmt: skip


def procurement_card(
    plan: Procurement,
    texts: Texts,
    *,
    suggested: Sequence[Criterion] = (),
    shared: Sequence[MarketAnalysis | FollowUpReport] = (),
    group: Sequence[Procurement] = (),
    notice: str = "",
) -> Card:
    facts = [
        {"title": texts("procurement.field.municipality"), "value": plan.municipality},
        {"title": texts("procurement.field.area"), "value": AREAS.get(plan.area, plan.area)},
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
    if others and plan.open_to_coordinate:
        actions.append({"type": "Action.Submit", "title": texts("procurement.coordinate"),
                        "data": payload(Coordinate(plan.key))})  # fmt: skip
    if not plan.ticket and not plan.expert:
        actions.append({"type": "Action.Submit", "title": texts("procurement.book"),
                        "data": payload(BookEarly(plan.key))})  # fmt: skip
    if plan.stage == "avtal" and not plan.agreement:
        actions.append({"type": "Action.Submit", "title": texts("plan.register"),
                        "data": payload(ProcurementToAgreement(plan.key))})  # fmt: skip
    stages = [{"title": texts(f"stage.{s}"), "value": s} for s in STAGES]
    actions.append({
        "type": "Action.ShowCard", "title": texts("procurement.update"),
        "card": {"type": "AdaptiveCard", "body": [
            {"type": "Input.ChoiceSet", "id": "stage", "label": texts("procurement.field.stage"),
             "choices": stages, "value": plan.stage},
            {"type": "Input.Text", "id": "announce", "label": texts("procurement.field.announce"),
             "value": f"{plan.announce:%Y-%m}", "maxLength": 7},
            {"type": "Input.Date", "id": "contract_start",
             "label": texts("procurement.field.contract_start"),
             "value": plan.contract_start.isoformat()},
        ], "actions": [{"type": "Action.Submit", "title": texts("procurement.save"),
                        "data": button(UpdateProcurement, key=plan.key)}]},
    })  # fmt: skip
    actions += [{"type": "Action.Submit", "title": f"{texts('action.full')}: {c.krav_id}",
                 "data": payload(ShowCriterion(c.key))} for c in suggested[:1]]  # fmt: skip
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
    """The region's next twelve months, by area; plans in an overlapping group are marked."""
    overlapping = {p.key for group in groups for p in group}
    sections = []
    for area in dict.fromkeys(p.area for p in plans):
        lines = [f"{p.announce:%Y-%m} · {p.municipality} · {p.title}"
                 + (f" · {texts('procurement.overlap_mark')}" if p.key in overlapping else "")
                 for p in plans if p.area == area]  # fmt: skip
        sections.append({"title": AREAS.get(area, area), "text": "\n\n".join(lines[:15])})
    empty = [{"title": "", "text": texts("procurement.none")}]
    return render("criterion", {"name": texts("procurement.upcoming"), "facts": [],
                                "sections": sections or empty})  # fmt: skip


class ProcurementPresenter:
    """The plans' messages (their `ProcurementCards` port)."""

    def __init__(self, node_locale: str = "sv") -> None:
        self._node_texts = texts_for(node_locale)

    def introduction(self, plan: Procurement, others: list[Procurement], locale: str) -> Card:
        texts = texts_for(locale)
        return procurement_card(plan, texts, group=[plan, *others],
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
        return procurement_card(plan, texts, notice=notice)
