"""Follow-ups with an injected clock, on both backends: reminders once per kind, results,
postponing, handing over, joint follow-up, permissions, the import."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path

import pytest
from dateutil.relativedelta import relativedelta
from openpyxl import Workbook

from bot.agreements import FormProblems, due_dates
from bot.messaging import Person
from bot.tabular import csv_rows, read_rows
from tests.agreements.conftest import (
    ANNA,
    BO,
    Setup,
    agreement,
    first_due,
    start_for_first_due,
)
from tests.support.connector import card_text

pytestmark = pytest.mark.calendar


def result(today: date, **change: str) -> dict[str, str]:
    """A yellow result recorded today, with an action within a month."""
    values = {"result": "gul", "method": "stickprov", "checked": "Produktblad för 12 produkter",
              "finding": "Två produkter saknade blad", "action": "Nya produktblad",
              "action_date": (today + timedelta(days=30)).isoformat(),
              "done_on": today.isoformat()}  # fmt: skip
    return {**values, **change}


def reminders_to(setup: Setup, user_id: str) -> list[str]:
    return [card_text(card) for card in setup.messenger.direct_to(user_id)]


def days(setup: Setup, count: int) -> None:
    setup.clock.advance(timedelta(days=count))


async def test_reminders_come_14_days_before_on_the_day_and_weekly_once_each(setup: Setup) -> None:
    service = setup.service
    today = setup.clock.today()
    values = agreement(today)
    await service.register(values, ANNA.user_id)  # 2 criteria, first due in ten days or so
    due = first_due(values)
    assert today < due <= today + timedelta(days=13)
    assert await setup.remind() == 2  # within 14 days: the heads-up, now, one per criterion
    assert await setup.remind() == 0  # never twice
    first = "\n".join(reminders_to(setup, ANNA.user_id))
    assert "Om 14 dagar" in first
    assert "Städkemikalier" in first  # the criterion, with its kravtext and proof
    assert "Systematiskt miljöarbete" in first
    days(setup, (due - today).days)  # the day
    assert await setup.remind() == 2
    assert await setup.remind() == 0
    days(setup, 7)  # a week overdue
    assert await setup.remind() == 2
    days(setup, 3)
    assert await setup.remind() == 0
    days(setup, 4)  # two weeks overdue
    assert await setup.remind() == 2
    texts = reminders_to(setup, ANNA.user_id)
    assert len(texts) == 2 + 2 + 2 + 2
    assert sum("försenad" in t for t in texts) == 4


async def test_the_due_list_reports_due_and_overdue_with_joint_municipalities(
    setup: Setup,
) -> None:
    service = setup.service
    today = setup.clock.today()
    lund = agreement(today)
    malmo = agreement(today, municipality="Malmö", title="Lokalvård", responsible="bo@malmo.se",
                      criteria="11567", interval="halvar",
                      start=start_for_first_due(today, 4, "halvar").isoformat())  # fmt: skip
    await service.register(lund, ANNA.user_id)
    await service.register(malmo, BO.user_id)
    items = [i.as_json() for i in await service.due()]
    lund_due, malmo_due = first_due(lund).isoformat(), first_due(malmo).isoformat()
    assert [(i["municipality"], i["criterion"], i["due"], i["overdue"]) for i in items] == [
        ("Malmö", "11567", malmo_due, False),
        ("Lund", "10855", lund_due, False),
        ("Lund", "11567", lund_due, False),
    ]
    joint = {(i["municipality"], i["criterion"]): i["joint_with"] for i in items}
    assert joint[("Lund", "11567")] == ["Malmö"]
    assert joint[("Malmö", "11567")] == ["Lund"]
    assert joint[("Lund", "10855")] == []
    later = await service.due(at=first_due(lund) + timedelta(days=10), municipality="lund")
    assert later
    assert all(i.overdue for i in later)


async def test_a_result_opens_the_next_follow_up_and_is_shared_with_consent(
    setup: Setup,
) -> None:
    service = setup.service
    today = setup.clock.today()
    values = agreement(today)
    created = await service.register(values, ANNA.user_id)
    item = await service.item(created.key, "11567")
    with pytest.raises(FormProblems) as problems:
        await service.record_result(item, result(today, action=""), ANNA, ("anna@lund.se",))
    assert set(problems.value.problems.fields) == {"action"}
    tomorrow = (today + timedelta(days=1)).isoformat()
    with pytest.raises(FormProblems):
        await service.record_result(item, result(today, done_on=tomorrow), ANNA,
                                    ("anna@lund.se",))  # fmt: skip
    recorded = await service.record_result(
        item, result(today, share="true"), ANNA, ("anna@lund.se",)
    )
    assert len(recorded) == 1
    nxt = await service.repository.followup(created.key, "11567")
    assert nxt is not None
    start, end = date.fromisoformat(values["start"]), date.fromisoformat(values["end"])
    assert nxt.due == due_dates(start, end, "kvartal")[1]  # the next quarter
    summary = await setup.service._sharing.followups_for("11567")
    assert [r.agreement for r in summary.reports] == ["Lokalvård skolor"]


async def test_postpone_and_hand_over(setup: Setup) -> None:
    service = setup.service
    today = setup.clock.today()
    created = await service.register(agreement(today), ANNA.user_id)
    item = await service.item(created.key, "11567")
    past, later = today - timedelta(days=26), today + timedelta(days=49)
    with pytest.raises(FormProblems):
        await service.postpone(item, {"new_date": past.isoformat(), "reason": ""}, ANNA)
    moved = await service.postpone(
        item, {"new_date": later.isoformat(), "reason": "Leverantören byter system"}, ANNA
    )
    assert moved.due == later
    assert moved.postponed[0]["reason"] == "Leverantören byter system"
    item = await service.item(created.key, "11567")
    handed = await service.hand_over(item, {"to": "bo@malmo.se"}, ANNA)
    assert handed.responsible == "bo@malmo.se"
    assert "har lämnat över" in card_text(setup.messenger.direct_to(BO.user_id)[-1]) or (
        "handed the agreement" in card_text(setup.messenger.direct_to(BO.user_id)[-1])
    )


async def test_twenty_takers_of_a_joint_follow_up_one_wins_and_records_for_all(
    setup: Setup,
) -> None:
    service = setup.service
    today = setup.clock.today()
    lund = await service.register(agreement(today), ANNA.user_id)
    malmo = await service.register(
        agreement(today, municipality="Malmö", title="Lokalvård", responsible="bo@malmo.se",
                  criteria="11567"), BO.user_id,
    )  # fmt: skip
    item = await service.item(lund.key, "11567")
    takers = [ANNA] + [replace_id(n) for n in range(19)]
    notices = await asyncio.gather(*(service.take_joint(item, p) for p in takers))
    assert sum(n.key == "joint.taken" for n in notices) == 1
    winner = takers[[n.key for n in notices].index("joint.taken")]
    item = await service.item(lund.key, "11567")
    assert item.joint is not None
    assert item.joint.taker == winner.user_id
    recorded = await service.record_result(item, result(today), winner, (winner.user_id,))
    assert {r.agreement for r in recorded} == {lund.key, malmo.key}
    assert {r.source for r in recorded} == {winner.name}
    assert (await service.item(lund.key, "11567")).joint is None  # released after the result


def replace_id(n: int) -> Person:
    return Person(f"29:taker-{n}", f"aad-taker-{n}", f"Taker {n}")


def _csv(text: str, encoding: str = "utf-8") -> list[list[str]]:
    return csv_rows(text.encode(encoding))


HEADER = (
    "Kommun;Avtal;Leverantör;Organisationsnummer;Område;Avtalsstart;Avtalsslut;Ansvarig;"
    "Krav-ID;Intervall"
)


async def test_an_import_with_a_bad_row_imports_nothing_and_names_the_rows(setup: Setup) -> None:
    rows = _csv(f"{HEADER}\nLund;Städ;Städbolaget AB;5560360793;Städ och kemikalier;2026-01-01;"
                "2027-12-31;anna@lund.se;11567;kvartal\nLund;Fel;X AB;5560360794;it;2026-01-01;"
                "2025-01-01;anna;99999;veckovis\n")  # fmt: skip
    report = await setup.service.import_rows(rows)
    assert (report.added, [e.row for e in report.errors]) == (0, [3])
    assert "Organisationsnummer" in report.errors[0].reason
    assert await setup.service.repository.all_agreements() == []


async def test_import_in_cp1252_and_xlsx_and_again_updates(setup: Setup, tmp_path: Path) -> None:
    line = ("Malmö;Lokalvård förvaltningar;Städbolaget AB;556036-0793;stad-och-kemikalier;"
            "2026-03-01;2029-02-28;bo@malmo.se;11567, 10855:1;halvår")  # fmt: skip
    report = await setup.service.import_rows(_csv(f"{HEADER}\n{line}\n", "cp1252"))
    assert (report.added, report.updated, report.errors) == (1, 0, [])
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER.split(";"))
    sheet.append(line.replace("halvår", "år").split(";"))
    path = tmp_path / "avtal.xlsx"
    workbook.save(path)
    report = await setup.service.import_rows(read_rows(path))
    assert (report.added, report.updated) == (0, 1)
    (stored,) = await setup.service.repository.all_agreements()
    assert stored.municipality == "Malmö"
    assert {c.interval for c in stored.criteria} == {"ar"}


async def test_a_long_overdue_follow_up_is_reminded_once_a_week_not_for_every_week_missed(
    setup: Setup,
) -> None:
    service = setup.service
    await service.register(agreement(setup.clock.today(), criteria="11567"), ANNA.user_id)
    assert await setup.remind() == 1  # the heads-up
    days(setup, 60)  # no round ran for two months (the node was down)
    assert await setup.remind() == 1  # one reminder, not eight
    assert await setup.remind() == 0
    days(setup, 6)
    assert await setup.remind() == 0
    days(setup, 1)
    assert await setup.remind() == 1


async def test_a_reminder_waits_for_a_person_who_has_not_opened_the_bot_yet(
    setup: Setup,
) -> None:
    service = setup.service
    values = agreement(setup.clock.today(), responsible="new@lund.se", criteria="11567")
    await service.register(values, ANNA.user_id)
    assert await setup.remind() == 0  # nobody to write to yet
    days(setup, 1)
    assert await setup.remind() == 0
    setup.people.known["new@lund.se"] = BO  # they open the bot: their first contact
    assert await setup.outbox.wake(["new@lund.se"]) == 1
    assert await setup.remind() == 1
    assert "In 14 days" in reminders_to(setup, BO.user_id)[-1]  # in their language
    assert await setup.remind() == 0


async def test_registered_after_a_due_date_the_last_passed_follow_up_is_owed_at_once(
    setup: Setup,
) -> None:
    """Like Ystad's quarterly agreement registered a month after a due date: that follow-up
    is owed now ("försenad sedan …"), once, and the last one falls on the end date."""
    service, today = setup.service, setup.clock.today()
    start = today - relativedelta(months=9) - timedelta(days=29)
    end = start + relativedelta(years=1) - timedelta(days=1)
    values = agreement(today, start=start.isoformat(), end=end.isoformat(), criteria="11567")
    created = await service.register(values, ANNA.user_id)
    owed = due_dates(start, end, "kvartal")[2]  # nine months on: passed
    assert owed < today
    item = await service.item(created.key, "11567")
    assert (item.followup.due, item.overdue) == (owed, True)
    assert await setup.remind() == 1  # at once, one reminder (not one per passed quarter)
    assert f"försenad sedan {owed.isoformat()}" in reminders_to(setup, ANNA.user_id)[-1]
    assert await setup.remind() == 0
    await service.record_result(item, result(today), ANNA, ("anna@lund.se",))
    following = await service.repository.followup(created.key, "11567")
    assert following is not None
    assert following.due == end  # the next quarter falls after the end: the end date
