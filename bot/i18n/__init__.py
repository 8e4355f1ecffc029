"""Texts by key, one JSON file per locale (sv is the default, en for English-speaking users).

A text that counts something is an object of plural forms ({"one": "1 rapport", "other": "{count}
rapporter"}); the form is chosen by the language's CLDR plural rule (Babel) for `count`.
Errors are raised with a key and placeholders (`UserError`) and turned into words at the edge.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from babel import Locale
from babel.numbers import format_decimal, format_percent

DEFAULT_LOCALE = "sv"
LOCALES = ("sv", "en")


Template = str | dict[str, str]  # a text, or its plural forms by CLDR category


@cache
def _load(locale: str) -> dict[str, Template]:
    text = resources.files(__package__).joinpath(f"{locale}.json").read_text("utf-8")
    data: dict[str, Template] = json.loads(text)
    return data


@cache
def _plural_rule(language: str) -> Any:
    return Locale.parse(language).plural_form


_SWEDISH_WORDS = frozenset(
    """och att det som på är för med till den har inte om ett vi kan jag vilka vilken vad hur
    när ska får krav kraven vår mina min hej tack skulle måste eller också""".split()  # noqa: SIM905
)
_ENGLISH_WORDS = frozenset(
    """the and what which how can we is are for with to of requirements requirement my our
    should must or also please hello thanks""".split()  # noqa: SIM905
)
_LETTERS = re.compile(r"[a-zåäöéü]+")


def language_of_text(text: str) -> str:
    """The language a message is written in when that is clear ("sv" or "en"), else "".
    Swedish letters decide; otherwise the common words of each language are counted."""
    lowered = text.lower()
    if any(letter in lowered for letter in "åäö"):
        return "sv"
    found = _LETTERS.findall(lowered)
    swedish = sum(word in _SWEDISH_WORDS for word in found)
    english = sum(word in _ENGLISH_WORDS for word in found)
    if swedish > english:
        return "sv"
    if english > swedish:
        return "en"
    return ""


def language_of(locale: str | None) -> str:
    """'en-US' -> 'en'; anything not English is Swedish, the node's language."""
    if locale and locale.lower().startswith("en"):
        return "en"
    return DEFAULT_LOCALE


@dataclass(frozen=True)
class Texts:
    language: str

    def __call__(self, key: str, **values: Any) -> str:
        template = _load(self.language).get(key) or _load(DEFAULT_LOCALE)[key]
        if isinstance(template, dict):  # plural forms: "1 rapport", "2 rapporter"
            form = _plural_rule(self.language)(abs(int(values.get("count", 0))))
            template = template.get(form) or template["other"]
        return template.format(**values) if values else template

    def has(self, key: str) -> bool:
        return key in _load(self.language) or key in _load(DEFAULT_LOCALE)

    def percent(self, ratio: float | None) -> str:
        """A share as this language writes it ("75 %" in Swedish, "75%" in English); a dash
        when there was nothing to count."""
        return "–" if ratio is None else format_percent(ratio, locale=self.language)

    def decimal(self, value: float, digits: int = 1) -> str:
        """A number as this language writes it ("4,0" in Swedish, "4.0" in English)."""
        return format_decimal(value, format="0." + "0" * digits, locale=self.language)

    def area(self, slug: str) -> str:
        """An area's name in this language (the slug itself when unknown)."""
        key = f"area.{slug}"
        return self(key) if self.has(key) else slug


@cache
def texts_for(locale: str | None) -> Texts:
    return Texts(language_of(locale))


@dataclass(frozen=True)
class Notice:
    """Something to tell a person, in words chosen at the edge: a text key, its values, and its
    tone (good, info, warning or attention), from which a card picks its colour."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)
    tone: str = "good"

    def message(self, texts: Texts) -> str:
        return texts(self.key, **self.values)


@dataclass
class UserError(Exception):
    """Something the user did that we can explain: a text key and its placeholders."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)

    def message(self, texts: Texts) -> str:
        return texts(self.key, **self.values)
