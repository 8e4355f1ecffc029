"""The ask form, declared once (bot/forms.py): the question to the experts, its area, the
asker's municipality and their consent to publish the answer."""

from __future__ import annotations

from bot.criteria.model import AREA_CHOICES
from bot.fields import QUESTION
from bot.forms import CHOICE, LONG, TOGGLE, Field, Form
from bot.places import MUNICIPALITY_CHOICES

ASK = Form(
    "ask", "ask.title", "ask.intro", "ask.send",
    fields=(
        Field("question", LONG, "ask.question", QUESTION, required=True,
              problem="ask.error.question"),
        Field("area", CHOICE, "ask.area", required=True, choices=AREA_CHOICES,
              problem="ask.error.area"),
        Field("municipality", CHOICE, "ask.municipality", required=True,
              choices=MUNICIPALITY_CHOICES, problem="ask.error.municipality"),
        # Opt-in: publishing the answer is the asker's choice.
        Field("consent", TOGGLE, "ask.consent", default="false"),
    ),
)  # fmt: skip
