"""Shared market analyses and follow-ups, and follow-up plans: in the core and over HTTP."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from openpyxl import load_workbook

from bot.clock import Clock
from bot.criteria import CriteriaLibrary
from bot.i18n import texts_for
from bot.messaging import Person
from bot.outbox import Outbox
from bot.sharing import FormProblems, SharedItems, SharingService, plan_xlsx
from bot.storage import Store
from cards import SharedItemCards, followup_summary_text
from tests.conftest import TODAY as TODAY_DATE
from tests.routing.conftest import RecordingMessenger
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, card_nodes, card_text
from tests.teams.test_criteria_questions import action, ask, click

PERSON = Person("29:user-alex", "aad-alex", "Alex Wilber")
TODAY = TODAY_DATE.isoformat()
ANALYSIS = {
    "title": "Fossilfria godstransporter 2026",
    "area": "fordon-och-transport",
    "product_group": "Godstransporter",
    "municipality": "Lund",
    "date": TODAY,
    "suppliers_consulted": "7",
    "summary": "Fem av sju åkerier kan köra på HVO100 eller biogas redan i år.",
    "findings": "Eldrivna tunga fordon först 2028.",
    "link": "https://lund.se/marknadsanalys-godstransporter.pdf",
    "contact": "Eva Exempel",
}
FOLLOWUP = {
    "agreement": "Godstransporter 2024-2027",
    "supplier": "",
    "area": "fordon-och-transport",
    "municipality": "Ystad",
    "date": TODAY,
    "findings": "Ett fordon saknades i listan.",
    "link": "",
    "krav_1": "10699:2",
    "method_1": "stickprov",
    "result_1": "delvis",
    "krav_2": "10710:2",
    "method_2": "certifikat",
    "result_2": "uppfyllt",
}


@pytest.fixture
async def sharing(store: Store, clock: Clock) -> SharingService:
    library = CriteriaLibrary(store, clock)
    library.add_source(SharedItems(store))  # as the node wires it (bot/node.py)
    await library.load()
    return SharingService(store, RecordingMessenger(), library, clock, Outbox(store, clock),
                          SharedItemCards())  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "bad_fields"),
    [
        ({"title": "", "link": "http://lund.se/x.pdf"}, {"title", "link"}),
        ({"date": (TODAY_DATE + timedelta(days=3)).isoformat()}, {"date"}),
        ({"suppliers_consulted": "många", "area": "rymden"}, {"suppliers_consulted", "area"}),
        ({"municipality": "Oslo", "contact": ""}, {"municipality", "contact"}),
    ],
)
async def test_an_invalid_analysis_marks_every_problem_and_stores_nothing(
    sharing: SharingService, changes: dict[str, str], bad_fields: set[str]
) -> None:
    with pytest.raises(FormProblems) as raised:
        await sharing.share_analysis(PERSON, {**ANALYSIS, **changes})
    assert set(raised.value.problems.fields) == bad_fields
    assert await sharing.analyses() == []


async def test_a_shared_analysis_is_listed_filtered_and_found_by_search(
    sharing: SharingService,
) -> None:
    item = await sharing.share_analysis(PERSON, ANALYSIS)
    assert [a.id for a in await sharing.analyses(area="fordon-och-transport")] == [item.id]
    assert await sharing.analyses(area="livsmedel") == []
    assert await sharing.analyses(municipality="lund") != []
    hits = sharing._library.search("marknadsanalys godstransporter", 3)
    assert hits[0].document.kind == "analysis"


async def test_how_others_followed_up_a_criterion(sharing: SharingService) -> None:
    await sharing.share_followup(PERSON, FOLLOWUP)
    second = {**FOLLOWUP, "municipality": "Lund", "result_1": "uppfyllt", "krav_2": ""}
    await sharing.share_followup(PERSON, second)
    summary = await sharing.followups_for("10699")
    assert len(summary.reports) == 2
    assert summary.methods == {"stickprov": 2}
    assert summary.results == {"delvis": 1, "uppfyllt": 1}
    assert (await sharing.followups_for("11567")).reports == []
    # Which methods find deviations: the supplier's declaration found none of what a sample
    # check found, which a buyer sees before choosing how to follow the criterion up.
    declared = {**FOLLOWUP, "municipality": "Ystad", "method_1": "leverantörsförsäkran",
                "result_1": "uppfyllt", "krav_2": ""}  # fmt: skip
    await sharing.share_followup(PERSON, declared)
    text = followup_summary_text(await sharing.followups_for("10699"), texts_for("sv"))
    assert text is not None
    assert "stickprov: 1 av 2 hittade avvikelser" in text
    assert "leverantörsförsäkran: 0 av 1 hittade avvikelser" in text


@pytest.mark.parametrize(
    ("changes", "bad_field"),
    [
        ({"krav_1": "", "krav_2": ""}, "krav_1"),
        ({"krav_2": "tio"}, "krav_2"),
        ({"method_1": "gissning"}, "method_1"),
        ({"result_2": ""}, "result_2"),
        ({"link": "ftp://x"}, "link"),
    ],
)
async def test_an_invalid_followup_is_refused(
    sharing: SharingService, changes: dict[str, str], bad_field: str
) -> None:
    with pytest.raises(FormProblems) as raised:
        await sharing.share_followup(PERSON, {**FOLLOWUP, **changes})
    assert bad_field in raised.value.problems.fields
    assert await sharing.followups() == []


async def test_the_plan_workbook_has_a_row_per_criterion_and_result_choices(
    sharing: SharingService,
) -> None:
    criteria = [sharing._library.levels_of(i)[0] for i in ("11567", "10699:2")]
    workbook = load_workbook(io.BytesIO(plan_xlsx(criteria, "Plan")))
    sheet = workbook.active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = rows.index(next(r for r in rows if r[0] == "Krav ID"))
    assert [r[0] for r in rows[header + 1 :]] == ["11567", "10699:2"]
    assert rows[header + 1][5] == "Vid avtalsstart, sedan årligen"
    (validation,) = sheet.data_validations.dataValidation
    assert validation.formula1 == '"grön,gul,röd"'


# --- over HTTP ---------------------------------------------------------------------------


async def test_share_an_analysis_from_the_form_and_see_it_in_the_channel(
    tmp_path: Any, connector: ConnectorStandIn
) -> None:
    from tests.conftest import local_settings

    server = BotServer(local_settings(tmp_path, admin_ids=frozenset({"aad-alex"})))
    await server.start()
    try:
        channel = {"conversation_type": "channel", "conversation_id": "19:sharing@thread.tacv2"}
        await server.post(activities.bot_added(connector.url, **channel))
        await server.post(activities.message(connector.url, "delningskanal", **channel))
        form = await ask(server, connector, "dela marknadsanalys")
        assert "Dela en marknadsanalys" in card_text(form)
        bad = await click(
            server, connector, {"verb": "sharing.analysis", **ANALYSIS, "link": "http://x"}
        )
        assert "måste börja med https" in card_text(bad)
        assert (
            next(e for e in bad["body"][3]["items"] if e.get("id") == "title")["value"]
            == ANALYSIS["title"]
        )
        connector.clear()
        await server.post(
            activities.submit(connector.url, {"verb": "sharing.analysis", **ANALYSIS})
        )
        to_channel = connector.to("19:sharing@thread.tacv2")
        assert len(to_channel) == 1
        assert "Fossilfria godstransporter 2026" in card_text(to_channel[0].card)
        listed = await ask(server, connector, "marknadsanalyser fordon")
        assert "Fossilfria godstransporter 2026" in card_text(listed)
    finally:
        await server.stop()


async def test_a_followup_shows_on_the_criterion_card(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    before = await ask(bot, connector, "kriterium 10710:2")  # read before anything was shared
    assert "Så har andra följt upp" not in card_text(before)
    connector.clear()
    await bot.post(activities.submit(connector.url, {"verb": "sharing.followup", **FOLLOWUP}))
    assert "delat med de andra kommunerna" in card_text(connector.sent[0].card)
    card = await ask(bot, connector, "kriterium 10710:2")
    assert "Så har andra följt upp" in card_text(card)
    assert "certifikat: 0 av 1 hittade avvikelser" in card_text(card)


async def test_a_followup_plan_from_the_answer_card_downloads_as_xlsx(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    answer = await ask(bot, connector, "miljökrav på städtjänster")
    choices = next(e for e in card_nodes(answer) if e.get("type") == "Input.ChoiceSet")
    keys = ",".join(c["value"] for c in choices["choices"][:2])
    plan = await click(bot, connector, action(answer, "plan.create") | {choices["id"]: keys})
    assert "Uppföljningsplan" in card_text(plan)
    link = next(a["url"] for a in plan["actions"] if a["type"] == "Action.OpenUrl")
    async with (
        aiohttp.ClientSession() as session,
        session.get(link.replace("http://127.0.0.1:3978", bot.url)) as response,
    ):
        assert response.status == 200
        assert "spreadsheetml" in response.headers["Content-Type"]
        workbook = load_workbook(io.BytesIO(await response.read()))
    sheet = workbook.active
    assert sheet is not None
    first_column = [str(row[0].value or "") for row in sheet.iter_rows()]
    chosen = {key.split("/")[0] for key in keys.split(",")}
    assert len([cell for cell in first_column if cell.split(":")[0] in chosen]) == 2
