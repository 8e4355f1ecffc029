"""The due-date rule and the agreement's checks."""

from __future__ import annotations

from datetime import date

import pytest

from bot.agreements import due_dates, interval_of, org_number
from bot.agreements.forms import AGREEMENT
from bot.agreements.model import owed_due
from bot.forms import Context, Problems

KNOWN = frozenset({"11567", "10699", "10855"})
GOOD = {"municipality": "Lund", "title": "Lokalvård", "area": "Städ och kemikalier",
        "supplier": "Städbolaget AB", "org_number": "5560360793", "start": "2026-01-31",
        "end": "2027-01-31", "responsible": "anna@lund.se", "criteria": "11567, 10699:2 avancerad",
        "interval": "kvartal"}  # fmt: skip


@pytest.mark.parametrize(
    ("interval", "expected"),
    [
        ("kvartal", ["2026-04-30", "2026-07-31", "2026-10-31", "2027-01-31"]),
        ("halvar", ["2026-07-31", "2027-01-31"]),
        ("ar", ["2027-01-31"]),
        ("vid_avtalsstart", ["2026-03-02"]),
    ],
)
def test_due_dates_follow_the_interval_from_the_start_until_the_end(
    interval: str, expected: list[str]
) -> None:
    dates = due_dates(date(2026, 1, 31), date(2027, 1, 31), interval)
    assert [d.isoformat() for d in dates] == expected


def test_a_month_step_keeps_the_day_or_takes_the_months_last() -> None:
    assert due_dates(date(2026, 11, 30), date(2027, 6, 1), "kvartal") == [
        date(2027, 2, 28),
        date(2027, 5, 30),
        date(2027, 6, 1),  # the next would fall after the end: the last is on the end date
    ]


def test_every_agreement_owes_at_least_one_follow_up_before_it_ends() -> None:
    # A half-year agreement followed up yearly: once, on its last day.
    assert due_dates(date(2026, 1, 1), date(2026, 6, 30), "ar") == [date(2026, 6, 30)]


def test_registered_after_a_due_date_it_owes_the_most_recent_one_once() -> None:
    """Ystad's quarterly agreement (2026-02-01 to 2027-01-31), registered 2026-11-30: the
    follow-up of 2026-11-01 is owed (overdue), then the last one on the end date."""
    start, end = date(2026, 2, 1), date(2027, 1, 31)
    assert due_dates(start, end, "kvartal") == [
        date(2026, 5, 1), date(2026, 8, 1), date(2026, 11, 1), date(2027, 1, 31),
    ]  # fmt: skip
    assert owed_due(start, end, "kvartal", date(2026, 11, 30)) == date(2026, 11, 1)
    assert owed_due(start, end, "kvartal", date(2026, 4, 1)) == date(2026, 5, 1)  # none passed
    assert owed_due(start, end, "kvartal", date(2026, 5, 1)) == date(2026, 5, 1)  # due today


def test_interval_spellings() -> None:
    assert [interval_of(t) for t in ("Kvartal", "halvår", "ÅR", "vid avtalsstart", "x")] == [
        "kvartal", "halvar", "ar", "vid_avtalsstart", None,
    ]  # fmt: skip


def test_organisation_numbers_are_checked_by_their_checksum() -> None:
    assert org_number("5560360793") == "556036-0793"
    with pytest.raises(ValueError, match="orgnr"):
        org_number("556036-0794")


def check_agreement(values: dict[str, str], known: frozenset[str], today: date) -> Problems:
    """The "nytt avtal" form's check, as the form, the import and the service run it."""
    return AGREEMENT.check(AGREEMENT.clean(values), Context(today, known))


def test_a_good_agreement_has_no_problems() -> None:
    assert not check_agreement(GOOD, KNOWN, date(2026, 11, 27))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"end": "2025-12-31"}, "end"),
        ({"org_number": "556036-0794"}, "org_number"),
        ({"criteria": "99999"}, "criteria"),
        ({"responsible": "anna"}, "responsible"),
        ({"interval": "månadsvis"}, "interval"),
        ({"municipality": "Oslo"}, "municipality"),
        ({"area": "rymden"}, "area"),
        ({"start": "31/1/2026"}, "start"),
    ],
)
def test_every_problem_is_named(change: dict[str, str], field: str) -> None:
    problems = check_agreement({**GOOD, **change}, KNOWN, date(2026, 11, 27))
    assert field in problems.fields
