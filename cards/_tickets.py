"""Cards for expert routing: the ask form, the ticket as each viewer sees it, lists, notices.

The ticket card uses Universal Actions: buttons are Action.Execute, and `refresh` names the
people whose client fetches their own view (asker, assignee, experts), so one channel message
shows each of them the buttons that fit them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.criteria import AREAS
from bot.fields import ANSWER
from bot.i18n import Notice, Texts, texts_for
from bot.routing.forms import ASK
from bot.routing.network import Expert, Network
from bot.routing.service import ROLE_ASKER, ROLE_ASSIGNEE, ROLE_EXPERT, ROLE_OTHER
from bot.routing.tickets import ANSWERED, CLAIMED, Ticket
from cards._basic import LIST_ROWS, list_card, message_card, row
from cards._forms import form_card
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
    today: date,
    values: Mapping[str, str] | None = None,
    problems: Mapping[str, str] | None = None,
) -> Card:
    """The ask form (bot/routing/forms.py): question, area, municipality, consent."""
    return form_card(ASK, texts, button(CreateTicket), today, values, problems)


def about_text(ticket: Ticket, texts: Texts) -> str | None:
    """What a question from a follow-up or a plan is about, in the reader's language."""
    about = dict(ticket.about)
    kind = about.pop("kind", "")
    if not kind or not texts.has(f"ticket.about.{kind}"):
        return None
    if "stage" in about:
        about["stage"] = texts(f"stage.{about['stage']}")
    values = {key: escape_markdown(value) for key, value in about.items()}
    return texts(f"ticket.about.{kind}", **values)


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
        {"title": texts("ticket.area"), "value": texts.area(ticket.area)},
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
            "about": about_text(ticket, texts),
            "question_label": texts("ticket.question"),
            "question": ticket.question or None,
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
    """Tickets as rows, each opening its ticket."""
    rows = []
    for ticket in tickets[:LIST_ROWS]:
        assignee = expert_of(ticket.assignee) if ticket.assignee else None
        status, _ = _status(ticket, assignee, texts, zone)
        rows.append(row(texts("list.heading", number=ticket.number, area=texts.area(ticket.area)),
                        shorten(ticket.question or about_text(ticket, texts) or "", 200), status,
                        ShowTicket(ticket.number)))  # fmt: skip
    return list_card(title, rows, texts("list.empty"))


def answer_notice_card(ticket: Ticket, expert: Expert, texts: Texts) -> Card:
    """What the asker receives: the answer, "Hjälpte det?" and a follow-up question."""
    followup = AskExpert(f"#{ticket.number}: ", ticket.area)
    answer_id = f"T{ticket.number}"  # the asker's feedback is about this answer
    answered_by = texts("notice.answered_by", name=expert.name, municipality=expert.municipality)
    question = ticket.question or about_text(ticket, texts) or ""
    return render(
        "criterion",
        {
            "name": texts("notice.answer_title", number=ticket.number),
            "facts": [],
            "sections": [
                {"title": texts("ticket.question"), "text": shorten(question, 500)},
                {"title": answered_by, "text": ticket.answer},
            ],
            "actions": [
                {"title": f"{texts('action.helped')} {texts('action.yes')}",
                 "data": payload(Feedback(answer_id, True))},
                {"title": f"{texts('action.helped')} {texts('action.no')}",
                 "data": payload(Feedback(answer_id, False))},
                {"title": texts("notice.followup"), "data": payload(followup)},
            ],
        },
    )  # fmt: skip


def on_call_card(network: Network, moment: datetime, zone: ZoneInfo, texts: Texts) -> Card:
    """Who is on call in each area now, and who comes next (the rotation shows there)."""
    if not network.experts:
        return message_card(texts("network.empty"))
    sections = []
    for slug in AREAS:
        experts = network.on_call(slug, moment, zone)
        sections.append({"title": texts.area(slug), "text": on_call_line(experts, texts)})
    return render("criterion", {"name": texts("network.title"), "facts": [],
                                "sections": sections})  # fmt: skip


def on_call_line(experts: Sequence[Expert], texts: Texts) -> str:
    """ "Alex Wilber (Lund), then Megan Bowen (Helsingborg)": the one way the node names who
    is on call (the card above, the digest, `network show`)."""
    if not experts:
        return texts("network.none")
    first = f"{experts[0].name} ({experts[0].municipality})"
    if len(experts) == 1:
        return first
    return texts("network.then", first=first, next=f"{experts[1].name} ({experts[1].municipality})")


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
