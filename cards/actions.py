"""Typed card actions: one dataclass per action a card can send back.

Cards build their `data` with `payload(action)`; the handler reads `activity.value` with
`parse_action`, which validates everything at the edge. Input ids in the cards are the field
names here (see `Compare.INPUT`), so a card and its handler cannot drift apart.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
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


Action = ShowCriterion | ShowLevels | Compare | Feedback | AskExpert
_BY_VERB: dict[str, type[Action]] = {
    cls.VERB: cls for cls in (ShowCriterion, ShowLevels, Compare, Feedback, AskExpert)
}


def payload(action: Action) -> dict[str, Any]:
    """The `data` of the card button that sends `action`."""
    data = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(action).items()}
    if isinstance(action, Compare):
        del data[Compare.INPUT]  # filled in by the card's input of that id
    return {"verb": action.VERB, **data}


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
        if cls is Compare:
            keys = raw["keys"]
            items = keys.split(",") if isinstance(keys, str) else keys
            if not isinstance(items, list):
                raise ValueError("keys")
            return Compare(tuple(_match(_KEY, item.strip()) for item in items if item.strip()))
        if cls is Feedback:
            return Feedback(
                _text(raw["question"]),
                _bool(raw["helpful"]),
                tuple(_text(i, 40) for i in (raw["ids"] or [])[:10]),
            )
        return AskExpert(_text(raw["question"]), _text(raw["area"] or "", 40))
    except (ValueError, TypeError, AttributeError):
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
