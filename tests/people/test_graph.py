"""Profiles and presence through Microsoft Graph, against a local Graph and a local token
endpoint that msal talks to."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.clock import Clock
from bot.criteria import CriteriaLibrary
from bot.outbox import Outbox
from bot.people import GraphClient, canonical, from_address, from_profile
from bot.routing import NetworkRepository, Person, RoutingService
from bot.routing.service import ESCALATE
from bot.storage import Store
from bot.tokens import GRAPH_SCOPE, AppTokenProvider
from cards import TicketCards
from tests.conftest import ZONE, local_settings
from tests.routing.conftest import AREA, RecordingMessenger, network_of
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, card_text, input_of
from tests.support.graph import GraphStandIn
from tests.support.identity import ChannelIssuer, TokenEndpoint

ASKER = Person("29:asker", "aad-asker", "Alex", "sv-SE")


@pytest.fixture
async def graph_server() -> AsyncIterator[GraphStandIn]:
    server = GraphStandIn()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def graph(authority: TokenEndpoint, graph_server: GraphStandIn) -> AsyncIterator[GraphClient]:
    tokens = AppTokenProvider(
        "11111111-2222-3333-4444-555555555555", "local-secret", f"{authority.base}/tenant-skane",
        known_host=False, scope=GRAPH_SCOPE,
    )  # fmt: skip
    async with aiohttp.ClientSession() as session:
        yield GraphClient(tokens, session, graph_server.url)


async def test_a_long_lived_token_is_reused(
    graph: GraphClient, graph_server: GraphStandIn, authority: TokenEndpoint
) -> None:
    for _ in range(3):
        assert await graph.presences(["aad-expert-1"]) is not None
    assert len(authority.issued) == 1
    assert authority.requests[0]["scope"] == GRAPH_SCOPE
    assert set(graph_server.tokens_seen) == {f"Bearer {authority.issued[0]}"}


async def test_a_token_near_its_expiry_is_refreshed_before_use(
    graph: GraphClient, graph_server: GraphStandIn, authority: TokenEndpoint
) -> None:
    authority.expires_in = 60  # inside the 5-minute refresh margin from the start
    await graph.presences(["aad-expert-1"])
    await graph.presences(["aad-expert-1"])
    assert len(authority.issued) == 2
    assert graph_server.tokens_seen == [f"Bearer {token}" for token in authority.issued]


async def test_a_429_is_waited_out_and_retried(
    graph: GraphClient, graph_server: GraphStandIn
) -> None:
    graph_server.throttle_next = 1
    graph_server.out_of_office.add("aad-expert-1")
    presences = await graph.presences(["aad-expert-1"])
    assert presences is not None
    assert not presences["aad-expert-1"].available


async def test_a_slow_graph_gives_up_quickly_and_says_it_cannot_tell(
    graph: GraphClient, graph_server: GraphStandIn
) -> None:
    graph_server.delay_s = 2.5  # longer than the client waits
    assert await graph.presences(["aad-expert-1"]) is None
    assert graph.last_ok is False


@pytest.fixture
async def routing(
    store: Store, graph: GraphClient, clock: Clock
) -> tuple[RoutingService, RecordingMessenger]:
    await NetworkRepository(store).save(network_of(3, clock.now()))
    library = CriteriaLibrary(store, clock)
    await library.load()
    messenger = RecordingMessenger()
    service = RoutingService(
        store, messenger, library, TicketCards(ZONE), clock, Outbox(store, clock),
        presence=graph.presences,
    )  # fmt: skip
    await service.set_experts_channel("19:experts@thread.tacv2")
    return service, messenger


async def test_an_expert_going_out_of_office_between_two_tickets_is_skipped(
    routing: tuple[RoutingService, RecordingMessenger], graph_server: GraphStandIn
) -> None:
    service, messenger = routing
    first, experts = await service.ask(ASKER, "Första frågan om elbussar", AREA, "Lund", True)
    on_call = experts[0]
    assert not first.skipped
    graph_server.out_of_office.add(on_call.aad_id)
    second, experts = await service.ask(ASKER, "Andra frågan om elbussar", AREA, "Lund", True)
    assert experts[0].id != on_call.id
    assert second.skipped == (on_call.id,)
    channel_card = messenger.channel_posts[-1][1]
    assert "Inte på plats just nu" in card_text(channel_card)
    assert on_call.name in card_text(channel_card)
    assert graph_server.presence_calls == 2  # one batched call per ticket


@pytest.mark.calendar
async def test_escalation_passes_over_an_expert_who_is_away(
    store: Store, graph: GraphClient, graph_server: GraphStandIn, clock: Clock
) -> None:
    await NetworkRepository(store).save(network_of(3, clock.now()))
    library = CriteriaLibrary(store, clock)
    messenger = RecordingMessenger()
    outbox = Outbox(store, clock)
    service = RoutingService(
        store, messenger, library, TicketCards(ZONE), clock, outbox, presence=graph.presences
    )
    await service.set_experts_channel("19:experts@thread.tacv2")
    ticket, experts = await service.ask(ASKER, "Vem tar frågan om elbussar?", AREA, "Lund", True)
    order = (await service.network()).on_call(AREA, clock.now(), ZONE)
    assert experts[0].id == order[0].id
    graph_server.availability[order[1].aad_id] = "Away"  # next in line is away
    clock.set(clock.local(ticket.deadline + 60))  # past the 4-working-hour deadline
    assert (await outbox.run()).count(ESCALATE) == 1
    escalated = await service.get(ticket.number)
    assert escalated.notified == (order[0].id, order[2].id)


async def test_a_graph_failure_never_blocks_routing(
    routing: tuple[RoutingService, RecordingMessenger], graph_server: GraphStandIn
) -> None:
    service, messenger = routing
    graph_server.fail = True
    ticket, experts = await service.ask(ASKER, "En fråga när Graph är nere", AREA, "Lund", True)
    assert ticket.posted
    assert len(experts) == 1  # the rota's on-call expert, as without Graph
    assert len(messenger.channel_posts) == 1


@pytest.mark.parametrize(
    ("address", "municipality"),
    [("eva@lund.se", "Lund"), ("olle@stad.malmo.se", "Malmö"), ("x@skane.se", "Region Skåne"),
     ("y@example.com", ""), ("", ""),
     # Guests in the region's host tenant: the home address is in the UPN.
     ("eva.berg_lund.se#EXT#@skanekommuner.onmicrosoft.com", "Lund"),
     ("o_le_stad.malmo.se#EXT#@skanekommuner.onmicrosoft.com", "Malmö"),
     ("eva_example.com#EXT#@skanekommuner.onmicrosoft.com", ""),
     ("#EXT#@skanekommuner.onmicrosoft.com", "")],
)  # fmt: skip
def test_the_domain_table_names_the_municipality(address: str, municipality: str) -> None:
    assert from_address(address) == municipality


def test_the_graph_profile_names_the_municipality() -> None:
    assert from_profile({"companyName": "Östra Göinge kommun"}) == "Östra Göinge"
    assert (
        from_profile({"department": "Upphandling", "officeLocation": "Ystad stadshus"}) == "Ystad"
    )
    assert from_profile({}) == ""
    assert canonical("lund kommun") == "Lund"
    assert canonical("Stockholm") == ""


async def test_graph_profile_lookup(graph: GraphClient, graph_server: GraphStandIn) -> None:
    graph_server.profiles["aad-asker"] = {"companyName": "Kristianstads kommun", "mail": "a@b.se"}
    profile = await graph.profile("aad-asker")
    assert profile is not None
    assert from_profile(profile) == "Kristianstad"
    assert await graph.profile("nobody") is None


async def test_the_ask_form_knows_the_municipality_and_a_correction_wins(
    tmp_path: Path,
) -> None:
    from tests.teams.test_criteria_questions import ask

    connector = ConnectorStandIn()
    await connector.start()
    bot = BotServer(local_settings(tmp_path))
    await bot.start()
    try:

        def municipality(card: dict[str, Any]) -> object:
            return input_of(card, "municipality").get("value")

        form = await ask(bot, connector, "fråga expert Får vi kräva biogas?")
        assert municipality(form) == "Lund"  # from the Teams profile's address (lund.se)
        reply = await ask(bot, connector, "min kommun höör")
        assert "Din kommun är nu Höör" in card_text(reply)
        form = await ask(bot, connector, "fråga expert Får vi kräva biogas?")
        assert municipality(form) == "Höör"
        refused = await ask(bot, connector, "min kommun Oslo")
        assert "känner inte till kommunen" in card_text(refused)
    finally:
        await bot.stop()
        await connector.stop()


async def test_a_team_owner_subscribes_a_channel_when_graph_knows_the_owners(
    tmp_path: Path,
    issuer: ChannelIssuer,
    authority: TokenEndpoint,
    graph_server: GraphStandIn,
) -> None:
    app_id = "11111111-2222-3333-4444-555555555555"
    connector = ConnectorStandIn()
    await connector.start()
    bot = BotServer(
        local_settings(
            tmp_path, app_id=app_id, app_password="local-secret", app_type="SingleTenant",
            app_tenant_id="tenant-skane", openid_metadata_url=issuer.metadata_url,
            login_url=authority.base, graph_enabled=True, graph_url=graph_server.url,
            graph_login_url=authority.base,
        )
    )  # fmt: skip
    await bot.start()
    graph_server.owners["group-nyheter"] = ["aad-owner"]

    async def say(text: str, aad_id: str) -> str:
        activity = activities.message(
            connector.url, text, conversation_type="channel",
            conversation_id="19:nyheter@thread.tacv2", aad_id=aad_id,
        )  # fmt: skip
        activity["channelData"]["team"]["aadGroupId"] = "group-nyheter"
        token = issuer.token(app_id, connector.url)
        connector.clear()
        status, _ = await bot.post(activity, headers={"Authorization": f"Bearer {token}"})
        assert status == 200
        return card_text(connector.sent[-1].card)

    try:
        assert "får nu veckobrevet" in await say("prenumerera veckobrev", "aad-owner")
        assert "teamets ägare" in await say("avsluta veckobrev", "aad-member")
        status, ready = await bot.get("/readyz")
        assert status == 200
        assert ready["graph"] == "ok"
        assert ready["identity"] == "ok"
    finally:
        await bot.stop()
        await connector.stop()
