"""Forms as cards, from their one declaration (bot/forms.py): each field becomes its input
(maxLength from the field's limit, the choices, today bounding a date), a problem from the last
submit is marked under its field, and the send button is an Action.Execute, so the form comes
back in place with what the person wrote."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from bot.forms import (
    ADDRESS,
    CHOICE,
    DATE,
    LINK,
    LONG,
    MONTH,
    NUMBER,
    RATING,
    TOGGLE,
    Field,
    Form,
    Problems,
)
from bot.i18n import Texts
from cards._render import Card, render

Values = Mapping[str, str]


def _label(texts: Texts, key: str, n: int | None = None) -> str:
    return texts(key, n=n) if n is not None else texts(key)


def _choices(field: Field, texts: Texts) -> list[dict[str, str]]:
    return [{"title": texts(label) if label else value, "value": value}
            for value, label in field.choices]  # fmt: skip


def field_input(
    field: Field, texts: Texts, value: str, today: date, row: int | None = None
) -> dict[str, Any]:
    """One field as an Adaptive Card input, its id the field's id."""
    element: dict[str, Any] = {"id": field.id, "label": _label(texts, field.label, row)}
    if field.kind == CHOICE:
        element |= {"type": "Input.ChoiceSet", "choices": _choices(field, texts)}
    elif field.kind == RATING:
        # Teams' stars; a client without them shows the same choice as buttons.
        element |= {"type": "Input.Rating", "max": len(field.choices), "allowHalfSteps": False,
                    "fallback": {**element, "type": "Input.ChoiceSet", "style": "expanded",
                                 "choices": _choices(field, texts)}}  # fmt: skip
    elif field.kind == TOGGLE:
        element = {"type": "Input.Toggle", "id": field.id, "title": element["label"],
                   "valueOn": "true", "valueOff": "false"}  # fmt: skip
    elif field.kind == DATE:
        element["type"] = "Input.Date"
        if field.when == "past":
            element["max"] = today.isoformat()
        elif field.when == "future":
            element["min"] = (today + timedelta(days=1)).isoformat()
    elif field.kind == NUMBER:
        element |= {"type": "Input.Number", "min": 0}
    else:
        element["type"] = "Input.Text"
        if field.kind == LONG:
            element["isMultiline"] = True
        elif field.kind == ADDRESS:
            element["style"] = "Email"
        elif field.kind == LINK:
            element["style"] = "Url"
        elif field.kind == MONTH:
            element["placeholder"] = "ÅÅÅÅ-MM" if texts.language == "sv" else "YYYY-MM"
    if field.limit is not None and element["type"] == "Input.Text":
        element["maxLength"] = field.limit.max
    if field.placeholder:
        element["placeholder"] = field.placeholder
    shown = value or field.default
    if shown:
        element["value"] = int(shown) if field.kind == RATING and shown.isdigit() else shown
    return element


def form_inputs(
    form: Form,
    texts: Texts,
    today: date,
    values: Values | None = None,
    problems: Mapping[str, str] | None = None,
    rows: Mapping[str, int] | None = None,
) -> list[dict[str, Any]]:
    """The form's inputs, each with its problem (from the last submit) marked under it.
    `rows` numbers the labels of repeated fields ("Krav 2")."""
    values, problems, rows = values or {}, problems or {}, rows or {}
    inputs: list[dict[str, Any]] = []
    for field in form.fields:
        value = values.get(field.id, "")
        inputs.append(field_input(field, texts, value, today, rows.get(field.id)))
        if field.id in problems:
            limit = field.limit
            named = problems.named.get(field.id, {}) if isinstance(problems, Problems) else {}
            text = texts(problems[field.id], min=limit.min if limit else 0,
                         max=limit.max if limit else 0, length=len(value.strip()),
                         **named)  # fmt: skip
            inputs.append({"type": "TextBlock", "text": f"⚠ {text}", "color": "Attention",
                           "wrap": True, "spacing": "None", "size": "Small"})  # fmt: skip
    return inputs


def form_card(
    form: Form,
    texts: Texts,
    send: dict[str, Any],
    today: date,
    values: Values | None = None,
    problems: Mapping[str, str] | None = None,
    rows: Mapping[str, int] | None = None,
) -> Card:
    """The whole form as a card; `send` is the payload of its Action.Execute."""
    problems = problems or {}
    return render(
        "form",
        {
            "title": texts(form.title),
            "intro": texts(form.intro) if form.intro else None,
            # With every problem marked at its field, the top says only that one needs fixing.
            "error": texts("share.error.form") if problems else None,
            "inputs": form_inputs(form, texts, today, values, problems, rows),
            "send_title": texts(form.send),
            "send_verb": send["verb"],
            "send_data": send,
        },
    )


def shown_card(
    form: Form,
    texts: Texts,
    send: dict[str, Any],
    today: date,
    values: Values | None = None,
    title: str = "",
) -> dict[str, Any]:
    """The form inside a card (an Action.ShowCard that opens it in place)."""
    submit = {"type": "Action.Execute", "title": texts(form.send), "verb": send["verb"],
              "data": send, "style": "positive"}  # fmt: skip
    return {
        "type": "Action.ShowCard",
        "title": title or texts(form.title),
        "card": {"type": "AdaptiveCard", "body": form_inputs(form, texts, today, values),
                 "actions": [submit]},
    }  # fmt: skip
