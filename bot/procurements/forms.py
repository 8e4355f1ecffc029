"""The forms of planned procurements, each declared once (bot/forms.py): "ny upphandling",
which also names the annual plan's import columns, and the plan card's update."""

from __future__ import annotations

from bot.criteria.model import AREA_CHOICES, area_of
from bot.fields import ADDRESS, MONTH, SHORT
from bot.forms import ADDRESS as ADDRESS_INPUT
from bot.forms import CHOICE, DATE, TEXT, TOGGLE, Context, Field, Form, Rule, Values, choices_of
from bot.forms import MONTH as MONTH_INPUT
from bot.places import MUNICIPALITY_CHOICES
from bot.procurements.model import STAGES, VALUE_BANDS
from bot.values import parse_date, parse_month

_STAGE_SPELLINGS = {"förfrågningsunderlag": "forfragningsunderlag"}


def stage_of(text: str) -> str:
    """A stage from how a plan writes it ("Förfrågningsunderlag" -> forfragningsunderlag)."""
    cleaned = text.strip().lower()
    return _STAGE_SPELLINGS.get(cleaned, cleaned)


def _start_after_announcement(values: Values, context: Context) -> bool:
    announce = parse_month(values.get("announce", ""))
    start = parse_date(values.get("contract_start", ""))
    return announce is None or start is None or start >= announce


_RULES = (Rule("contract_start", "procurement.error.start_before", _start_after_announcement),)
_STAGE = Field("stage", CHOICE, "procurement.field.stage", choices=choices_of(STAGES, "stage."),
               default="behovsanalys", problem="procurement.error.stage", normalize=stage_of,
               columns=("skede", "stage"))  # fmt: skip
_ANNOUNCE = Field("announce", MONTH_INPUT, "procurement.field.announce", MONTH, required=True,
                  problem="procurement.error.announce", placeholder="2027-03",
                  columns=("planerad annonsering", "annonsering", "announcement"))  # fmt: skip
_START = Field("contract_start", DATE, "procurement.field.contract_start", required=True,
               problem="procurement.error.date",
               columns=("planerad avtalsstart", "avtalsstart", "contract start"))  # fmt: skip

PROCUREMENT = Form(
    "procurement", "procurement.form.title", "procurement.form.intro", "procurement.send",
    fields=(
        Field("municipality", CHOICE, "procurement.field.municipality", required=True,
              choices=MUNICIPALITY_CHOICES, problem="procurement.error.municipality",
              columns=("kommun", "municipality")),
        Field("title", TEXT, "procurement.field.title", SHORT, required=True,
              problem="procurement.error.title", columns=("upphandling", "namn", "procurement")),
        Field("area", CHOICE, "procurement.field.area", required=True, choices=AREA_CHOICES,
              problem="procurement.error.area", normalize=area_of,
              columns=("område", "omrade", "area")),
        Field("product_group", TEXT, "procurement.field.product_group", SHORT,
              problem="form.error.length", columns=("produktgrupp", "product group")),
        _STAGE,
        _ANNOUNCE,
        _START,
        Field("value_band", CHOICE, "procurement.field.value_band",
              choices=choices_of(VALUE_BANDS, "value."), problem="procurement.error.value_band",
              columns=("värde", "uppskattat värde", "value")),
        Field("contact", ADDRESS_INPUT, "procurement.field.contact", ADDRESS, required=True,
              problem="procurement.error.contact",
              columns=("kontakt", "kontaktperson", "contact")),
        Field("open_to_coordinate", TOGGLE, "procurement.field.open_to_coordinate",
              default="true",
              columns=("samordning", "öppen för samordning", "coordination")),
        Field("shared", TOGGLE, "procurement.field.shared", default="true"),
    ),
    rules=_RULES,
)  # fmt: skip
PLAN_UPDATE = Form(
    "plan_update", "procurement.update", "", "procurement.save",
    fields=(_STAGE, _ANNOUNCE, _START),
    rules=_RULES,
)  # fmt: skip
