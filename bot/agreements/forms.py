"""The forms of agreements and follow-up, each declared once (bot/forms.py): the "nytt avtal"
form, which also names the register's import columns, and the follow-up card's four forms:
a result, postponing, handing over, asking an expert."""

from __future__ import annotations

from rapidfuzz import fuzz, process
from stdnum.se import orgnr

from bot.agreements.model import (
    INTERVALS,
    LEVELS,
    RESULTS,
    criteria_words,
    interval_of,
    parse_criteria,
)
from bot.criteria.model import AREA_CHOICES, area_of
from bot.fields import ADDRESS, KRAV_LIST, NOTE, ORG_NUMBER, QUESTION, REASON, SHORT, TEXT
from bot.forms import (
    ADDRESS as ADDRESS_INPUT,
)
from bot.forms import (
    CHOICE,
    DATE,
    LONG,
    TOGGLE,
    Context,
    Field,
    Form,
    Rule,
    Values,
    choices_of,
)
from bot.forms import (
    TEXT as TEXT_INPUT,
)
from bot.places import MUNICIPALITY_CHOICES
from bot.sharing.models import METHODS
from bot.values import parse_date


def _nearest(text: str, context: Context) -> dict[str, str]:
    """The known Krav IDs nearest to each unknown one ("11576" -> 11567), for the problem."""
    known = sorted(context.known_criteria)
    bases = [words[0].split(":")[0] for words in criteria_words(text)]
    unknown = [base[:20] for base in bases if base not in context.known_criteria]
    near = {m[0] for u in unknown for m in process.extract(u, known, scorer=fuzz.ratio, limit=2)
            if m[1] >= 75}  # fmt: skip
    return {"unknown": ", ".join(unknown) or "–", "nearest": ", ".join(sorted(near)) or "–"}


def _known_criteria(text: str, context: Context) -> bool:
    try:
        parse_criteria(text, "ar", set(context.known_criteria))
    except ValueError:
        return False
    return True


def _after_start(values: Values, context: Context) -> bool:
    start, end = parse_date(values.get("start", "")), parse_date(values.get("end", ""))
    return start is None or end is None or end > start


AGREEMENT = Form(
    "agreement", "agreement.form.title", "agreement.form.intro", "agreement.send",
    fields=(
        Field("municipality", CHOICE, "agreement.field.municipality", required=True,
              choices=MUNICIPALITY_CHOICES, problem="agreement.error.municipality",
              columns=("kommun", "municipality")),
        Field("title", TEXT_INPUT, "agreement.field.title", SHORT, required=True,
              problem="agreement.error.title", columns=("avtal", "avtalsnamn", "agreement")),
        Field("area", CHOICE, "agreement.field.area", required=True, choices=AREA_CHOICES,
              problem="agreement.error.area", columns=("område", "omrade", "area"),
              normalize=area_of),
        Field("product_group", TEXT_INPUT, "agreement.field.product_group", SHORT,
              problem="form.error.length", columns=("produktgrupp", "product group")),
        Field("supplier", TEXT_INPUT, "agreement.field.supplier", SHORT, required=True,
              problem="agreement.error.supplier",
              columns=("leverantör", "leverantor", "supplier")),
        Field("org_number", TEXT_INPUT, "agreement.field.org_number", ORG_NUMBER, required=True,
              problem="agreement.error.org_number", placeholder="556036-0793",
              valid=lambda v, _: bool(orgnr.is_valid(v)),
              columns=("organisationsnummer", "orgnr", "org.nr", "organisation number")),
        Field("framework", TOGGLE, "agreement.field.framework", default="false",
              columns=("ramavtal", "framework")),
        Field("start", DATE, "agreement.field.start", required=True,
              problem="agreement.error.date", columns=("avtalsstart", "startdatum", "start")),
        Field("end", DATE, "agreement.field.end", required=True, problem="agreement.error.date",
              columns=("avtalsslut", "slutdatum", "end")),
        Field("responsible", ADDRESS_INPUT, "agreement.field.responsible", ADDRESS,
              required=True, problem="agreement.error.responsible",
              columns=("ansvarig", "avtalsansvarig", "responsible")),
        Field("criteria", TEXT_INPUT, "agreement.field.criteria", KRAV_LIST, required=True,
              problem="agreement.error.criteria", valid=_known_criteria, explain=_nearest,
              placeholder="11567, 10699:2 avancerad",
              columns=("krav-id", "krav id", "kravid", "krav", "criteria")),
        Field("interval", CHOICE, "agreement.field.interval", required=True,
              choices=choices_of(tuple(INTERVALS), "interval."), default="ar",
              problem="agreement.error.interval", normalize=lambda v: interval_of(v) or "",
              columns=("intervall", "uppföljningsintervall", "interval")),
        Field("shared", TOGGLE, "agreement.field.shared", default="true"),
    ),
    rules=(Rule("end", "agreement.error.end_before_start", _after_start),),
)  # fmt: skip


def _yellow_or_red(values: Values) -> bool:
    return values.get("result") in ("gul", "rod")


RESULT = Form(
    "result", "followup.record", "", "followup.send.record",
    fields=(
        Field("result", CHOICE, "followup.field.result", required=True,
              choices=choices_of(RESULTS, "result."), problem="followup.error.result"),
        Field("method", CHOICE, "followup.field.method", choices=tuple((m, "") for m in METHODS)),
        Field("checked", LONG, "followup.field.checked", NOTE, required=True,
              problem="followup.error.checked"),
        Field("finding", LONG, "followup.field.finding", TEXT, problem="followup.error.too_long"),
        Field("action", LONG, "followup.field.action", NOTE, problem="followup.error.action"),
        Field("action_date", DATE, "followup.field.action_date",
              problem="followup.error.action_date",
              valid=lambda v, c: (d := parse_date(v)) is not None and d >= c.today),
        Field("done_on", DATE, "followup.field.done_on", required=True, when="past",
              problem="followup.error.done_on"),
        Field("share", TOGGLE, "followup.field.share", default="false"),
    ),
    rules=(
        # Yellow or red: what is done about it, and by when.
        Rule("action", "followup.error.action",
             lambda v, _: not _yellow_or_red(v) or bool(v.get("action"))),
        Rule("action_date", "followup.error.action_date",
             lambda v, _: not _yellow_or_red(v) or bool(v.get("action_date"))),
    ),
)  # fmt: skip
POSTPONE = Form(
    "postpone", "followup.postpone", "", "followup.send.postpone",
    fields=(
        Field("new_date", DATE, "followup.field.new_date", required=True, when="future",
              problem="followup.error.postpone_date"),
        Field("reason", TEXT_INPUT, "followup.field.reason", REASON, required=True,
              problem="followup.error.reason"),
    ),
)  # fmt: skip
HAND_OVER = Form(
    "hand_over", "followup.handover", "", "followup.send.handover",
    fields=(
        Field("to", ADDRESS_INPUT, "followup.field.to", ADDRESS, required=True,
              problem="agreement.error.responsible"),
    ),
)  # fmt: skip
EXPERT_SUPPORT = Form(
    "expert_support", "followup.expert", "", "followup.send.expert",
    fields=(
        Field("question", LONG, "followup.field.question", QUESTION,
              problem="ask.error.question_short"),
    ),
)  # fmt: skip


__all__ = ["AGREEMENT", "EXPERT_SUPPORT", "HAND_OVER", "LEVELS", "POSTPONE", "RESULT"]
