"""The pulse survey's card: its one form declaration (bot/survey/forms.py) as inputs, sent
with an Action.Execute naming the round."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from bot.i18n import Texts, texts_for
from bot.survey import SURVEY
from cards._forms import form_card
from cards._render import Card
from cards.actions import AnswerSurvey, button


def survey_card(
    texts: Texts,
    round_id: str,
    today: date,
    values: Mapping[str, str] | None = None,
    problems: Mapping[str, str] | None = None,
) -> Card:
    return form_card(SURVEY, texts, button(AnswerSurvey, round=round_id), today, values,
                     problems)  # fmt: skip


class SurveyCards:
    """The survey's card for the outbox (its `SurveyCards` port), in the person's language."""

    def __init__(self, today: Callable[[], date]) -> None:
        self._today = today

    def survey(self, round_id: str, locale: str) -> Card:
        return survey_card(texts_for(locale), round_id, self._today())
