"""Typed card actions: one dataclass per action a card can send back, declared once.

A class is its action's whole declaration: its verb, its payload (the fields), and how a raw
payload is read and checked (`read`). Every button the bot answers is an Action.Execute whose
`data` is `payload(action)` (or, for a form, `button(cls, ...)` plus the form's inputs, whose
ids are the form's field ids: bot/forms.py). Subclassing `CardAction` registers the verb;
`parse_action` dispatches by it. Where each action goes, who may send it and whether its
answer replaces the card is declared with its handler (bot/teams).

Texts are only checked for type and an absurd size here: whether a question or an answer is
too long is the form's to say, so the form comes back with the text and the problem marked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Self

from bot.agreements.forms import AGREEMENT, EXPERT_SUPPORT, HAND_OVER, POSTPONE, RESULT
from bot.criteria import AREAS, KRAV_BASE, KRAV_ID
from bot.criteria.regional import REGIONAL
from bot.fields import ANSWER, FEEDBACK_QUESTION, QUESTION
from bot.forms import Form
from bot.i18n import UserError
from bot.procurements.forms import PLAN_UPDATE, PROCUREMENT
from bot.routing.forms import ASK
from bot.sharing.forms import ANALYSIS, FOLLOWUP_REPORT
from bot.survey import SURVEY

_KEY = re.compile(rf"^(?:{KRAV_BASE})/(bas|avancerad|spjutspets)$")
_BASE = re.compile(rf"^(?:{KRAV_BASE})$")
_NUMBER = re.compile(r"[0-9]{1,7}")
# An agreement's or a plan's key: "<municipality>:<title as a slug>" (agreement_key).
_ITEM = re.compile(r"^[a-zåäö ]{2,30}:[a-z0-9åäöéü-]{1,80}$")
_ANSWER_ID = re.compile(r"^[a-f0-9]{12,32}$|^T[0-9]{1,7}$")
_BY_VERB: dict[str, type[CardAction]] = {}
MAX_KEYS = 20  # criteria one action names (a card offers at most twelve)


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


# --- criteria questions ---------------------------------------------------------------------


@dataclass(frozen=True)
class ShowCriterion(CardAction):
    VERB: ClassVar[str] = "criterion.show"
    key: str  # "10699/avancerad": one criterion at one level

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        return cls(match(_KEY, value.get("key")))


@dataclass(frozen=True)
class ShowLevels(CardAction):
    VERB: ClassVar[str] = "criterion.levels"
    krav_id: str

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        return cls(match(KRAV_ID, value.get("krav_id")))


@dataclass(frozen=True)
class Compare(CardAction):
    VERB: ClassVar[str] = "criterion.compare"
    INPUTS: ClassVar[tuple[str, ...]] = ("keys",)  # the Input.ChoiceSet's id
    keys: tuple[str, ...]

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        return cls(_keys(value.get("keys")))


@dataclass(frozen=True)
class MakePlan(Compare):
    """Follow-up plan from criteria ticked in an answer card (the compare input)."""

    VERB: ClassVar[str] = "plan.create"


@dataclass(frozen=True)
class Feedback(CardAction):
    """ "Hjälpte det?": about an answer the node gave (its id, checked against what it sent
    to this person)."""

    VERB: ClassVar[str] = "answer.feedback"
    answer: str
    helpful: bool

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        return cls(match(_ANSWER_ID, value.get("answer")), _bool(value.get("helpful")))


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
    """Open the ask form (the question and area preset from the answer)."""

    VERB: ClassVar[str] = "expert.ask"
    question: str
    area: str

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        return cls(_text(value.get("question"), QUESTION.cap), _text(value.get("area") or "", 40))


# --- forms ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormAction(CardAction, abstract=True):
    """A form's submit: its inputs' ids are the form's field ids (bot/forms.py)."""

    FORM: ClassVar[Form]
    INPUTS: ClassVar[tuple[str, ...]] = ("values",)
    values: dict[str, str]

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        return cls(cls.FORM.read(value))


@dataclass(frozen=True)
class CreateTicket(FormAction):
    """The ask form's submit."""

    VERB: ClassVar[str] = "ticket.create"
    FORM: ClassVar[Form] = ASK


@dataclass(frozen=True)
class ShareAnalysis(FormAction):
    VERB: ClassVar[str] = "sharing.analysis"
    FORM: ClassVar[Form] = ANALYSIS


@dataclass(frozen=True)
class ShareFollowUp(FormAction):
    VERB: ClassVar[str] = "sharing.followup"
    FORM: ClassVar[Form] = FOLLOWUP_REPORT


@dataclass(frozen=True)
class CreateProcurement(FormAction):
    """The "ny upphandling" form's submit."""

    VERB: ClassVar[str] = "procurement.create"
    FORM: ClassVar[Form] = PROCUREMENT


@dataclass(frozen=True)
class CreateAgreement(CardAction):
    """The "nytt avtal" form's submit, and the plan it comes from (linked), if any."""

    VERB: ClassVar[str] = "agreement.create"
    INPUTS: ClassVar[tuple[str, ...]] = ("values",)
    values: dict[str, str]
    procurement: str = ""

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        plan = value.get("procurement") or ""
        return cls(AGREEMENT.read(value), match(_ITEM, plan) if plan else "")


# --- tickets ------------------------------------------------------------------------------


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


# --- shared work ---------------------------------------------------------------------------

_SHARED_ID = re.compile(r"^(?:MA|FU)[0-9]{1,16}[0-9a-f]{0,8}$")


@dataclass(frozen=True)
class ShowShared(CardAction):
    """A shared market analysis or follow-up, from a row of a list."""

    VERB: ClassVar[str] = "sharing.show"
    item: str

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        return cls(match(_SHARED_ID, value.get("item")))


# --- your data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConfirmErase(CardAction):
    VERB: ClassVar[str] = "privacy.erase"

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        return cls()


# A quarter as a card names it ("2026Q3").
QUARTER = re.compile(r"^20[0-9]{2}Q[1-4]$")


@dataclass(frozen=True)
class AnswerSurvey(CardAction):
    """The pulse survey's submit: the round it answers and the form's inputs."""

    VERB: ClassVar[str] = "survey.answer"
    INPUTS: ClassVar[tuple[str, ...]] = ("values",)
    round: str
    values: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        return cls(match(QUARTER, value.get("round")), SURVEY.read(value))


# --- gaps and regional criteria ---------------------------------------------------------------


@dataclass(frozen=True)
class WriteRegional(CardAction):
    """Open the regional criterion form from a gap: its area and words as a start."""

    VERB: ClassVar[str] = "regional.form"
    area: str
    words: str

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        area = _text(value.get("area") or "", 40)
        return cls(area if area in AREAS else "", _text(value.get("words") or "", 200))


@dataclass(frozen=True)
class ProposeRegional(FormAction):
    VERB: ClassVar[str] = "regional.propose"
    FORM: ClassVar[Form] = REGIONAL


@dataclass(frozen=True)
class ApproveRegional(CardAction):
    VERB: ClassVar[str] = "regional.approve"
    krav_id: str

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        return cls(match(_LOK_ID, value.get("krav_id")))


_LOK_ID = re.compile(r"^LOK-[0-9]{1,5}$")


# --- agreements and follow-ups ---------------------------------------------------------------


@dataclass(frozen=True)
class AgreementForm(CardAction):
    """Open the "nytt avtal" form, prefilled with criteria ticked on a plan card."""

    VERB: ClassVar[str] = "agreement.form"
    keys: tuple[str, ...]

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        return cls(_keys(value.get("keys")))


@dataclass(frozen=True)
class ShowAgreement(CardAction):
    """An agreement, from a row of "mina avtal": its follow-ups, each to open."""

    VERB: ClassVar[str] = "agreement.show"
    agreement: str

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        return cls(match(_ITEM, value.get("agreement")))


@dataclass(frozen=True)
class FollowUpAction(CardAction, abstract=True):
    """An action on one follow-up: an agreement and one of its criteria."""

    FORM: ClassVar[Form | None] = None  # the form whose inputs fill `values`
    INPUTS: ClassVar[tuple[str, ...]] = ("values",)
    agreement: str
    base: str
    values: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        form = cls.FORM.read(value) if cls.FORM is not None else {}
        return cls(match(_ITEM, value.get("agreement")), match(_BASE, value.get("base")), form)


@dataclass(frozen=True)
class ShowFollowUp(FollowUpAction):
    VERB: ClassVar[str] = "followup.show"


@dataclass(frozen=True)
class RecordResult(FollowUpAction):
    VERB: ClassVar[str] = "followup.result"
    FORM: ClassVar[Form | None] = RESULT


@dataclass(frozen=True)
class PostponeFollowUp(FollowUpAction):
    VERB: ClassVar[str] = "followup.postpone"
    FORM: ClassVar[Form | None] = POSTPONE


@dataclass(frozen=True)
class HandOver(FollowUpAction):
    VERB: ClassVar[str] = "followup.handover"
    FORM: ClassVar[Form | None] = HAND_OVER


@dataclass(frozen=True)
class ExpertSupport(FollowUpAction):
    VERB: ClassVar[str] = "followup.expert"
    FORM: ClassVar[Form | None] = EXPERT_SUPPORT


@dataclass(frozen=True)
class TakeJoint(FollowUpAction):
    VERB: ClassVar[str] = "followup.joint_take"


@dataclass(frozen=True)
class ReleaseJoint(FollowUpAction):
    VERB: ClassVar[str] = "followup.joint_release"


# --- planned procurements -------------------------------------------------------------------


@dataclass(frozen=True)
class ProcurementAction(CardAction, abstract=True):
    """An action on one planned procurement."""

    FORM: ClassVar[Form | None] = None
    INPUTS: ClassVar[tuple[str, ...]] = ("values",)
    key: str
    values: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        form = cls.FORM.read(value) if cls.FORM is not None else {}
        return cls(match(_ITEM, value.get("key")), form)


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
    FORM: ClassVar[Form | None] = PLAN_UPDATE


@dataclass(frozen=True)
class ProcurementToAgreement(ProcurementAction):
    VERB: ClassVar[str] = "procurement.agreement"


# --- payloads -------------------------------------------------------------------------------

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


def execute(title: str, action: CardAction, style: str | None = None) -> dict[str, Any]:
    """An Action.Execute button that sends `action`."""
    data = payload(action)
    button_ = {"type": "Action.Execute", "title": title, "verb": data["verb"], "data": data}
    return {**button_, "style": style} if style else button_


def parse_action(value: dict[str, Any]) -> CardAction:
    """Validate what a card sent; UserError("error.bad_action") for anything malformed."""
    cls = _BY_VERB.get(str(value.get("verb", "")))
    if cls is None:
        raise UserError("error.bad_action")
    try:
        return cls.read(value)
    except (ValueError, TypeError, AttributeError, ArithmeticError):
        raise UserError("error.bad_action") from None


def match(pattern: re.Pattern[str], value: Any) -> str:
    if not isinstance(value, str) or not pattern.match(value):
        raise ValueError(value)
    return value


def _keys(value: Any) -> tuple[str, ...]:
    """Criteria ticked in a card (a comma-separated choice set, or a list): at most MAX_KEYS."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or len(items) > MAX_KEYS:
        raise ValueError("keys")
    return tuple(match(_KEY, str(item).strip()) for item in items if str(item).strip())


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
