"""Cards for agreements and their follow-ups: the "nytt avtal" form, an agreement with its
follow-ups, lists whose rows open what they name, and the follow-up card (the reminder) with
its four forms that open in place: record a result, postpone, hand over, ask an expert; and
taking a joint follow-up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from bot.agreements import Agreement, DueItem, FollowUp, JointTake
from bot.agreements.forms import AGREEMENT, EXPERT_SUPPORT, HAND_OVER, POSTPONE, RESULT
from bot.agreements.model import Signed, drift
from bot.criteria import Criterion
from bot.criteria.library import Change
from bot.i18n import Texts, texts_for
from bot.sharing import FollowUpSummary
from cards._basic import list_card, message_card, row
from cards._forms import form_card, shown_card
from cards._render import Card, Markdown, escape_markdown, render
from cards._sharing import followup_summary_text
from cards.actions import (
    CreateAgreement,
    ExpertSupport,
    HandOver,
    PostponeFollowUp,
    RecordResult,
    ReleaseJoint,
    ShowAgreement,
    ShowFollowUp,
    TakeJoint,
    button,
    execute,
)
from cards.library import change_line

_LEAD_COLORS = {"before": "Accent", "due": "Warning"}


def agreement_form_card(
    texts: Texts,
    today: date,
    values: Mapping[str, str] | None = None,
    problems: Mapping[str, str] | None = None,
    procurement: str = "",
) -> Card:
    """The "nytt avtal" form (bot/agreements/forms.py); a plan it comes from travels with it,
    so the two are linked."""
    send = button(CreateAgreement, procurement=procurement)
    return form_card(AGREEMENT, texts, send, today, values, problems)


def agreement_card(
    agreement: Agreement,
    texts: Texts,
    notice: str = "",
    followups: Sequence[FollowUp] = (),
) -> Card:
    """An agreement: its facts, its criteria, and each criterion's next follow-up to open."""
    criteria = ", ".join(
        f"{c.krav_id} ({texts(f'level.{c.level}')}, {texts(f'interval.{c.interval}')})"
        for c in agreement.criteria
    )
    actions = [
        execute(texts("agreement.open_followup", base=f.base,
                      due=texts("followup.finished") if f.finished else f.due.isoformat()),
                ShowFollowUp(agreement.key, f.base))
        for f in followups[:5]
    ]  # fmt: skip
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
            "actions": actions,
        },
    )


def _agreement_facts(agreement: Agreement, texts: Texts) -> list[dict[str, str]]:
    return [
        {"title": texts("agreement.field.municipality"), "value": agreement.municipality},
        {"title": texts("agreement.field.supplier"),
         "value": f"{agreement.supplier} ({agreement.org_number})"},
        {"title": texts("agreement.period"),
         "value": f"{agreement.start.isoformat()} – {agreement.end.isoformat()}"},
        {"title": texts("agreement.responsible"), "value": _responsible(agreement, texts)},
    ]  # fmt: skip


def _responsible(agreement: Agreement, texts: Texts) -> str:
    if not agreement.responsible:
        return texts("agreement.nobody")
    if agreement.responsible.startswith("teams:"):  # registered without an address
        return agreement.responsible_name or texts("agreement.teams_user")
    return agreement.responsible


def agreement_list_card(title: str, agreements: Sequence[Agreement], texts: Texts) -> Card:
    """Agreements as rows, each opening its agreement and follow-ups."""
    rows = [
        row(f"{a.title} · {a.supplier}",
            f"{a.municipality} · {a.start.isoformat()} – {a.end.isoformat()}",
            ", ".join(c.krav_id for c in a.criteria), ShowAgreement(a.key))
        for a in agreements
    ]  # fmt: skip
    return list_card(title, rows, texts("agreement.none"))


def due_list_card(title: str, items: Sequence[DueItem], texts: Texts) -> Card:
    """Follow-ups due as rows, overdue first, each opening its follow-up card."""
    rows = []
    for item in items:
        status = texts("followup.overdue") if item.overdue else texts("followup.due_soon")
        names = ", ".join(item.joint_with)
        joint = f" · {texts('joint.with', names=names)}" if item.joint_with else ""
        rows.append(row(
            f"{item.agreement.title} · {item.followup.base}",
            f"{item.agreement.municipality} · {item.agreement.supplier}",
            f"{texts('followup.due')} {item.followup.due.isoformat()} ({status}){joint}",
            ShowFollowUp(item.agreement.key, item.followup.base),
        ))  # fmt: skip
    return list_card(title, rows, texts("followup.none"))


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
    signed = agreement.criterion(followup.base)
    text: Signed | Criterion | None = signed.signed if signed and signed.signed else criterion
    if text is not None:  # what the supplier signed, when the node kept it
        sections = [
            {"title": texts("criterion.kravtext"), "text": _short(text.kravtext)},
            {"title": texts("criterion.verifikat"), "text": _short(text.verifikat)},
            {"title": texts("criterion.uppfoljning"), "text": _short(text.uppfoljning)},
        ]
    if signed is not None and signed.signed is not None:
        moved = _drift_line(signed.signed, criterion, followup.base, texts)
        if moved:
            sections.insert(0, {"title": texts("signed.title"), "text": Markdown(moved)})
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


def _drift_line(signed: Signed, current: Criterion | None, base: str, texts: Texts) -> str:
    """What the library did to the criterion since the agreement was signed; "" if nothing."""
    moved = drift(signed, current)
    if moved.withdrawn:
        return texts("signed.withdrawn", day=moved.withdrawn, version=signed.version)
    if moved.library_version is None:
        return texts("signed.gone", version=signed.version)
    if not moved.fields:
        return ""
    fields = ", ".join(texts(f"criterion.{f}" if f != "name" else "criterion.name")
                       for f in moved.fields)  # fmt: skip
    return texts("signed.changed", version=signed.version, now=moved.library_version,
                 fields=fields.lower(), base=base)  # fmt: skip


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
    """The four forms, each opening in place (their declarations: bot/agreements/forms.py),
    and taking or releasing the joint follow-up."""
    key, base = item.agreement.key, item.followup.base
    actions = [
        shown_card(RESULT, texts, button(RecordResult, agreement=key, base=base), today,
                   {"done_on": today.isoformat()}),
        shown_card(POSTPONE, texts, button(PostponeFollowUp, agreement=key, base=base), today),
        shown_card(HAND_OVER, texts, button(HandOver, agreement=key, base=base), today),
        shown_card(EXPERT_SUPPORT, texts, button(ExpertSupport, agreement=key, base=base), today),
    ]  # fmt: skip
    if item.joint_with and item.joint is None:
        actions.append(execute(texts("joint.take"), TakeJoint(key, base)))
    elif item.joint is not None and item.joint.taker == viewer:
        actions.append(execute(texts("joint.release"), ReleaseJoint(key, base)))
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

    def library_changed(
        self, item: DueItem, locale: str, criterion: Criterion | None, today: date
    ) -> Card:
        """The follow-up card, led by the news that its criterion changed in the library."""
        texts = texts_for(locale)
        notice = texts("signed.notice", base=item.followup.base, title=item.agreement.title)
        return followup_card(item, texts, criterion, None, today=today, notice=notice)

    def library_summary(self, area: str, changes: list[Change], locale: str) -> Card:
        texts = texts_for(locale)
        text = texts("library.summary", area=texts.area(area), count=len(changes))
        listed = "\n".join(f"- {escape_markdown(change_line(c, texts))}" for c in changes)
        return message_card(Markdown(f"{escape_markdown(text)}\n\n{listed}"))

    def joint_taken(self, item: DueItem, taker: JointTake, locale: str) -> Card:
        texts = texts_for(locale)
        text = texts("joint.taken_notice", name=escape_markdown(taker.taker_name),
                     municipality=taker.taker_municipality, supplier=item.agreement.supplier,
                     base=item.followup.base)  # fmt: skip
        return message_card(Markdown(text))
