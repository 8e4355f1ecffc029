"""The region's tenancy: people of 33 municipalities reach the bot in one host tenant as
guests (B2B). Their activities carry the host tenant's id, the guest object's aadObjectId
and a '#EXT#' user principal name from which their municipality is read."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.routing import NetworkRepository
from bot.routing.network import Expert, Network
from tests.conftest import local_settings
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, card_text, input_of

HOST_TENANT = "7a1c0e52-0000-4000-8000-0000000000aa"  # the municipalities' association
OTHER_TENANT = "3b2d1f63-0000-4000-8000-0000000000bb"
EXPERTS = "19:experts@thread.tacv2"
GUEST_UPN = "anna.svensson_lund.se#EXT#@skanekommuner.onmicrosoft.com"


def guest(name: str, teams_id: str, object_id: str, conversation: str) -> dict[str, Any]:
    return {"user_id": teams_id, "aad_id": object_id, "name": name,
            "conversation_id": conversation,
            "conversation_type": "channel" if conversation.startswith("19:") else "personal",
            "tenant": HOST_TENANT}  # fmt: skip


ASKER = guest("Anna Svensson (Lund)", "29:guest-anna", "guest-obj-anna", "a:personal-anna")
EXPERT = guest("Erik Holm (Ystad)", "29:guest-erik", "guest-obj-erik", EXPERTS)


@asynccontextmanager
async def host_node(tmp_path: Path, erik_object_id: str, erik_teams_id: str) -> AsyncIterator[
        BotServer]:  # fmt: skip
    """The node in the host tenant (only its id allowed) with one expert, Erik Holm of Ystad,
    named by `erik_object_id`."""
    bot = BotServer(local_settings(tmp_path, allowed_tenants=frozenset({HOST_TENANT})))
    await bot.start(demo=False)
    try:
        assert bot.node is not None
        expert = Expert(erik_object_id, "Erik Holm", "Ystad", ("alla",),
                        teams_id=erik_teams_id, aad_id=erik_object_id)  # fmt: skip
        network = Network()
        network.experts[expert.id] = expert
        await NetworkRepository(bot.node.store).save(network)
        bot.services.routing.forget_network()
        yield bot
    finally:
        await bot.stop()


async def test_a_guest_asks_and_a_guest_expert_claims(
    tmp_path: Path, connector: ConnectorStandIn
) -> None:
    # The network names experts by their object id in the host tenant (the guest object).
    async with host_node(tmp_path, "guest-obj-erik", "29:guest-erik") as bot:
        connector.emails["29:guest-anna"] = GUEST_UPN
        await bot.post(activities.bot_added(connector.url, **EXPERT))
        await bot.services.routing.set_experts_channel(EXPERTS)
        connector.clear()
        status, _ = await bot.post(
            activities.message(connector.url, "fråga expert Kan vi kräva biogas?", **ASKER)
        )
        assert status == 200
        (form,) = connector.sent
        municipality = input_of(form.card, "municipality")
        assert municipality["value"] == "Lund"  # from the guest's home address
        connector.clear()
        value = {
            "verb": "ticket.create",
            "question": "Kan vi kräva biogas i godstransporter?",
            "area": "fordon-och-transport",
            "municipality": "Lund",
            "consent": "false",
        }
        status, body = await bot.post(activities.execute(connector.url, value, **ASKER))
        assert status == 200
        await connector.wait_for(2)
        post = next(s for s in connector.sent if s.conversation_id == EXPERTS)
        assert "Erik Holm" in card_text(post.card)
        connector.clear()
        claim = {"verb": "ticket.claim", "number": 1}
        status, body = await bot.post(activities.execute(connector.url, claim, **EXPERT))
        assert status == 200
        assert "Du har tagit ärendet" in card_text(body["value"])
        told = await connector.wait_for(1)
        assert any(s.conversation_id == "a:personal-anna" for s in told)
        # Someone of another tenant (not a guest of the host) is refused at the door.
        status, _ = await bot.post(
            activities.message(connector.url, "hjälp", **{**ASKER, "tenant": OTHER_TENANT})
        )
        assert status == 403
