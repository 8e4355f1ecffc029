"""The study's indicators counted from what the owners store, per municipality and for the
region, for a quarter; the workbook and the card are views of the same tree."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from bot.agreements import AgreementRepository
from bot.agreements.model import Agreement, AgreementCriterion
from bot.agreements.repository import FollowUp, Result
from bot.clock import Clock
from bot.i18n import UserError, texts_for
from bot.procurements.model import Procurement
from bot.procurements.records import ProcurementRecords
from bot.stats import Period, StatisticsService, report_xlsx
from bot.storage import Store
from cards import statistics_card
from tests.cards.test_official_renderer import region_statistics
from tests.support.connector import card_nodes, card_text


def _agreement(municipality: str, title: str) -> Agreement:
    return Agreement(municipality, title, "livsmedel", "", "Leverantör AB", "556036-0793", False,
                     date(2025, 1, 1), date(2028, 1, 1), "x@y.se",
                     (AgreementCriterion("11567", "bas", "kvartal"),))  # fmt: skip


def _result(key: str, due: date, done: date, source: str = "") -> Result:
    return Result(key, "11567", due, "gron", "stickprov", "", "", "", "", done, "", "", source)


async def _region(store: Store, quarter: Period) -> None:
    """Lund did both its follow-ups (one late), Malmö one of two, Ystad none; Lund's plan had
    its expert before the announcement, Malmö's after."""
    assert quarter.start is not None
    first = quarter.start + timedelta(days=5)
    agreements = AgreementRepository(store)
    for municipality in ("Lund", "Malmö", "Ystad"):
        await agreements.save(_agreement(municipality, "Mat"))
    await agreements.add_result(_result("lund:mat", first, first))
    await agreements.add_result(_result("lund:mat", first + timedelta(days=1),
                                        first + timedelta(days=9)))  # fmt: skip
    await agreements.add_result(_result("malmö:mat", first, first, source="Lund"))
    await agreements.put_followup(FollowUp("malmö:mat", "10855", first + timedelta(days=2)))
    await agreements.put_followup(FollowUp("ystad:mat", "11567", first + timedelta(days=3)))
    plans = ProcurementRecords(store)
    announce = quarter.start + timedelta(days=20)
    for municipality, linked in (("Lund", first), ("Malmö", announce + timedelta(days=1))):
        await plans.put(Procurement(
            municipality, "Skolmat", "livsmedel", "", "planering", announce,
            announce + timedelta(days=120), "x@y.se", expert="e",
            expert_linked_on=linked.isoformat(),
        ))  # fmt: skip


def _quarter_before(quarter: Period) -> Period:
    assert quarter.start is not None
    return Period.quarter_of(quarter.start - timedelta(days=1))


@pytest.mark.calendar
async def test_the_quarter_counts_who_followed_up_consistently_and_who_never_did(
    store: Store, clock: Clock
) -> None:
    today = clock.today()
    last = _quarter_before(Period.quarter_of(today))
    await _region(store, last)
    stats = await StatisticsService(store, clock, 4.0).compute(last)
    rows = {m.name: m for m in stats.municipalities}
    assert (rows["Lund"].followups_on_time, rows["Lund"].followups_late) == (1, 1)
    assert rows["Lund"].consistent
    assert not rows["Malmö"].consistent
    assert rows["Ystad"].never
    f = stats.followups
    assert (f.due, f.on_time, f.late, f.joint_done) == (5, 2, 1, 1)
    assert (f.consistent.part, f.consistent.whole) == (1, 3)
    assert (f.never.part, f.never.whole) == (1, 3)
    assert (stats.procurements.early.part, stats.procurements.early.whole) == (1, 2)
    assert len(stats.municipalities) >= 33  # every municipality has its row in the report
    # Another quarter counts none of it.
    earlier = _quarter_before(last)
    assert (await StatisticsService(store, clock, 4.0).compute(earlier)).followups.due == 0


def test_the_workbook_has_a_sheet_per_indicator_a_row_per_municipality_and_charts() -> None:
    stats = region_statistics()
    book = load_workbook(io.BytesIO(report_xlsx(stats, texts_for("sv"))))
    assert book.sheetnames[:2] == ["Sammanfattning", "Uppföljningar gjorda i tid"]
    followups = book["Uppföljningar gjorda i tid"]
    names = [row[0] for row in followups.iter_rows(min_row=2, values_only=True)]
    assert names == [m.name for m in stats.municipalities]
    charts = sum(len(getattr(sheet, "_charts", [])) for sheet in book.worksheets)
    assert charts >= 3
    summary = [row for row in book["Sammanfattning"].iter_rows(values_only=True)]
    consistent = next(r for r in summary if r[0] == "Följer konsekvent upp")
    assert consistent[1:3] == ("4 / 34", "1 / 25")  # now beside the study's baseline
    assert "Studien: 1 av 25" in str(consistent[3])


def test_the_card_shows_charts_with_table_fallbacks_for_all_municipalities() -> None:
    card = statistics_card(region_statistics(), texts_for("en"), report_quarter="2026Q4")
    charts = {n["type"]: n for n in card_nodes(card) if n.get("type", "").startswith("Chart.")}
    assert set(charts) == {"Chart.Gauge", "Chart.HorizontalBar", "Chart.Line"}
    assert all(chart["fallback"]["type"] in ("TextBlock", "Container") for chart in charts.values())
    assert len(charts["Chart.HorizontalBar"]["data"]) == 34
    text = card_text(card)
    assert "Follow up consistently" in text
    assert "before the node 1 of 25 (4%)" in text


@pytest.mark.parametrize(
    ("start", "end", "key"),
    [(date(2026, 10, 1), date(2026, 1, 1), "stats.period.backwards"),
     (date(2020, 1, 1), date(2026, 1, 2), "stats.period.too_long")],
)  # fmt: skip
def test_a_period_backwards_or_over_five_years_is_refused(start: date, end: date, key: str) -> None:
    with pytest.raises(UserError) as refused:
        Period.checked(start, end)
    assert refused.value.key == key


@pytest.mark.parametrize("given", ["2026Q3", "2026-Q3", "Q3 2026", "3 2026", "2026 k3"])
def test_a_quarter_is_read_as_people_write_it(given: str) -> None:
    period = Period.parse_quarter(given, date(2026, 11, 30))
    assert (period.start, period.end, period.label) == (date(2026, 7, 1), date(2026, 9, 30),
                                                        "2026Q3")  # fmt: skip


def test_a_quarter_that_does_not_exist_is_refused() -> None:
    with pytest.raises(UserError):
        Period.parse_quarter("2026Q5", date(2026, 11, 30))
