"""Typed card actions: one dataclass per action a card can send back.

Cards build their `data` with `payload(action)`; the handler reads `activity.value` with
`parse_action`, which validates everything at the edge. Input ids in the cards are the field
names here (see `Compare.INPUT`), so a card and its handler cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from bot.i18n import UserError

MAX_QUESTION = 1000
_KEY = re.compile(r"^(\d{3,6}|LOK-\d{1,5})/(bas|avancerad|spjutspets)$")
_KRAV_ID = re.compile(r"^(\d{3,6}|LOK-\d{1,5})(:\d{1,3})?$")


@dataclass(frozen=True)
class ShowCriterion:
    VERB: ClassVar[str] = "criterion.show"
    key: str  # "10699/avancerad": one criterion at one level


@dataclass(frozen=True)
class ShowLevels:
    VERB: ClassVar[str] = "criterion.levels"
    krav_id: str


@dataclass(frozen=True)
class Compare:
    VERB: ClassVar[str] = "criterion.compare"
    INPUT: ClassVar[str] = "keys"  # the Input.ChoiceSet's id: its value arrives as `keys`
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Feedback:
    VERB: ClassVar[str] = "answer.feedback"
    question: str
    helpful: bool
    ids: tuple[str, ...]


@dataclass(frozen=True)
class AskExpert:
    VERB: ClassVar[str] = "expert.ask"
    question: str
    area: str


@dataclass(frozen=True)
class CreateTicket:
    """The ask form's submit; its inputs carry these field names as ids."""

    VERB: ClassVar[str] = "ticket.create"
    question: str
    area: str
    municipality: str
    consent: bool


@dataclass(frozen=True)
class ClaimTicket:
    VERB: ClassVar[str] = "ticket.claim"
    number: int


@dataclass(frozen=True)
class ReleaseTicket:
    VERB: ClassVar[str] = "ticket.release"
    number: int


@dataclass(frozen=True)
class AnswerTicket:
    VERB: ClassVar[str] = "ticket.answer"
    number: int
    answer: str
    publish: bool


@dataclass(frozen=True)
class ReassignTicket:
    VERB: ClassVar[str] = "ticket.reassign"
    number: int
    expert: str


@dataclass(frozen=True)
class RefreshTicket:
    VERB: ClassVar[str] = "ticket.refresh"
    number: int


@dataclass(frozen=True)
class ShowTicket:
    VERB: ClassVar[str] = "ticket.show"
    number: int


@dataclass(frozen=True)
class ShareAnalysis:
    """The market-analysis form's submit: its inputs' ids are FIELDS."""

    VERB: ClassVar[str] = "sharing.analysis"
    FIELDS: ClassVar[tuple[str, ...]] = (
        "title", "area", "product_group", "municipality", "date", "suppliers_consulted",
        "summary", "findings", "link", "contact",
    )  # fmt: skip
    values: dict[str, str]


@dataclass(frozen=True)
class ShareFollowUp:
    """The follow-up form's submit: fixed fields plus ROWS rows of krav/method/result."""

    VERB: ClassVar[str] = "sharing.followup"
    ROWS: ClassVar[int] = 5
    FIELDS: ClassVar[tuple[str, ...]] = (
        "agreement", "supplier", "area", "municipality", "date", "findings", "link",
        *(f"{kind}_{n}" for n in range(1, 6) for kind in ("krav", "method", "result")),
    )  # fmt: skip
    values: dict[str, str]


@dataclass(frozen=True)
class MakePlan:
    """Follow-up plan from criteria ticked in an answer card (the compare input)."""

    VERB: ClassVar[str] = "plan.create"
    keys: tuple[str, ...]


@dataclass(frozen=True)
class ConfirmErase:
    VERB: ClassVar[str] = "privacy.erase"


Action = (
    ShowCriterion
    | ShowLevels
    | Compare
    | Feedback
    | AskExpert
    | CreateTicket
    | ClaimTicket
    | ReleaseTicket
    | AnswerTicket
    | ReassignTicket
    | RefreshTicket
    | ShowTicket
    | ConfirmErase
    | ShareAnalysis
    | ShareFollowUp
    | MakePlan
)
_BY_VERB: dict[str, type[Action]] = {
    cls.VERB: cls
    for cls in (
        ShowCriterion,
        ShowLevels,
        Compare,
        Feedback,
        AskExpert,
        CreateTicket,
        ClaimTicket,
        ReleaseTicket,
        AnswerTicket,
        ReassignTicket,
        RefreshTicket,
        ShowTicket,
        ConfirmErase,
        ShareAnalysis,
        ShareFollowUp,
        MakePlan,
    )
}
# Form inputs are validated by the use case, which re-shows the form with the error; these
# limits only keep absurd payloads out.
MAX_ANSWER = 8000


# Fields filled in by a card's inputs (of the same id), not carried in the button's data.
_INPUT_FIELDS: dict[type[Any], tuple[str, ...]] = {
    Compare: (Compare.INPUT,),
    MakePlan: (Compare.INPUT,),
    ShareAnalysis: ("values",),
    ShareFollowUp: ("values",),
    CreateTicket: ("question", "area", "municipality", "consent"),
    AnswerTicket: ("answer", "publish"),
    ReassignTicket: ("expert",),
}


_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}


def _field_names(action: Action) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(type(action))
    if names is None:
        names = _FIELD_NAMES[type(action)] = tuple(f.name for f in fields(action))
    return names


def payload(action: Action) -> dict[str, Any]:
    """The `data` of the card button that sends `action`."""
    # A shallow read: the fields are plain values (asdict's deep copy costs ~10 µs a call).
    data: dict[str, Any] = {}
    for name in _field_names(action):
        value = getattr(action, name)
        data[name] = list(value) if isinstance(value, tuple) else value
    for name in _INPUT_FIELDS.get(type(action), ()):
        del data[name]
    return {"verb": action.VERB, **data}


def button(cls: type[Action], **data: Any) -> dict[str, Any]:
    """The `data` of a button whose remaining fields come from the card's inputs."""
    return {"verb": cls.VERB, **data}


def parse_action(value: dict[str, Any]) -> Action:
    """Validate what a card sent; UserError("error.bad_action") for anything malformed."""
    cls = _BY_VERB.get(str(value.get("verb", "")))
    if cls is None:
        raise UserError("error.bad_action")
    try:
        raw = {f.name: value.get(f.name) for f in fields(cls)}
        if cls is ShowCriterion:
            return ShowCriterion(_match(_KEY, raw["key"]))
        if cls is ShowLevels:
            return ShowLevels(_match(_KRAV_ID, raw["krav_id"]))
        if cls is Compare or cls is MakePlan:
            keys = value.get(Compare.INPUT)
            items = keys.split(",") if isinstance(keys, str) else keys
            if not isinstance(items, list):
                raise ValueError("keys")
            chosen = tuple(_match(_KEY, item.strip()) for item in items if item.strip())
            return Compare(chosen) if cls is Compare else MakePlan(chosen)
        if cls is ShareAnalysis or cls is ShareFollowUp:
            form: dict[str, str] = {}
            for name in cls.FIELDS:
                item = value.get(name)
                form[name] = _text(item if item is not None else "", MAX_ANSWER).strip()
            return ShareAnalysis(form) if cls is ShareAnalysis else ShareFollowUp(form)
        if cls is Feedback:
            return Feedback(
                _text(raw["question"]),
                _bool(raw["helpful"]),
                tuple(_text(i, 40) for i in (raw["ids"] or [])[:10]),
            )
        if cls is ConfirmErase:
            return ConfirmErase()
        if cls is AskExpert:
            return AskExpert(_text(raw["question"]), _text(raw["area"] or "", 40))
        if cls is CreateTicket:
            return CreateTicket(
                _text(raw["question"] or ""),
                _text(raw["area"] or "", 40),
                _text(raw["municipality"] or "", 60),
                _bool(raw["consent"] if raw["consent"] is not None else "false"),
            )
        number = _number(raw["number"])
        if cls is AnswerTicket:
            return AnswerTicket(
                number,
                _text(raw["answer"] or "", MAX_ANSWER),
                _bool(raw["publish"] if raw["publish"] is not None else "false"),
            )
        if cls is ReassignTicket:
            return ReassignTicket(number, _text(raw["expert"] or "", 200))
        simple: type[ClaimTicket | ReleaseTicket | RefreshTicket | ShowTicket] = cls  # type: ignore[assignment]
        return simple(number)
    except (ValueError, TypeError, AttributeError, ArithmeticError):
        raise UserError("error.bad_action") from None


def _match(pattern: re.Pattern[str], value: Any) -> str:
    if not isinstance(value, str) or not pattern.match(value):
        raise ValueError(value)
    return value


def _text(value: Any, limit: int = MAX_QUESTION) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise ValueError("text")
    return value


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise ValueError("bool")


_NUMBER = re.compile(r"[0-9]{1,7}")


def _number(value: Any) -> int:
    """A ticket number as the cards send it: a whole JSON number or ASCII digits. Not a bool
    (`true` is 1 to Python), a float, other scripts' digits ("١") or "1_0"."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _NUMBER.fullmatch(value):
        number = int(value)
    else:
        raise ValueError("number")
    if not 0 < number < 10**7:
        raise ValueError("number")
    return number
