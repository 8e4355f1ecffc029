"""Typed card actions: one dataclass per action a card can send back, declared once.

A class is its action's whole declaration: its verb, its payload (the fields), how a raw
payload is parsed and checked (`read`), and which of its fields a card's inputs fill
(`INPUTS`: the inputs carry those field names as ids, so card and handler cannot drift
apart). Subclassing `CardAction` registers the verb; `parse_action` dispatches by it. Cards
build a button's `data` with `payload(action)` or `button(cls, ...)`.

Texts are only checked for type and an absurd size here: whether a question or an answer is
too long is the domain's to say, so the form comes back with the text and the problem marked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Self

from bot.criteria import KRAV_BASE, KRAV_ID
from bot.fields import ANSWER, FEEDBACK_QUESTION, QUESTION, SHARED_TEXT
from bot.i18n import UserError

_KEY = re.compile(rf"^(?:{KRAV_BASE})/(bas|avancerad|spjutspets)$")
_NUMBER = re.compile(r"[0-9]{1,7}")
_BY_VERB: dict[str, type[CardAction]] = {}


class CardAction:
    VERB: ClassVar[str]
    INPUTS: ClassVar[tuple[str, ...]] = ()  # fields filled by the card's inputs

    def __init_subclass__(cls, abstract: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if abstract:  # a shape several actions share, not an action of its own
            return
        if cls.VERB in _BY_VERB:
            raise TypeError(f"two card actions with the verb {cls.VERB}")
        _BY_VERB[cls.VERB] = cls

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        """The action from a card's payload; ValueError (or TypeError) when malformed."""
        raise NotImplementedError


def verbs() -> dict[str, type[CardAction]]:
    return dict(_BY_VERB)


@dataclass(frozen=True)
class ShowCriterion(CardAction):
    VERB: ClassVar[str] = "criterion.show"
    key: str  # "10699/avancerad": one criterion at one level

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        return cls(_match(_KEY, value.get("key")))


@dataclass(frozen=True)
class ShowLevels(CardAction):
    VERB: ClassVar[str] = "criterion.levels"
    krav_id: str

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        return cls(_match(KRAV_ID, value.get("krav_id")))


@dataclass(frozen=True)
class Compare(CardAction):
    VERB: ClassVar[str] = "criterion.compare"
    INPUTS: ClassVar[tuple[str, ...]] = ("keys",)  # the Input.ChoiceSet's id
    keys: tuple[str, ...]

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        keys = value.get("keys")
        items = keys.split(",") if isinstance(keys, str) else keys
        if not isinstance(items, list) or len(items) > 20:
            raise ValueError("keys")
        return cls(tuple(_match(_KEY, item.strip()) for item in items if item.strip()))


@dataclass(frozen=True)
class MakePlan(Compare):
    """Follow-up plan from criteria ticked in an answer card (the compare input)."""

    VERB: ClassVar[str] = "plan.create"


@dataclass(frozen=True)
class Feedback(CardAction):
    VERB: ClassVar[str] = "answer.feedback"
    question: str
    helpful: bool
    ids: tuple[str, ...]

    @classmethod
    def about(cls, question: str, helpful: bool, ids: tuple[str, ...]) -> Self:
        """The feedback button for an answer to `question` (kept to FEEDBACK_QUESTION)."""
        return cls(question[: FEEDBACK_QUESTION.max], helpful, ids)

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        ids = value.get("ids") or []
        if not isinstance(ids, list):
            raise ValueError("ids")
        return cls(
            _text(value.get("question"), FEEDBACK_QUESTION.max),
            _bool(value.get("helpful")),
            tuple(_text(i, 40) for i in ids[:10]),
        )


@dataclass(frozen=True)
class MoreHits(CardAction):
    """ "Fler träffar" on an answer card: the next page of the same question, in place."""

    VERB: ClassVar[str] = "answer.more"
    PAGES: ClassVar[int] = 4  # 3 hits a page: beyond twelve, a better question serves more
    question: str
    page: int

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        page = value.get("page")
        if not isinstance(page, int) or isinstance(page, bool) or not 0 < page < cls.PAGES:
            raise ValueError("page")
        return cls(_text(value.get("question"), FEEDBACK_QUESTION.max), page)


@dataclass(frozen=True)
class AskExpert(CardAction):
    VERB: ClassVar[str] = "expert.ask"
    question: str
    area: str

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        return cls(_text(value.get("question"), QUESTION.cap), _text(value.get("area") or "", 40))


@dataclass(frozen=True)
class CreateTicket(CardAction):
    """The ask form's submit; its inputs carry these field names as ids."""

    VERB: ClassVar[str] = "ticket.create"
    INPUTS: ClassVar[tuple[str, ...]] = ("question", "area", "municipality", "consent")
    question: str
    area: str
    municipality: str
    consent: bool

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        return cls(
            _text(value.get("question") or "", QUESTION.cap),
            _text(value.get("area") or "", 40),
            _text(value.get("municipality") or "", 60),
            _bool(value.get("consent", "false")),
        )


@dataclass(frozen=True)
class TicketAction(CardAction, abstract=True):
    """An action on one ticket, by its number."""

    number: int

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        return cls(_number(value.get("number")))


@dataclass(frozen=True)
class RefreshTicket(TicketAction):
    """Universal Actions' refresh: the ticket as this viewer should see it."""

    VERB: ClassVar[str] = "ticket.refresh"


@dataclass(frozen=True)
class ClaimTicket(TicketAction):
    VERB: ClassVar[str] = "ticket.claim"


@dataclass(frozen=True)
class ReleaseTicket(TicketAction):
    VERB: ClassVar[str] = "ticket.release"


@dataclass(frozen=True)
class ShowTicket(TicketAction):
    VERB: ClassVar[str] = "ticket.show"


@dataclass(frozen=True)
class AnswerTicket(CardAction):
    VERB: ClassVar[str] = "ticket.answer"
    INPUTS: ClassVar[tuple[str, ...]] = ("answer", "publish")
    number: int
    answer: str
    publish: bool

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        return cls(
            _number(value.get("number")),
            _text(value.get("answer") or "", ANSWER.cap),
            _bool(value.get("publish", "false")),
        )


@dataclass(frozen=True)
class ReassignTicket(CardAction):
    VERB: ClassVar[str] = "ticket.reassign"
    INPUTS: ClassVar[tuple[str, ...]] = ("expert",)
    number: int
    expert: str

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        return cls(_number(value.get("number")), _text(value.get("expert") or "", 200))


@dataclass(frozen=True)
class SharedForm(CardAction, abstract=True):
    """A share form's submit: its inputs' ids are FIELDS, read as texts."""

    FIELDS: ClassVar[tuple[str, ...]] = ()
    INPUTS: ClassVar[tuple[str, ...]] = ("values",)
    values: dict[str, str]

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        form = {name: _text(value.get(name) or "", SHARED_TEXT.cap).strip() for name in cls.FIELDS}
        return cls(form)


@dataclass(frozen=True)
class ShareAnalysis(SharedForm):
    VERB: ClassVar[str] = "sharing.analysis"
    FIELDS: ClassVar[tuple[str, ...]] = (
        "title", "area", "product_group", "municipality", "date", "suppliers_consulted",
        "summary", "findings", "link", "contact",
    )  # fmt: skip


@dataclass(frozen=True)
class ShareFollowUp(SharedForm):
    """The follow-up form: fixed fields plus ROWS rows of krav/method/result."""

    VERB: ClassVar[str] = "sharing.followup"
    ROWS: ClassVar[int] = 5
    FIELDS: ClassVar[tuple[str, ...]] = (
        "agreement", "supplier", "area", "municipality", "date", "findings", "link",
        *(f"{kind}_{n}" for n in range(1, 6) for kind in ("krav", "method", "result")),
    )  # fmt: skip


@dataclass(frozen=True)
class ConfirmErase(CardAction):
    VERB: ClassVar[str] = "privacy.erase"

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        return cls()


@dataclass(frozen=True)
class AgreementForm(CardAction):
    """Open the "nytt avtal" form, prefilled with criteria ticked on a plan card."""

    VERB: ClassVar[str] = "agreement.form"
    keys: tuple[str, ...]

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        keys = value.get("keys") or []
        if not isinstance(keys, list) or len(keys) > 20:
            raise ValueError("keys")
        return cls(tuple(_match(_KEY, key) for key in keys))


@dataclass(frozen=True)
class CreateAgreement(SharedForm):
    """The "nytt avtal" form's submit: its inputs' ids are FIELDS."""

    VERB: ClassVar[str] = "agreement.create"
    FIELDS: ClassVar[tuple[str, ...]] = (
        "municipality", "title", "area", "product_group", "supplier", "org_number",
        "framework", "start", "end", "responsible", "criteria", "interval", "shared",
        "procurement",
    )  # fmt: skip


_AGREEMENT = re.compile(r"^[a-zåäö ]{2,30}:[a-z0-9åäöéü-]{1,80}$")
_BASE = re.compile(r"^(\d{3,6}|LOK-\d{1,5})$")


@dataclass(frozen=True)
class FollowUpAction(CardAction, abstract=True):
    """An action on one follow-up: an agreement and one of its criteria."""

    FORM: ClassVar[tuple[str, ...]] = ()  # texts the card's inputs fill
    agreement: str
    base: str
    values: dict[str, str] = field(default_factory=dict)

    INPUTS: ClassVar[tuple[str, ...]] = ("values",)

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        form = {name: _text(value.get(name) or "", 4000).strip() for name in cls.FORM}
        return cls(_match(_AGREEMENT, value.get("agreement")), _match(_BASE, value.get("base")),
                   form)  # fmt: skip


@dataclass(frozen=True)
class ShowFollowUp(FollowUpAction):
    VERB: ClassVar[str] = "followup.show"


@dataclass(frozen=True)
class RecordResult(FollowUpAction):
    VERB: ClassVar[str] = "followup.result"
    FORM: ClassVar[tuple[str, ...]] = (
        "result", "method", "checked", "finding", "action", "action_date", "done_on", "share",
    )  # fmt: skip


@dataclass(frozen=True)
class PostponeFollowUp(FollowUpAction):
    VERB: ClassVar[str] = "followup.postpone"
    FORM: ClassVar[tuple[str, ...]] = ("new_date", "reason")


@dataclass(frozen=True)
class HandOver(FollowUpAction):
    VERB: ClassVar[str] = "followup.handover"
    FORM: ClassVar[tuple[str, ...]] = ("to",)


@dataclass(frozen=True)
class ExpertSupport(FollowUpAction):
    VERB: ClassVar[str] = "followup.expert"
    FORM: ClassVar[tuple[str, ...]] = ("question",)


@dataclass(frozen=True)
class TakeJoint(FollowUpAction):
    VERB: ClassVar[str] = "followup.joint_take"


@dataclass(frozen=True)
class ReleaseJoint(FollowUpAction):
    VERB: ClassVar[str] = "followup.joint_release"


@dataclass(frozen=True)
class CreateProcurement(SharedForm):
    """The "ny upphandling" form's submit."""

    VERB: ClassVar[str] = "procurement.create"
    FIELDS: ClassVar[tuple[str, ...]] = (
        "municipality", "title", "area", "product_group", "stage", "announce",
        "contract_start", "value_band", "contact", "open_to_coordinate", "shared",
    )  # fmt: skip


@dataclass(frozen=True)
class ProcurementAction(CardAction, abstract=True):
    """An action on one planned procurement."""

    FORM: ClassVar[tuple[str, ...]] = ()
    INPUTS: ClassVar[tuple[str, ...]] = ("values",)
    key: str
    values: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        form = {name: _text(value.get(name) or "", 200).strip() for name in cls.FORM}
        return cls(_match(_AGREEMENT, value.get("key")), form)


@dataclass(frozen=True)
class ShowProcurement(ProcurementAction):
    VERB: ClassVar[str] = "procurement.show"


@dataclass(frozen=True)
class Coordinate(ProcurementAction):
    VERB: ClassVar[str] = "procurement.coordinate"


@dataclass(frozen=True)
class BookEarly(ProcurementAction):
    VERB: ClassVar[str] = "procurement.book"


@dataclass(frozen=True)
class UpdateProcurement(ProcurementAction):
    VERB: ClassVar[str] = "procurement.update"
    FORM: ClassVar[tuple[str, ...]] = ("stage", "announce", "contract_start")


@dataclass(frozen=True)
class ProcurementToAgreement(ProcurementAction):
    VERB: ClassVar[str] = "procurement.agreement"


_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {}


def _field_names(action: CardAction) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(type(action))
    if names is None:
        names = _FIELD_NAMES[type(action)] = tuple(f.name for f in fields(action))  # type: ignore[arg-type]
    return names


def payload(action: CardAction) -> dict[str, Any]:
    """The `data` of the card button that sends `action`."""
    # A shallow read: the fields are plain values (asdict's deep copy costs ~10 µs a call).
    data: dict[str, Any] = {}
    for name in _field_names(action):
        if name not in action.INPUTS:
            value = getattr(action, name)
            data[name] = list(value) if isinstance(value, tuple) else value
    return {"verb": action.VERB, **data}


def button(cls: type[CardAction], **data: Any) -> dict[str, Any]:
    """The `data` of a button whose remaining fields come from the card's inputs."""
    return {"verb": cls.VERB, **data}


def parse_action(value: dict[str, Any]) -> CardAction:
    """Validate what a card sent; UserError("error.bad_action") for anything malformed."""
    cls = _BY_VERB.get(str(value.get("verb", "")))
    if cls is None:
        raise UserError("error.bad_action")
    try:
        return cls.read(value)
    except (ValueError, TypeError, AttributeError, ArithmeticError):
        raise UserError("error.bad_action") from None


def _match(pattern: re.Pattern[str], value: Any) -> str:
    if not isinstance(value, str) or not pattern.match(value):
        raise ValueError(value)
    return value


def _text(value: Any, limit: int) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise ValueError("text")
    return value


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise ValueError("bool")


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
