"""The forms of shared work, each declared once (bot/forms.py): a market analysis and a
completed follow-up (fixed fields and ROWS rows of criterion, method and result)."""

from __future__ import annotations

from bot.criteria.model import AREA_CHOICES, KRAV_ID
from bot.fields import KRAV, LINK, SHORT, TEXT
from bot.forms import (
    CHOICE,
    DATE,
    LONG,
    NUMBER,
    Field,
    Form,
    Rule,
    Values,
)
from bot.forms import LINK as LINK_INPUT
from bot.forms import TEXT as TEXT_INPUT
from bot.places import MUNICIPALITY_CHOICES
from bot.sharing.models import METHODS, RESULTS

ROWS = 5  # criteria a shared follow-up reports on


def _area(label: str) -> Field:
    return Field("area", CHOICE, label, required=True, choices=AREA_CHOICES,
                 problem="share.error.area")  # fmt: skip


def _municipality() -> Field:
    return Field("municipality", CHOICE, "share.field.municipality", required=True,
                 choices=MUNICIPALITY_CHOICES, problem="share.error.municipality")  # fmt: skip


def _date() -> Field:
    return Field("date", DATE, "share.field.date", required=True, when="past",
                 problem="share.error.date")  # fmt: skip


ANALYSIS = Form(
    "analysis", "share.analysis.title", "share.analysis.intro", "share.send",
    fields=(
        Field("title", TEXT_INPUT, "share.field.title", SHORT, required=True,
              problem="share.error.title"),
        _area("share.field.area"),
        Field("product_group", TEXT_INPUT, "share.field.product_group", SHORT,
              problem="share.error.too_long"),
        _municipality(),
        _date(),
        Field("suppliers_consulted", NUMBER, "share.field.suppliers_consulted", required=True,
              problem="share.error.suppliers"),
        Field("summary", LONG, "share.field.summary", TEXT, required=True,
              problem="share.error.summary"),
        Field("findings", LONG, "share.field.findings", TEXT, problem="share.error.too_long"),
        Field("link", LINK_INPUT, "share.field.link", LINK, required=True,
              problem="share.error.link"),
        Field("contact", TEXT_INPUT, "share.field.contact", SHORT, required=True,
              problem="share.error.contact"),
    ),
)  # fmt: skip


def _row(n: int) -> tuple[Field, ...]:
    return (
        Field(f"krav_{n}", TEXT_INPUT, "share.field.krav", KRAV, placeholder="10699:2",
              problem="share.error.krav", valid=lambda v, _: bool(KRAV_ID.match(v))),
        Field(f"method_{n}", CHOICE, "share.field.method", choices=tuple((m, "") for m in METHODS),
              problem="share.error.method"),
        Field(f"result_{n}", CHOICE, "share.field.result", choices=tuple((r, "") for r in RESULTS),
              problem="share.error.result"),
    )  # fmt: skip


def _row_complete(n: int, part: str) -> Rule:
    """A criterion reported on says how it was checked and what came of it."""
    return Rule(f"{part}_{n}", f"share.error.{part}",
                lambda v, _: not v.get(f"krav_{n}") or bool(v.get(f"{part}_{n}")))  # fmt: skip


def _some_row(values: Values, _: object) -> bool:
    return any(values.get(f"krav_{n}") for n in range(1, ROWS + 1))


FOLLOWUP_REPORT = Form(
    "followup_report", "share.followup.title", "share.followup.intro", "share.send",
    fields=(
        Field("agreement", TEXT_INPUT, "share.field.agreement", SHORT, required=True,
              problem="share.error.agreement"),
        Field("supplier", TEXT_INPUT, "share.field.supplier", SHORT,
              problem="share.error.too_long"),
        _area("share.field.area"),
        _municipality(),
        _date(),
        *(field for n in range(1, ROWS + 1) for field in _row(n)),
        Field("findings", LONG, "share.field.findings", TEXT, problem="share.error.too_long"),
        Field("link", LINK_INPUT, "share.field.link", LINK, problem="share.error.link"),
    ),
    rules=(
        Rule("krav_1", "share.error.no_checks", _some_row),
        *(_row_complete(n, part) for n in range(1, ROWS + 1) for part in ("method", "result")),
    ),
)  # fmt: skip
