"""Cards for the compose box (the message extension): a preview row in the result list and
the card a person inserts into a chat, channel or meeting.

An inserted card is sent by the person, not by the bot, often into a conversation the bot is
not part of: a button there could not reach the bot, so inserted cards carry links only.
"""

from __future__ import annotations

from typing import Any

from bot.criteria import Criterion, Guide, PublishedAnswer
from bot.i18n import Texts
from bot.sharing.models import FollowUpReport, MarketAnalysis
from cards._criteria import LINE_TEXT, criterion_card, levels_card
from cards._render import Card, render, shorten
from cards._sharing import shared_item_card

Entry = Criterion | PublishedAnswer | Guide | MarketAnalysis | FollowUpReport
THUMBNAIL = "application/vnd.microsoft.card.thumbnail"
_BOT_BUTTONS = frozenset({"Action.Submit", "Action.Execute", "Action.ShowCard"})


def preview(entry: Entry, texts: Texts) -> dict[str, Any]:
    """A result row: a thumbnail card. It has no tap: picking the row inserts the result's
    full card as it is (the Agents Playground refuses results with a tap)."""
    if isinstance(entry, Criterion):
        # One line each in the list: the subtitle short, the type leads the text.
        title = entry.name
        subtitle = f"{entry.krav_id} · {texts(f'level.{entry.level.value}')}"
        text = f"{texts(f'type.{entry.type.value}')}: {entry.kravtext}"
    elif isinstance(entry, PublishedAnswer):
        title, subtitle, text = entry.question, texts("search.answer_kind"), entry.answer
    elif isinstance(entry, MarketAnalysis):
        title, text = entry.title, entry.summary
        subtitle = f"{texts('share.analysis.badge')} · {entry.municipality}"
    elif isinstance(entry, FollowUpReport):
        title, text = entry.agreement, entry.findings
        subtitle = f"{texts('share.followup.badge')} · {entry.municipality}"
    else:
        title, subtitle, text = entry.name, texts("type.process"), entry.text
    content = {
        "title": shorten(title, 120),
        "subtitle": subtitle,
        "text": shorten(text, LINE_TEXT),
    }
    return {"contentType": THUMBNAIL, "content": content}


def inserted_card(entry: Entry, texts: Texts, followed_up: str = "") -> Card:
    """The full card for a conversation, with links but no buttons for the bot."""
    if isinstance(entry, Criterion):
        card = criterion_card(entry, texts, followed_up=followed_up or None)
    elif isinstance(entry, MarketAnalysis | FollowUpReport):
        card = shared_item_card(entry, texts)
    elif isinstance(entry, PublishedAnswer):
        card = render("criterion", {
            "name": entry.question,
            "facts": [{"title": texts("criterion.area"), "value": texts.area(entry.area)},
                      {"title": texts("search.answer_kind"), "value": entry.published_at}],
            "sections": [{"title": texts("search.answer_kind"), "text": entry.answer}],
        })  # fmt: skip
    else:
        card = render("criterion", {"name": entry.name, "facts": [],
                                    "sections": [{"title": "", "text": entry.text}]})  # fmt: skip
    return links_only(card)


def inserted_levels_card(levels: list[Criterion], texts: Texts) -> Card:
    """A criterion with several levels, for a link to its page."""
    return links_only(levels_card(levels, texts))


def links_only(card: dict[str, Any]) -> Card:
    """`card` without the buttons that would need the bot (see the module's docstring)."""

    def keep(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: keep(value) for key, value in node.items()}
        if not isinstance(node, list):
            return node
        kept = [keep(n) for n in node if not _bot_button(n)]
        return [n for n in kept if not (_is(n, "ActionSet") and not n.get("actions"))]

    out = keep(card)
    assert isinstance(out, dict)
    return Card(out)


def _bot_button(node: Any) -> bool:
    return isinstance(node, dict) and node.get("type") in _BOT_BUTTONS


def _is(node: Any, kind: str) -> bool:
    return isinstance(node, dict) and node.get("type") == kind
