"""Every card, filled with real data, goes through the official Adaptive Cards renderer in
headless Chromium: any parse or validation problem fails the test."""

from __future__ import annotations

from typing import Any

import pytest

from bot.criteria import CriteriaLibrary
from bot.i18n import texts_for
from cards import (
    AnswerHit,
    answer_card,
    compare_card,
    criterion_card,
    help_card,
    levels_card,
    message_card,
    no_answer_card,
    welcome_card,
)
from tests.support.browser import render_cards

QUESTIONS = [
    "Vilka miljökrav kan jag ställa på städtjänster?",
    "alternativa drivmedel spjutspets",
    "Hur skriver jag en uppföljningsplan?",
    "energieffektiva datorer tilldelningskriterium",
    "[länk](https://x.example) **fet** <script>",
]


def all_cards(library: CriteriaLibrary) -> list[tuple[str, dict[str, Any]]]:
    cards: list[tuple[str, dict[str, Any]]] = []
    for language in ("sv", "en"):
        texts = texts_for(language)
        cards += [
            (f"welcome/{language}", welcome_card(texts)),
            (f"help/{language}", help_card(texts)),
            (f"message/{language}", message_card("**inte fet** [x](y)", title="Rubrik")),
            (f"no-answer/{language}", no_answer_card("vad kostar en glass", texts)),
        ]
        for question in QUESTIONS:
            answer = library.answer(question)
            hits = []
            for hit in answer.hits:
                kind, _, key = hit.document.id.partition("/")
                entry = (
                    library.criterion(hit.document.id)
                    if hit.document.kind == "criterion"
                    else library.guide(key)
                )
                assert entry is not None, kind
                hits.append(AnswerHit(entry, hit.other_levels))
            cards.append(
                (f"answer/{language}/{question}", answer_card(question, hits, texts, weak=True))
            )
    texts = texts_for("sv")
    criteria = sorted({c.base_id: c for c in library._criteria.values()}.values(), key=str)
    for criterion in library._criteria.values():
        cards.append((f"criterion/{criterion.key}", criterion_card(criterion, texts)))
    for criterion in criteria:
        cards.append(
            (
                f"levels/{criterion.base_id}",
                levels_card(library.levels_of(criterion.krav_id), texts),
            )
        )
    picked = [library.levels_of(i)[0] for i in ("11567", "10699:2", "LOK-101")]
    cards.append(("compare/3", compare_card(picked, texts)))
    return cards


async def test_every_card_renders_without_problems(sample_library: CriteriaLibrary) -> None:
    cards = all_cards(sample_library)
    results = render_cards(cards)
    assert len(results) == len(cards)
    problems = {r["name"]: r["problems"] for r in results if r["problems"]}
    assert problems == {}


def test_a_broken_card_is_caught() -> None:
    """The check itself can fail: an unknown element type is reported."""
    broken = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "Blink", "text": "x"}]}
    (result,) = render_cards([("broken", broken)])
    assert result["problems"]


@pytest.fixture(scope="module")
async def sample_library() -> Any:
    from pathlib import Path

    from bot.storage._sqlite import SqliteStore

    store = SqliteStore(Path(":memory:"))
    library = CriteriaLibrary(store)
    await library.load()
    yield library
    await store.close()
