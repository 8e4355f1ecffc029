"""Cards for expert routing: the ask form, the ticket as each viewer sees it, lists, notices.

The ticket card uses Universal Actions: buttons are Action.Execute, and `refresh` names the
people whose client fetches their own view (asker, assignee, experts), so one channel message
shows each of them the buttons that fit them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.criteria import AREAS
from bot.fields import ANSWER, QUESTION
from bot.i18n import Notice, Texts, texts_for
from bot.places import MUNICIPALITIES
from bot.routing.network import Expert, Network
from bot.routing.service import ROLE_ASKER, ROLE_ASSIGNEE, ROLE_EXPERT, ROLE_OTHER
from bot.routing.tickets import ANSWERED, CLAIMED, Ticket
from cards._basic import message_card
from cards._render import Card, Markdown, escape_markdown, render, shorten
from cards.actions import (
    AnswerTicket,
    AskExpert,
    ClaimTicket,
    CreateTicket,
    Feedback,
    ReassignTicket,
    RefreshTicket,
    ReleaseTicket,
    ShowTicket,
    button,
    payload,
)

# Teams refreshes a card automatically for at most 60 listed users.
MAX_REFRESH_USERS = 60
_WEEKDAYS = {
    "sv": ("mån", "tis", "ons", "tors", "fre", "lör", "sön"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
_MONTHS = {
    "sv": ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}

__all__ = ["ROLE_ASKER", "ROLE_ASSIGNEE", "ROLE_EXPERT", "ROLE_OTHER", "TicketCards"]
# A notice's tone, as Adaptive Cards colour it.
TONE_COLORS = {"good": "Good", "info": "Accent", "warning": "Warning", "attention": "Attention"}


def format_moment(epoch: float, zone: ZoneInfo, language: str) -> str:
    moment = datetime.fromtimestamp(epoch, zone)
    days, months = _WEEKDAYS[language], _MONTHS[language]
    return f"{days[moment.weekday()]} {moment.day} {months[moment.month - 1]} {moment:%H:%M}"


def ask_form_card(
    texts: Texts,
    *,
    question: str = "",
    area: str = "",
    municipality: str = "",
    consent: bool = False,  # opt-in: publishing is the asker's choice
    error: str | None = None,
    field: str = "",  # the input the error is about, marked below it
) -> Card:
    return render(
        "ask_form",
        {
            "title": texts("ask.title"),
            "intro": texts("ask.intro"),
            # With the problem marked at its field, the top says only that one needs fixing.
            "error": texts("share.error.form") if field and error else error,
            "question_label": texts("ask.question"),
            "question_max": QUESTION.max,
            "question_error": texts("ask.question_error"),
            "question": question,
            "area_label": texts("ask.area"),
            "area": area or None,
            "areas": [{"title": name, "value": slug} for slug, name in AREAS.items()],
            "municipality_label": texts("ask.municipality"),
            "municipality": municipality or None,
            "municipalities": [{"title": m, "value": m} for m in MUNICIPALITIES],
            "consent_label": texts("ask.consent"),
            "consent": "true" if consent else "false",
            "send_title": texts("ask.send"),
            "send_verb": CreateTicket.VERB,
            "send_data": button(CreateTicket),
            "marks": {field: "⚠ " + error} if field and error else {},
        },
    )


def receipt_card(ticket: Ticket, experts: Sequence[Expert], texts: Texts, zone: ZoneInfo) -> Card:
    if not ticket.posted:
        text = texts("ask.receipt_pending", number=ticket.number)
    elif not experts:
        text = texts("ask.receipt_nobody", number=ticket.number)
    else:
        names = ", ".join(
            f"{escape_markdown(e.name)} ({escape_markdown(e.municipality)})" for e in experts
        )
        deadline = format_moment(ticket.deadline, zone, texts.language)
        text = texts("ask.receipt", number=ticket.number, experts=names, deadline=deadline)
    return render("message", {"title": None, "text": Markdown(text)})


def ticket_card(
    ticket: Ticket,
    role: str,
    texts: Texts,
    zone: ZoneInfo,
    *,
    expert_of: Callable[[str], Expert | None],
    area_experts: Sequence[Expert] = (),
    on_call: Expert | None = None,
    notice: str | None = None,
    notice_color: str = "Good",
    draft: str = "",
) -> Card:
    language = texts.language
    assignee = expert_of(ticket.assignee) if ticket.assignee else None
    facts = [
        {"title": texts("ticket.area"), "value": AREAS.get(ticket.area, ticket.area)},
        {"title": texts("ticket.municipality"), "value": ticket.municipality},
        {"title": texts("ticket.asked"), "value": format_moment(ticket.created_at, zone, language)},
    ]
    if ticket.state != ANSWERED:
        facts.append(
            {
                "title": texts("ticket.deadline"),
                "value": format_moment(ticket.deadline, zone, language),
            }
        )
    status, color = _status(ticket, assignee, texts, zone)
    if ticket.state != ANSWERED and ticket.escalation:
        status += " · " + texts(f"ticket.escalated.{min(ticket.escalation, 2)}")
    if ticket.state == "open" and ticket.skipped:
        names = ", ".join(e.name for i in ticket.skipped if (e := expert_of(i)) is not None)
        status += " · " + texts("ticket.skipped", names=names)
    actions: list[dict[str, Any]] = []
    answer_form = publish_form = False
    reassign_choices: list[dict[str, str]] | None = None
    if role in (ROLE_EXPERT, ROLE_ASSIGNEE) and ticket.state != ANSWERED:
        if ticket.state != CLAIMED:
            actions.append(
                _execute(texts("ticket.claim"), payload(ClaimTicket(ticket.number)), "positive")
            )
        elif role == ROLE_ASSIGNEE:
            answer_form = True
            publish_form = ticket.consent_publish
            actions.append(
                _execute(
                    texts("ticket.send_answer"),
                    button(AnswerTicket, number=ticket.number),
                    "positive",
                )
            )
            actions.append(_execute(texts("ticket.release"), payload(ReleaseTicket(ticket.number))))
            others = [e for e in area_experts if e.id != ticket.assignee]
            if others:
                reassign_choices = [
                    {"title": f"{e.name} ({e.municipality})", "value": e.id} for e in others
                ]
                actions.append(
                    _execute(texts("ticket.reassign"), button(ReassignTicket, number=ticket.number))
                )
    mention, msteams = None, None
    if ticket.state != ANSWERED and on_call is not None and on_call.teams_id and role == ROLE_OTHER:
        tag = f"<at>{on_call.name}</at>"
        mention = Markdown(texts("ticket.oncall", mention=tag))
        msteams = {
            "width": "Full",
            "entities": [
                {
                    "type": "mention",
                    "text": tag,
                    "mentioned": {"id": on_call.teams_id, "name": on_call.name},
                }
            ],
        }
    return render(
        "ticket",
        {
            "title": texts("ticket.title_early" if ticket.kind == "early" else "ticket.title",
                           number=ticket.number),
            "mention": mention,
            "msteams": msteams,
            "refresh": _refresh(ticket, area_experts, expert_of),
            "facts": facts,
            "question_label": texts("ticket.question"),
            "question": ticket.question,
            "status": status,
            "status_color": color,
            "answer_label": texts("ticket.answer"),
            "answer": ticket.answer or None,
            "notice": notice,
            "notice_color": notice_color,
            "answer_form": answer_form,
            "answer_input_label": texts("ticket.answer_label"),
            "answer_max": ANSWER.max,
            # A too-long answer comes back cut to the limit: the card must fit in Teams.
            "draft": draft[: ANSWER.max] or None,
            "publish_form": publish_form,
            "publish_label": texts("ticket.publish"),
            "reassign_choices": reassign_choices,
            "reassign_label": texts("ticket.reassign_label"),
            "actions": actions,
        },
    )  # fmt: skip


def _status(
    ticket: Ticket, assignee: Expert | None, texts: Texts, zone: ZoneInfo
) -> tuple[str, str]:
    """The ticket's state in words, and the colour the card shows it in."""
    language = texts.language
    if ticket.state == CLAIMED and assignee is not None and ticket.claimed_at:
        since = format_moment(ticket.claimed_at, zone, language)
        text = texts("ticket.status.claimed", name=assignee.name,
                     municipality=assignee.municipality, since=since)  # fmt: skip
        return text, "Accent"
    if ticket.state == ANSWERED and assignee is not None and ticket.answered_at:
        at = format_moment(ticket.answered_at, zone, language)
        text = texts("ticket.status.answered", name=assignee.name,
                     municipality=assignee.municipality, at=at)  # fmt: skip
        return text, "Good"
    return texts("ticket.status.open"), "Warning"


def _execute(title: str, data: dict[str, Any], style: str | None = None) -> dict[str, Any]:
    verb = data["verb"]
    return {"title": title, "verb": verb, "data": data, "style": style}


def _refresh(
    ticket: Ticket, area_experts: Sequence[Expert], expert_of: Callable[[str], Expert | None]
) -> dict[str, Any]:
    users = [ticket.asker_id]
    assignee = expert_of(ticket.assignee) if ticket.assignee else None
    if assignee and assignee.teams_id:
        users.append(assignee.teams_id)
    users += [e.teams_id for e in area_experts if e.teams_id]
    unique = list(dict.fromkeys(u for u in users if u))[:MAX_REFRESH_USERS]
    data = payload(RefreshTicket(ticket.number))
    return {
        "action": {"type": "Action.Execute", "verb": data["verb"], "data": data},
        "userIds": unique,
    }


def ticket_list_card(
    title: str,
    tickets: Sequence[Ticket],
    texts: Texts,
    zone: ZoneInfo,
    expert_of: Callable[[str], Expert | None],
) -> Card:
    rows = []
    for ticket in tickets:
        assignee = expert_of(ticket.assignee) if ticket.assignee else None
        status, _ = _status(ticket, assignee, texts, zone)
        rows.append(
            {
                "heading": texts(
                    "list.heading", number=ticket.number, area=AREAS.get(ticket.area, ticket.area)
                ),
                "question": shorten(ticket.question, 200),
                "status": status,
                "data": payload(ShowTicket(ticket.number)),
            }
        )
    return render(
        "ticket_list",
        {"title": title, "empty": None if rows else texts("list.empty"), "tickets": rows},
    )  # fmt: skip


def answer_notice_card(ticket: Ticket, expert: Expert, texts: Texts) -> Card:
    """What the asker receives: the answer, "Hjälpte det?" and a follow-up question."""
    followup = AskExpert(f"#{ticket.number}: ", ticket.area)
    about = (ticket.question, (f"ticket-{ticket.number}",))
    answered_by = texts("notice.answered_by", name=expert.name, municipality=expert.municipality)
    return render(
        "criterion",
        {
            "name": texts("notice.answer_title", number=ticket.number),
            "facts": [],
            "sections": [
                {"title": texts("ticket.question"), "text": shorten(ticket.question, 500)},
                {"title": answered_by, "text": ticket.answer},
            ],
            "actions": [
                {"title": f"{texts('action.helped')} {texts('action.yes')}",
                 "data": payload(Feedback.about(about[0], True, about[1]))},
                {"title": f"{texts('action.helped')} {texts('action.no')}",
                 "data": payload(Feedback.about(about[0], False, about[1]))},
                {"title": texts("notice.followup"), "data": payload(followup)},
            ],
        },
    )  # fmt: skip


class TicketCards:
    """The cards routing sends (its `TicketCards` port): the experts' channel and the experts'
    1:1 notices in the node's language, everything to the asker in the asker's."""

    def __init__(self, zone: ZoneInfo, node_locale: str = "sv") -> None:
        self._zone = zone
        self._node_texts = texts_for(node_locale)

    def channel(
        self,
        ticket: Ticket,
        network: Network,
        area_experts: Sequence[Expert],
        on_call: Expert | None = None,
    ) -> Card:
        return ticket_card(
            ticket, ROLE_OTHER, self._node_texts, self._zone, expert_of=network.experts.get,
            area_experts=area_experts, on_call=on_call,
        )  # fmt: skip

    def expert_notice(
        self, ticket: Ticket, network: Network, area_experts: Sequence[Expert], notice: Notice
    ) -> Card:
        texts = self._node_texts
        return ticket_card(
            ticket, ROLE_EXPERT, texts, self._zone, expert_of=network.experts.get,
            area_experts=area_experts, notice=notice.message(texts), notice_color="Accent",
        )  # fmt: skip

    def receipt(self, ticket: Ticket, experts: Sequence[Expert]) -> Card:
        return receipt_card(ticket, experts, texts_for(ticket.asker_locale), self._zone)

    def asker_notice(self, ticket: Ticket, notice: Notice) -> Card:
        return message_card(notice.message(texts_for(ticket.asker_locale)))

    def answer(self, ticket: Ticket, expert: Expert) -> Card:
        return answer_notice_card(ticket, expert, texts_for(ticket.asker_locale))
