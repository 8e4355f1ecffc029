"""Adaptive Cards: JSON templates in cards/templates, filled by one renderer (`_render`).

Each card is one pure function of its inputs (data and the viewer's texts) returning the card
as a dict, so it can be snapshot-tested and rendered in the official renderer.
"""

from cards._basic import help_card, message_card, welcome_card
from cards._criteria import (
    AnswerHit,
    answer_card,
    compare_card,
    criterion_card,
    levels_card,
    no_answer_card,
)
from cards._render import Markdown, escape_markdown, render

__all__ = [
    "AnswerHit",
    "Markdown",
    "answer_card",
    "compare_card",
    "criterion_card",
    "escape_markdown",
    "help_card",
    "levels_card",
    "message_card",
    "no_answer_card",
    "render",
    "welcome_card",
]
