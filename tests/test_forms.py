"""Every form's inputs carry the limits their checks hold: a text that fits the card's
maxLength passes the check, one character more fails it (declared once, in bot/fields.py)."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import date

import pytest

import bot
from bot.forms import Context, Form
from bot.i18n import texts_for
from cards._forms import form_inputs


def every_form() -> list[Form]:
    found: dict[str, Form] = {}
    for module in pkgutil.walk_packages(bot.__path__, "bot."):
        if ".teams" in module.name or module.name.endswith("__main__"):
            continue
        for value in vars(importlib.import_module(module.name)).values():
            if isinstance(value, Form):
                found[value.name] = value
    return list(found.values())


def test_the_forms_are_found() -> None:
    names = {form.name for form in every_form()}
    assert {"ask", "survey", "regional"} <= names
    assert len(names) >= 10


@pytest.mark.parametrize("form", every_form(), ids=lambda f: f.name)
def test_every_input_limit_is_its_check(form: Form) -> None:
    today = date(2026, 11, 30)
    context = Context(today, frozenset({"11567"}))
    inputs = {i["id"]: i for i in form_inputs(form, texts_for("sv"), today) if "id" in i}
    for field in form.fields:
        if field.limit is None:
            continue
        shown = inputs[field.id]
        if shown["type"] != "Input.Text":
            continue
        assert shown["maxLength"] == field.limit.max, field.id
        longest = "a" * field.limit.max
        assert field.limit.fits(longest), field.id
        assert not field.limit.fits(longest + "a"), field.id
        problem = field.problem_of(longest + "a", context)
        assert problem is not None, field.id  # the check refuses what the card would not take
