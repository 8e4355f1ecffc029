"""Planned procurements in Teams, over HTTP: register (problems marked in place), what the node
suggests, coordinating with the municipalities buying the same, early environmental support
taken by an expert, and the plan turning into an agreement."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.routing import NetworkRepository
from tests.conftest import local_settings
from tests.routing.conftest import expert, network_of
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, card_nodes, card_text
from tests.teams.test_criteria_questions import ask, click
from tests.teams.test_followups import buttons

# The time-sensitive tests run again at other pinned instants (make test-calendar).
pytestmark = pytest.mark.calendar

BO = {"user_id": "29:bo", "aad_id": "aad-bo", "name": "Bo Berg",
      "conversation_id": "a:personal-bo"}  # fmt: skip
SHARING = "19:sharing@thread.tacv2"


def plan_values(**change: str) -> dict[str, Any]:
    values = {"verb": "procurement.create", "municipality": "Lund",
              "title": "Lokalvård förskolor", "area": "stad-och-kemikalier",
              "product_group": "Städtjänster", "stage": "marknadsanalys", "announce": "2027-03",
              "contract_start": "2027-09-01", "value_band": "5-20",
              "contact": "alex.wilber@lund.se", "open_to_coordinate": "true",
              "shared": "true"}  # fmt: skip
    return {**values, **change}


@pytest.fixture
async def node(tmp_path: Path, connector: ConnectorStandIn) -> AsyncIterator[BotServer]:
    settings = local_settings(tmp_path, admin_ids=frozenset({"aad-alex"}))
    server = BotServer(settings)
    await server.start(demo=False)
    assert server.node is not None
    network = network_of(3, server.node.clock.now())
    network.experts["aad-expert-1"] = expert(1, areas=("alla",))  # covers every area
    await NetworkRepository(server.node.store).save(network)
    server.services.routing.forget_network()
    connector.emails["29:bo"] = "bo@malmo.se"
    await server.post(activities.message(connector.url, "hjälp"))
    await server.post(activities.message(connector.url, "hjälp", **BO))
    channel = {"conversation_type": "channel", "conversation_id": SHARING}
    await server.post(activities.bot_added(connector.url, **channel))
    await server.post(activities.message(connector.url, "delningskanal", **channel))
    connector.clear()
    yield server
    await server.stop()


async def test_registering_marks_problems_then_suggests_criteria(
    node: BotServer, connector: ConnectorStandIn
) -> None:
    form = await ask(node, connector, "ny upphandling")
    assert next(n for n in card_nodes(form) if n.get("id") == "contact")["value"] == (
        "alex.wilber@lund.se"
    )
    bad = await click(node, connector, plan_values(announce="mars", contact="alex"))
    text = card_text(bad)
    assert "Ange annonseringsmånad som ÅÅÅÅ-MM" in text
    assert "kontaktpersonens e-postadress" in text
    assert node.node is not None
    assert await node.node.store.query("procurements") == []
    card = await click(node, connector, plan_values())
    text = card_text(card)
    assert "Upphandlingen är registrerad" in text
    assert "Föreslagna kriterier" in text
    assert "11567" in text  # städkemikalier, for Städtjänster
    assert "Boka miljöstöd tidigt" in text
    assert "Samordna" not in text  # nobody else buys the same yet


async def test_municipalities_buying_the_same_coordinate(
    node: BotServer, connector: ConnectorStandIn
) -> None:
    await click(node, connector, plan_values())
    theirs = plan_values(municipality="Malmö", title="Städtjänster stadsdelar",
                         announce="2027-05", contact="bo@malmo.se")  # fmt: skip
    card = await click(node, connector, theirs, **BO)
    assert "Lund: Lokalvård förskolor, 2027-03" in card_text(card)
    coordinate = buttons(card)["Samordna"]
    connector.clear()
    await node.post(activities.submit(connector.url, coordinate, **BO))
    (done,) = connector.to("a:personal-bo")
    assert "Kontaktpersonerna i Lund" in card_text(done.card)
    (intro,) = [s for s in connector.to("a:personal-alex") if "vill samordna" in card_text(s.card)]
    assert "Malmö: Städtjänster stadsdelar, 2027-05" in card_text(intro.card)
    assert connector.to(SHARING) == []  # not until both agree
    await node.post(activities.submit(connector.url, buttons(intro.card)["Samordna"]))
    (post,) = connector.to(SHARING)
    assert "Lund, Malmö samordnar" in card_text(post.card)
    overview = card_text(await ask(node, connector, "kommande upphandlingar städ"))
    row = "Lokalvård förskolor · Lund\nStäd och kemikalier · 2027-03\nfler kommuner köper samma"
    assert row in overview


async def test_early_support_is_claimed_and_the_expert_linked_then_it_becomes_an_agreement(
    node: BotServer, connector: ConnectorStandIn
) -> None:
    card = await click(node, connector, plan_values())
    booked = await click(node, connector, buttons(card)["Boka miljöstöd tidigt"])
    assert "ärende #1" in card_text(booked)
    ticket = await node.services.routing.get(1)
    assert ticket.kind == "early"
    assert ticket.deadline - ticket.created_at > 4 * 86400  # five working days
    expert = {"user_id": "29:expert-1", "aad_id": "aad-expert-1", "name": "Expert 1",
              "conversation_id": "a:personal-expert-1"}  # fmt: skip
    status, _ = await node.post(
        activities.execute(connector.url, {"verb": "ticket.claim", "number": 1}, **expert)
    )
    assert status == 200
    show = {"verb": "procurement.show", "key": "lund:lokalvård-förskolor"}
    assert "Expert 1" in card_text(await click(node, connector, show))
    update = {**buttons(card)["Spara"], "stage": "avtal", "announce": "2027-03",
              "contract_start": "2027-09-01"}  # fmt: skip
    updated = await click(node, connector, update)
    form = await click(node, connector, buttons(updated)["Registrera avtal"])
    assert next(n for n in card_nodes(form) if n.get("id") == "title")["value"] == (
        "Lokalvård förskolor"
    )
    assert "11567" in next(n for n in card_nodes(form) if n.get("id") == "criteria")["value"]
    agreement = {**buttons(form)["Registrera avtalet"], "municipality": "Lund",
                 "title": "Lokalvård förskolor",
                 "area": "stad-och-kemikalier", "supplier": "Städbolaget AB",
                 "org_number": "556036-0793", "start": "2027-09-01", "end": "2030-08-31",
                 "responsible": "alex.wilber@lund.se", "criteria": "11567",
                 "interval": "kvartal"}  # fmt: skip
    created = await click(node, connector, agreement)
    assert "Avtalet är registrerat" in card_text(created)
    stats = card_text(await ask(node, connector, "statistik"))
    assert "1 registrerad, 100\xa0% med miljöstrateg före annonsering" in stats
    assert "1 blev avtal med krav" in stats


async def test_only_the_contact_the_expert_or_an_admin_changes_a_plan(
    node: BotServer, connector: ConnectorStandIn
) -> None:
    card = await click(node, connector, plan_values())
    update = {**buttons(card)["Spara"], "stage": "annonserad"}
    refused = await click(node, connector, update, **BO)
    assert "Bara kontaktpersonen" in card_text(refused)
