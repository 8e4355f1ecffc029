"""A form is a schema, declared once: its fields (id, label, input type, length limit from
bot/fields.py, required, choices, check) and the rules across fields. The one declaration
builds the card's inputs (cards/_forms.py), reads a card's payload (`read`), checks what was
sent (`check`: every problem at once, field by field, so the form comes back with each marked
and nothing is stored half) and, for registers, names the import columns (`columns`).

Plain data and functions: the domain packages declare their forms (bot/agreements/forms.py,
bot/procurements/forms.py, bot/sharing/forms.py, bot/routing/forms.py); cards render them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.fields import Limit
from bot.values import is_address, is_https, is_whole, is_yes, parse_date, parse_month

Values = dict[str, str]

# Input kinds, as a card shows them.
TEXT, LONG, DATE, MONTH, NUMBER, ADDRESS, LINK, CHOICE, TOGGLE, RATING = (
    "text", "long", "date", "month", "number", "address", "link", "choice", "toggle", "rating",
)  # fmt: skip


@dataclass(frozen=True)
class Context:
    """What checks need besides the values: today's date, the library's Krav IDs."""

    today: date
    known_criteria: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Field:
    id: str
    kind: str
    label: str  # text key of the label
    limit: Limit | None = None  # for texts: the input's maxLength and the check
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (value, label text key; "" shows the value)
    problem: str = ""  # text key when the field's value is missing or wrong
    valid: Callable[[str, Context], bool] | None = None  # a check beyond the kind's
    columns: tuple[str, ...] = ()  # import headers that carry it (the official first)
    placeholder: str = ""
    default: str = ""
    # Dates: whether today bounds the input ("past": today or before; "future": after).
    when: str = ""
    # How other spellings become the field's own (an import's "halvår", a name for a slug).
    normalize: Callable[[str], str] | None = None
    # What the problem's text says besides the limits (the nearest known Krav IDs).
    explain: Callable[[str, Context], dict[str, str]] | None = None

    def problem_of(self, value: str, context: Context) -> str | None:
        """The text key of what is wrong with `value`, or None."""
        value = value.strip()
        if not value:
            return self.problem if self.required else None
        if self.limit is not None and not self.limit.fits(value):
            return self.problem or "form.error.length"
        if not _kind_ok(self, value, context):
            return self.problem or "form.error.value"
        if self.valid is not None and not self.valid(value, context):
            return self.problem or "form.error.value"
        return None


def _kind_ok(spec: Field, value: str, context: Context) -> bool:
    if spec.kind == DATE:
        day = parse_date(value)
        if day is None:
            return False
        return not (spec.when == "past" and day > context.today) and not (
            spec.when == "future" and day <= context.today
        )
    if spec.kind == MONTH:
        return parse_month(value) is not None
    if spec.kind == NUMBER:
        return is_whole(value)
    if spec.kind == ADDRESS:
        return is_address(value)
    if spec.kind == LINK:
        return is_https(value)
    if spec.kind in (CHOICE, RATING):  # a rating is a choice of its stars ("1".."5")
        return value in {v for v, _ in spec.choices}
    if spec.kind == TOGGLE:
        return value in ("true", "false")
    return True


@dataclass(frozen=True)
class Rule:
    """A check across fields: where `holds` is false, `field` is marked with `problem`."""

    field: str
    problem: str
    holds: Callable[[Values, Context], bool]


@dataclass(frozen=True)
class Form:
    name: str
    title: str  # text keys
    intro: str
    send: str
    fields: tuple[Field, ...]
    rules: tuple[Rule, ...] = ()
    by_id: Mapping[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {f.id: f for f in self.fields})

    def read(self, payload: Mapping[str, Any]) -> Values:
        """A card's payload as the form's values (texts, stripped); ValueError for a value of
        the wrong type or an absurd size (a problem of the sender, not of what people wrote:
        a text over its limit comes back in the form with the problem marked)."""
        values: Values = {}
        for spec in self.fields:
            raw = payload.get(spec.id)
            if raw is None or raw == "":
                continue
            if isinstance(raw, bool):
                raw = "true" if raw else "false"
            if isinstance(raw, float) and raw.is_integer():  # a rating's stars: 4.0
                raw = int(raw)
            if not isinstance(raw, str | int):
                raise ValueError(spec.id)
            text = str(raw)
            cap = spec.limit.cap if spec.limit is not None else 200
            if len(text) > cap:
                raise ValueError(spec.id)
            values[spec.id] = text.strip()
        return values

    def clean(self, values: Mapping[str, str]) -> Values:
        """The values in the fields' own spellings (stripped; "halvår" -> "halvar", an area's
        name -> its slug, "ja" -> "true"); fields not given are left out."""
        cleaned: Values = {}
        for spec in self.fields:
            value = values.get(spec.id, "").strip()
            if value and spec.normalize is not None:
                value = spec.normalize(value) or value
            elif value and spec.kind == TOGGLE:
                value = "true" if is_yes(value) else "false"
            if value:
                cleaned[spec.id] = value
        return cleaned

    def check(self, values: Values, context: Context) -> Problems:
        """Every problem, field by field (a field's own problem first, then the rules), of
        clean values."""
        problems = Problems()
        for spec in self.fields:
            found = spec.problem_of(values.get(spec.id, ""), context)
            if found:
                problems.fields.setdefault(spec.id, found)
                if spec.explain is not None:
                    problems.named[spec.id] = spec.explain(values.get(spec.id, ""), context)
        for rule in self.rules:
            if rule.field not in problems.fields and not rule.holds(values, context):
                problems.fields[rule.field] = rule.problem
        return problems

    def columns(self) -> dict[str, tuple[str, ...]]:
        """Field -> the import headers that may carry it (fields without columns are not
        imported)."""
        return {f.id: f.columns for f in self.fields if f.columns}

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.id for f in self.fields if f.required and f.columns)

    def defaults(self) -> Values:
        return {f.id: f.default for f in self.fields if f.default}


@dataclass
class Problems(Mapping[str, str]):
    """field -> text key of what is wrong with it (and, for some, the values its text
    names). A mapping of the keys, so a card reads it like the plain dict it once was."""

    fields: dict[str, str] = field(default_factory=dict)
    named: dict[str, dict[str, str]] = field(default_factory=dict)

    def __getitem__(self, name: str) -> str:
        return self.fields[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    def need(self, condition: bool, name: str, key: str) -> None:
        if not condition and name not in self.fields:
            self.fields[name] = key

    def __bool__(self) -> bool:
        return bool(self.fields)


class FormProblems(Exception):
    """A form with problems: shown again with them marked."""

    def __init__(self, problems: Problems) -> None:
        super().__init__(", ".join(problems.fields))
        self.problems = problems


def choices_of(values: tuple[str, ...], prefix: str = "") -> tuple[tuple[str, str], ...]:
    """Choices whose labels are the text keys `prefix` + value ("" prefix: the value shows)."""
    return tuple((v, f"{prefix}{v}" if prefix else "") for v in values)
