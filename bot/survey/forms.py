"""The pulse survey's form, declared once (bot/forms.py): the meeting-place rating and the two
yes/no questions the region's study asks, and an optional comment."""

from __future__ import annotations

from bot.fields import COMMENT
from bot.forms import CHOICE, LONG, RATING, Field, Form, choices_of

YES, NO = "ja", "nej"
_YES_NO = ((YES, "survey.yes"), (NO, "survey.no"))

SURVEY = Form(
    "survey", "survey.title", "survey.intro", "survey.send",
    fields=(
        Field("rating", RATING, "survey.question.rating", required=True,
              choices=choices_of(("1", "2", "3", "4", "5")), problem="survey.error.rating"),
        Field("competence", CHOICE, "survey.question.competence", required=True,
              choices=_YES_NO, problem="survey.error.answer"),
        Field("followed_up", CHOICE, "survey.question.followed_up", required=True,
              choices=_YES_NO, problem="survey.error.answer"),
        Field("comment", LONG, "survey.comment", COMMENT),
    ),
)  # fmt: skip
