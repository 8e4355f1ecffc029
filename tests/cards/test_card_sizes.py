"""Every card the node sends stays well under Teams' message size limit (about 28 KB for the
whole activity; Teams refuses a larger one with 413). Measured as the connector sends it:
the activity as UTF-8 JSON, with worst-case content (the longest texts the forms accept,
full of characters markdown escaping doubles)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import cards
from bot.criteria import CriteriaLibrary
from bot.fields import ANSWER, QUESTION, SHORT, TEXT
from bot.i18n import texts_for
from bot.routing.tickets import ANSWERED, Ticket
from bot.sharing import FollowUpCheck, FollowUpReport, MarketAnalysis
from tests.cards.test_official_renderer import ANSWER_ID, every_card
from tests.conftest import INSTANT, TODAY
from tests.routing.conftest import AREA, network_of

TEAMS_LIMIT = 28 * 1024
MARGIN = 4 * 1024
ZONE = ZoneInfo("Europe/Stockholm")


def activity_bytes(card: dict[str, Any]) -> int:
    """The size of the message activity carrying `card`, as the connector sends it."""
    activity = {
        "type": "message",
        "serviceUrl": "https://smba.trafficmanager.net/emea/",
        "channelId": "msteams",
        "from": {"id": "28:" + "0" * 36, "name": "Miljökravsnoden"},
        "conversation": {"id": "19:" + "x" * 80 + "@thread.tacv2", "conversationType": "channel"},
        "recipient": {"id": "29:" + "y" * 120, "name": "Förnamn Efternamn"},
        "replyToId": "1" * 13,
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive",
                         "content": card}],
    }  # fmt: skip
    return len(json.dumps(activity, ensure_ascii=False).encode())


def worst(length: int) -> str:
    """Text of `length` characters that costs the most bytes: two-byte letters and markdown
    punctuation the renderer escapes."""
    return ("ö*" * length)[:length]


def prose(length: int) -> str:
    """Library text (imported by an admin, not typed by anyone): long Swedish prose."""
    sentence = "Leverantören ska på begäran redovisa att kraven är uppfyllda för hela avtalet. "
    return (sentence * (length // len(sentence) + 1))[:length]


def worst_cards(library: CriteriaLibrary) -> list[tuple[str, dict[str, Any]]]:
    network = network_of(4, INSTANT)
    experts = list(network.experts.values())
    ticket = Ticket(
        number=9999999, question=worst(QUESTION.max), area=AREA, municipality="Upplands Väsby",
        asker_id="29:asker", asker_name=worst(100), asker_locale="sv-SE", consent_publish=True,
        created_at=1795600000.0, deadline=1795614400.0, posted=True, state=ANSWERED,
        assignee=experts[0].id, claimed_at=1795601000.0, answer=worst(ANSWER.max),
        answered_at=1795602000.0, escalation=2,
    )  # fmt: skip
    longest = sorted(library._criteria.values(), key=lambda c: -len(c.kravtext + c.verifikat))
    huge = replace(longest[0], kravtext=prose(20_000), verifikat=prose(20_000),
                   uppfoljning=prose(20_000), motiv=prose(20_000), name=prose(300))  # fmt: skip
    analysis = MarketAnalysis(
        "MA1", worst(SHORT.max), AREA, worst(SHORT.max), "Lund", "2026-10-01",
        9999, worst(TEXT.max), worst(TEXT.max), "https://x.se/" + "a" * 480,
        worst(SHORT.max),
    )  # fmt: skip
    report = FollowUpReport(
        "FU1", worst(SHORT.max), worst(SHORT.max), AREA, "Ystad", "2026-10-02",
        tuple(FollowUpCheck("10699:2", "stickprov", "delvis") for _ in range(10)),
        worst(TEXT.max), "https://x.se/" + "b" * 480,
    )  # fmt: skip
    made: list[tuple[str, dict[str, Any]]] = []
    for language in ("sv", "en"):
        texts = texts_for(language)
        hits = [cards.AnswerHit(c, ("avancerad", "spjutspets"), worst(2000)) for c in (huge,) * 3]
        made += [
            (f"answer/{language}", cards.answer_card(worst(QUESTION.max), hits, texts,
                                                     answer_id=ANSWER_ID,
                                                     weak=True,
                                               filters=worst(100), page=1, more=True)),
            (f"answer-shared/{language}", cards.answer_card(
                "q", [cards.AnswerHit(e) for e in (analysis, report, huge)], texts,
                answer_id=ANSWER_ID)),
            (f"criterion/{language}", cards.criterion_card(huge, texts, followed_up=worst(2000))),
            (f"ask-form/{language}", cards.ask_form_card(
                texts, TODAY, {"question": worst(QUESTION.max)},
                {"question": "ask.error.question"})),
            (f"answer-notice/{language}", cards.answer_notice_card(ticket, experts[0], texts)),
            (f"analysis/{language}", cards.shared_item_card(analysis, texts)),
            (f"followup/{language}", cards.shared_item_card(report, texts)),
            (f"shared-list/{language}",
             cards.shared_list_card("x", [analysis, report] * 10, texts)),
            (f"list/{language}", cards.ticket_list_card("x", [ticket] * 20, texts, ZONE,
                                                  network.experts.get)),
        ]  # fmt: skip
        for role in (cards.ROLE_ASKER, cards.ROLE_ASSIGNEE, cards.ROLE_EXPERT, cards.ROLE_OTHER):
            card = cards.ticket_card(ticket, role, texts, ZONE, expert_of=network.experts.get,
                               area_experts=experts, on_call=experts[0], notice=worst(300),
                               draft=worst(ANSWER.max))  # fmt: skip
            made.append((f"ticket/{role}/{language}", card))
    return made


@pytest.fixture(scope="module")
def sizes(sample_library: CriteriaLibrary) -> dict[str, int]:
    library = sample_library
    every = [*every_card(library), *worst_cards(library)]
    return {name: activity_bytes(card) for name, card in every}


async def test_every_card_keeps_a_margin_below_the_teams_limit(sizes: dict[str, int]) -> None:
    too_big = {name: size for name, size in sizes.items() if size > TEAMS_LIMIT - MARGIN}
    assert not too_big, f"cards near or over Teams' {TEAMS_LIMIT} bytes: {too_big}"


async def test_the_measure_sees_the_worst_case(sizes: dict[str, int]) -> None:
    # The worst-case content is really there: a test of sizes that saw only small cards
    # would prove nothing.
    assert max(sizes.values()) > 12 * 1024
