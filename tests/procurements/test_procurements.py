"""Planned procurements: overlap, the annual plan's import, and the CLI."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta

from bot.clock import Clock
from bot.criteria import CriteriaLibrary
from bot.forms import Context, Problems
from bot.outbox import Outbox
from bot.procurements import Procurement, ProcurementService, overlapping
from bot.procurements.forms import PROCUREMENT
from bot.procurements.service import NUDGE
from bot.routing import RoutingService
from bot.storage import Store
from bot.values import parse_month
from cards import ProcurementPresenter, TicketCards
from tests.agreements.conftest import ANNA, People
from tests.conftest import TODAY, ZONE
from tests.criteria.test_cli import run
from tests.routing.conftest import RecordingMessenger
from tests.support.processes import ROOT

EXAMPLE = ROOT / "deployment" / "procurements.example.csv"


def plan(
    municipality: str,
    announce: str,
    area: str = "stad-och-kemikalier",
    group: str = "Städtjänster",
    shared: bool = True,
) -> Procurement:
    month = parse_month(announce)
    assert month is not None
    title = f"Städ {municipality}"
    return Procurement(municipality, title, area, group, "behovsanalys", month,
                       date(2028, 1, 1), "x@y.se", shared=shared)  # fmt: skip


def test_plans_of_the_same_need_within_the_months_overlap() -> None:
    plans = [plan("Lund", "2027-03"), plan("Malmö", "2027-08"), plan("Ystad", "2028-06"),
             plan("Eslöv", "2027-04", group="Fönsterputs"), plan("Höör", "2027-04", area="it"),
             plan("Sjöbo", "2027-05", group="")]  # fmt: skip
    groups = overlapping(plans, 6)
    # Sjöbo names no product group: it may be buying either.
    assert [[p.municipality for p in g] for g in groups] == [
        ["Eslöv", "Sjöbo"],
        ["Lund", "Sjöbo", "Malmö"],
    ]
    assert overlapping(plans, 0) == []
    hidden = [plan("Lund", "2027-03"), plan("Malmö", "2027-04", shared=False)]
    assert overlapping(hidden, 6) == []


def check_procurement(values: dict[str, str]) -> Problems:
    return PROCUREMENT.check(PROCUREMENT.clean(values), Context(TODAY))


@pytest.mark.parametrize(
    ("change", "field"),
    [({"announce": "2027-13"}, "announce"), ({"announce": "mars"}, "announce"),
     ({"contract_start": "2026-01-01"}, "contract_start"), ({"contact": "anna"}, "contact"),
     ({"stage": "klar"}, "stage"), ({"area": "rymden"}, "area")],
)  # fmt: skip
def test_every_problem_of_a_plan_is_named(change: dict[str, str], field: str) -> None:
    values = {"municipality": "Lund", "title": "Städ", "area": "Städ och kemikalier",
              "announce": "2027-03", "contract_start": "2027-09-01", "contact": "a@lund.se",
              "stage": "behovsanalys"}  # fmt: skip
    assert not check_procurement(values)
    assert field in check_procurement({**values, **change}).fields


def test_the_example_plan_imports_and_overlaps_as_json(tmp_path: Path) -> None:
    imported = run(["procurements", "import", str(EXAMPLE)], tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "3 new" in imported.stdout
    assert "0 new, 3 updated" in run(["procurements", "import", str(EXAMPLE)], tmp_path).stdout
    groups = json.loads(run(["procurements", "overlap", "--json"], tmp_path).stdout)
    assert groups == [{
        "area": "stad-och-kemikalier", "product_group": "Städtjänster",
        "municipalities": ["Lund", "Malmö"],
        "procurements": [
            {"title": "Lokalvård förskolor 2027", "municipality": "Lund", "announce": "2027-03"},
            {"title": "Städtjänster stadsdelar", "municipality": "Malmö", "announce": "2027-05"},
        ],
    }]  # fmt: skip
    assert json.loads(run(["procurements", "overlap", "--months", "1", "--json"],
                          tmp_path).stdout) == []  # fmt: skip
    stats = run(["stats"], tmp_path)
    assert "Procurements: 3 registered" in stats.stdout


def test_a_plan_with_a_bad_row_imports_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "plan.csv"
    bad.write_text(EXAMPLE.read_text("utf-8").replace("2027-05;", "maj 2027;"), "utf-8")
    result = run(["procurements", "import", str(bad)], tmp_path)
    assert result.returncode == 1
    assert "row 3: invalid: Planerad Annonsering" in result.stderr
    assert json.loads(run(["procurements", "overlap", "--json"], tmp_path).stdout) == []


@pytest.mark.calendar
async def test_a_nudge_waits_for_the_contact_and_comes_once(store: Store, clock: Clock) -> None:
    library = CriteriaLibrary(store, clock)
    await library.load()
    messenger = RecordingMessenger()
    people = People(known={})
    outbox = Outbox(store, clock)
    routing = RoutingService(store, messenger, library, TicketCards(ZONE), clock, outbox)
    service = ProcurementService(store, messenger, library, ProcurementPresenter(), people,
                                 routing, clock, outbox)  # fmt: skip

    async def nudged() -> int:
        return (await outbox.run()).count(NUDGE)

    announce = clock.today() + timedelta(weeks=6)  # within ten weeks: the nudge is due now
    start = (announce + relativedelta(months=6)).replace(day=1)
    await service.register({"municipality": "Lund", "title": "Städ", "area": "stad-och-kemikalier",
                            "announce": f"{announce:%Y-%m}", "contract_start": start.isoformat(),
                            "contact": "anna@lund.se"}, "x")  # fmt: skip
    assert await nudged() == 0  # Anna has not opened the bot yet
    clock.advance(timedelta(days=2))
    assert await nudged() == 0
    people.known["anna@lund.se"] = ANNA
    await outbox.wake(["anna@lund.se"])  # her first contact
    contacted_on = clock.today()
    assert await nudged() == 1
    assert await nudged() == 0
    clock.advance(timedelta(days=1))  # the day after: not again
    assert await nudged() == 0
    assert len(messenger.direct_to(ANNA.user_id)) == 1
    (plan,) = await service.all()
    assert plan.nudged_on == contacted_on.isoformat()
