"""Cards for agreements and their follow-ups: the "nytt avtal" form, lists, and the follow-up
card (the reminder) with its four actions, each a form that opens in place (Action.ShowCard):
record a result, postpone, hand over, ask an expert; and taking a joint follow-up."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from bot.agreements import Agreement, DueItem, JointTake
from bot.agreements.model import INTERVALS, RESULTS
from bot.criteria import Criterion
from bot.i18n import Texts, texts_for
from bot.sharing import METHODS, FollowUpSummary
from cards._basic import message_card
from cards._render import Card, Markdown, escape_markdown, render
from cards._sharing import AREA_CHOICES, PLACE_CHOICES, _form, _input, followup_summary_text
from cards.actions import (
    CreateAgreement,
    ExpertSupport,
    HandOver,
    PostponeFollowUp,
    RecordResult,
    ReleaseJoint,
    ShowFollowUp,
    TakeJoint,
    button,
    payload,
)

_LEAD_COLORS = {"before": "Accent", "due": "Warning"}


def agreement_form_card(
    texts: Texts, values: dict[str, str] | None = None, problems: dict[str, str] | None = None
) -> Card:
    values, problems = values or {}, problems or {}

    def field(kind: str, name: str, **extra: Any) -> list[dict[str, Any]]:
        error = texts(problems[name]) if name in problems else None
        label = texts(f"agreement.field.{name}")
        return _input(kind, name, label, values.get(name, ""), error, **extra)

    intervals = [{"title": texts(f"interval.{key}"), "value": key} for key in INTERVALS]
    inputs = [
        *field("Input.ChoiceSet", "municipality", choices=PLACE_CHOICES),
        *field("Input.Text", "title", maxLength=200),
        *field("Input.ChoiceSet", "area", choices=AREA_CHOICES),
        *field("Input.Text", "product_group", maxLength=200),
        *field("Input.Text", "supplier", maxLength=200),
        *field("Input.Text", "org_number", maxLength=20, placeholder="556036-0793"),
        *field("Input.Toggle", "framework", title=texts("agreement.field.framework"),
               valueOn="true", valueOff="false"),
        *field("Input.Date", "start"),
        *field("Input.Date", "end"),
        *field("Input.Text", "responsible", style="Email", maxLength=254),
        *field("Input.Text", "criteria", maxLength=500, placeholder="11567, 10699:2 avancerad"),
        *field("Input.ChoiceSet", "interval", choices=intervals),
        *field("Input.Toggle", "shared", title=texts("agreement.field.shared"),
               valueOn="true", valueOff="false"),
    ]  # fmt: skip
    for element in inputs:  # the toggles' own title says it; no label above them
        if element.get("type") == "Input.Toggle":
            element.pop("label", None)
            element.setdefault("value", "true" if element["id"] == "shared" else "false")
    # A plan that became an agreement travels with the form, so the two are linked.
    send = button(CreateAgreement, procurement=values.get("procurement", ""))
    return _form(texts, texts("agreement.form.title"), texts("agreement.form.intro"), inputs,
                 problems, send)  # fmt: skip


def agreement_card(agreement: Agreement, texts: Texts, notice: str = "") -> Card:
    criteria = ", ".join(
        f"{c.krav_id} ({texts(f'level.{c.level}')}, {texts(f'interval.{c.interval}')})"
        for c in agreement.criteria
    )
    return render(
        "followup",
        {
            "title": texts("agreement.title", title=agreement.title),
            "lead": notice or None,
            "lead_color": "Good",
            "facts": [
                *_agreement_facts(agreement, texts),
                {"title": texts("agreement.criteria"), "value": criteria},
            ],
            "sections": [],
            "actions": [],
        },
    )


def _agreement_facts(agreement: Agreement, texts: Texts) -> list[dict[str, str]]:
    return [
        {"title": texts("agreement.field.municipality"), "value": agreement.municipality},
        {"title": texts("agreement.field.supplier"),
         "value": f"{agreement.supplier} ({agreement.org_number})"},
        {"title": texts("agreement.period"),
         "value": f"{agreement.start.isoformat()} – {agreement.end.isoformat()}"},
        {"title": texts("agreement.field.responsible"), "value": _responsible(agreement, texts)},
    ]  # fmt: skip


def _responsible(agreement: Agreement, texts: Texts) -> str:
    if not agreement.responsible:
        return texts("agreement.nobody")
    if agreement.responsible.startswith("teams:"):  # registered without an address
        return agreement.responsible_name or texts("agreement.teams_user")
    return agreement.responsible


def agreement_list_card(title: str, agreements: Sequence[Agreement], texts: Texts) -> Card:
    sections = [
        {"title": f"{a.title} · {a.supplier}",
         "text": f"{a.municipality} · {a.start.isoformat()} – {a.end.isoformat()} · "
                 f"{', '.join(c.krav_id for c in a.criteria)}"}
        for a in agreements[:25]
    ]  # fmt: skip
    empty = [{"title": "", "text": texts("agreement.none")}]
    return render("criterion", {"name": title, "facts": [], "sections": sections or empty})


def due_list_card(title: str, items: Sequence[DueItem], texts: Texts, today: date) -> Card:
    sections = []
    for item in items[:20]:
        status = texts("followup.overdue") if item.overdue else texts("followup.due_soon")
        joint = (
            f" · {texts('joint.with', names=', '.join(item.joint_with))}" if item.joint_with else ""
        )
        sections.append({
            "title": f"{item.agreement.title} · {item.followup.base}",
            "text": f"{item.agreement.municipality} · {item.agreement.supplier} · "
                    f"{texts('followup.due')} {item.followup.due.isoformat()} ({status}){joint}",
        })  # fmt: skip
    actions = [
        {"title": f"{item.followup.base}: {item.agreement.title}"[:40],
         "data": payload(ShowFollowUp(item.agreement.key, item.followup.base))}
        for item in items[:5]
    ]  # fmt: skip
    empty = [{"title": "", "text": texts("followup.none")}]
    del today
    return render("criterion", {"name": title, "facts": [], "sections": sections or empty,
                                "actions": actions})  # fmt: skip


def followup_card(
    item: DueItem,
    texts: Texts,
    criterion: Criterion | None,
    others: FollowUpSummary | None,
    kind: str = "",
    *,
    today: date,
    viewer: str = "",
    notice: str = "",
) -> Card:
    """The follow-up as its responsible person sees it (the reminder is this card); `today`
    bounds its date inputs."""
    agreement, followup = item.agreement, item.followup
    lead = notice or (texts(f"reminder.{kind.split('-')[0]}", due=followup.due.isoformat())
                      if kind else "")  # fmt: skip
    facts = [
        {"title": texts("agreement.field.title"), "value": agreement.title},
        *_agreement_facts(agreement, texts),
        {"title": texts("followup.criterion"),
         "value": f"{followup.base} · {criterion.name}" if criterion else followup.base},
        {"title": texts("followup.due"), "value": followup.due.isoformat()},
    ]  # fmt: skip
    sections = []
    if criterion is not None:
        sections = [
            {"title": texts("criterion.kravtext"), "text": _short(criterion.kravtext)},
            {"title": texts("criterion.verifikat"), "text": _short(criterion.verifikat)},
            {"title": texts("criterion.uppfoljning"), "text": _short(criterion.uppfoljning)},
        ]
    summary = followup_summary_text(others, texts) if others is not None else None
    if summary:
        sections.append({"title": texts("followup.others"), "text": summary})
    return render(
        "followup",
        {
            "title": texts("followup.title", base=followup.base, title=agreement.title),
            "lead": lead or None,
            "lead_color": _LEAD_COLORS.get(kind, "Attention") if kind else "Good",
            "facts": facts,
            "sections": sections,
            "joint": _joint_line(item, texts),
            "actions": _actions(item, texts, viewer, today),
        },
    )


def _short(text: str, limit: int = 600) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _joint_line(item: DueItem, texts: Texts) -> str | None:
    if not item.joint_with:
        return None
    names = ", ".join(item.joint_with)
    line = texts("joint.with_supplier", names=names, supplier=item.agreement.supplier,
                 base=item.followup.base)  # fmt: skip
    if item.joint is not None:
        line += " " + texts("joint.taken_by", name=item.joint.taker_name)
    return line


def _actions(item: DueItem, texts: Texts, viewer: str, today: date) -> list[dict[str, Any]]:
    key, base = item.agreement.key, item.followup.base

    def form(
        title: str, action: type[Any], inputs: list[dict[str, Any]], send: str
    ) -> dict[str, Any]:
        return {
            "type": "Action.ShowCard",
            "title": title,
            "card": {
                "type": "AdaptiveCard",
                "body": inputs,
                # Action.Execute: a problem comes back in this card, not as a second one.
                "actions": [{"type": "Action.Execute", "title": send, "verb": action.VERB,
                             "data": button(action, agreement=key, base=base),
                             "style": "positive"}],
            },
        }  # fmt: skip

    results = [{"title": texts(f"result.{r}"), "value": r} for r in RESULTS]
    methods = [{"title": m, "value": m} for m in METHODS]
    actions = [
        form(texts("followup.record"), RecordResult, [
            {"type": "Input.ChoiceSet", "id": "result", "label": texts("followup.field.result"),
             "choices": results, "isRequired": True,
             "errorMessage": texts("followup.error.result")},
            {"type": "Input.ChoiceSet", "id": "method", "label": texts("followup.field.method"),
             "choices": methods},
            {"type": "Input.Text", "id": "checked", "label": texts("followup.field.checked"),
             "isMultiline": True, "maxLength": 2000},
            {"type": "Input.Text", "id": "finding", "label": texts("followup.field.finding"),
             "isMultiline": True, "maxLength": 4000},
            {"type": "Input.Text", "id": "action", "label": texts("followup.field.action"),
             "isMultiline": True, "maxLength": 2000},
            {"type": "Input.Date", "id": "action_date",
             "label": texts("followup.field.action_date"), "min": today.isoformat()},
            {"type": "Input.Date", "id": "done_on", "label": texts("followup.field.done_on"),
             "value": today.isoformat(), "max": today.isoformat()},
            {"type": "Input.Toggle", "id": "share", "title": texts("followup.field.share"),
             "value": "false", "valueOn": "true", "valueOff": "false"},
        ], texts("followup.send.record")),
        form(texts("followup.postpone"), PostponeFollowUp, [
            {"type": "Input.Date", "id": "new_date", "label": texts("followup.field.new_date"),
             "min": (today + timedelta(days=1)).isoformat()},
            {"type": "Input.Text", "id": "reason", "label": texts("followup.field.reason"),
             "maxLength": 500},
        ], texts("followup.send.postpone")),
        form(texts("followup.handover"), HandOver, [
            {"type": "Input.Text", "id": "to", "label": texts("followup.field.to"),
             "style": "Email", "maxLength": 254},
        ], texts("followup.send.handover")),
        form(texts("followup.expert"), ExpertSupport, [
            {"type": "Input.Text", "id": "question", "label": texts("followup.field.question"),
             "isMultiline": True, "maxLength": 1500},
        ], texts("followup.send.expert")),
    ]  # fmt: skip
    if item.joint_with and item.joint is None:
        actions.append({"type": "Action.Submit", "title": texts("joint.take"),
                        "data": payload(TakeJoint(key, base))})  # fmt: skip
    elif item.joint is not None and item.joint.taker == viewer:
        actions.append({"type": "Action.Submit", "title": texts("joint.release"),
                        "data": payload(ReleaseJoint(key, base))})  # fmt: skip
    return actions


class AgreementCards:
    """The follow-ups' cards (their `FollowUpCards` port), in the recipient's language."""

    def reminder(
        self, item: DueItem, kind: str, locale: str, criterion: Criterion | None,
        others: FollowUpSummary | None, today: date,
    ) -> Card:  # fmt: skip
        return followup_card(item, texts_for(locale), criterion, others, kind, today=today)

    def handed_over(self, agreement: Agreement, by: str, locale: str) -> Card:
        texts = texts_for(locale)
        notice = texts("agreement.handed_over", name=escape_markdown(by), title=agreement.title)
        return agreement_card(agreement, texts, notice)

    def joint_taken(self, item: DueItem, taker: JointTake, locale: str) -> Card:
        texts = texts_for(locale)
        text = texts("joint.taken_notice", name=escape_markdown(taker.taker_name),
                     municipality=taker.taker_municipality, supplier=item.agreement.supplier,
                     base=item.followup.base)  # fmt: skip
        return message_card(Markdown(text))
