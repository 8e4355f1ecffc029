"""Shared channels (B2B direct connect): people of other tenants post in a channel of the host
tenant's team without being guests there. Teams sends their activities with the host tenant
in the conversation (what the allow-list checks) and their own tenant and home object id in
`from`; they have no 1:1 chat with the bot, so what concerns them comes to the channel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support import activities
from tests.support.connector import ConnectorStandIn, card_text
from tests.teams.test_guests import HOST_TENANT, host_node

YSTAD_TENANT = "5c4e2a74-0000-4000-8000-0000000000cc"
LUND_TENANT = "6d5f3b85-0000-4000-8000-0000000000dd"
SHARED = "19:shared-experts@thread.tacv2"  # a shared channel of the host's experts' team
PROCURERS = "19:shared-procurers@thread.tacv2"  # the procurers' shared channel


def member(
    service_url: str, make: Any, *args: Any, name: str, teams_id: str, object_id: str,
    home_tenant: str, channel: str = SHARED,
) -> dict[str, Any]:  # fmt: skip
    """An activity from a direct-connect member of a shared channel."""
    activity: dict[str, Any] = make(
        service_url, *args, user_id=teams_id, aad_id=object_id, name=name,
        conversation_id=channel, conversation_type="channel", tenant=HOST_TENANT,
    )  # fmt: skip
    activity["from"]["tenantId"] = home_tenant  # their own tenant, not the host's
    return activity


async def test_a_shared_channel_member_is_answered_and_a_member_expert_claims(
    tmp_path: Path, connector: ConnectorStandIn
) -> None:
    # An expert who takes part only through the shared channel is named by the object id of
    # their own tenant: there is no guest object of them in the host's directory.
    async with host_node(tmp_path, "ystad-obj-erik", "29:dc-erik") as bot:
        erik = {"name": "Erik Holm", "teams_id": "29:dc-erik", "object_id": "ystad-obj-erik",
                "home_tenant": YSTAD_TENANT}  # fmt: skip
        anna = {"name": "Anna Svensson", "teams_id": "29:dc-anna", "object_id": "lund-obj-anna",
                "home_tenant": LUND_TENANT, "channel": PROCURERS}  # fmt: skip
        connector.emails["29:dc-anna"] = "anna.svensson@lund.se"  # her home address
        await bot.post(member(connector.url, activities.bot_added, **erik))
        await bot.services.routing.set_experts_channel(SHARED)

        await bot.post(member(connector.url, activities.bot_added, **anna))
        # A procurer of Lund asks in the procurers' shared channel and is answered there.
        connector.clear()
        question = member(connector.url, activities.message,
                          "Vilka miljökrav kan jag ställa på städtjänster?", **anna)  # fmt: skip
        status, _ = await bot.post(question)
        assert status == 200
        (answer,) = connector.sent
        assert answer.conversation_id == PROCURERS
        assert "Kriterier som matchar" in card_text(answer.card)

        # She sends the question on to the experts; Erik of Ystad claims it from the card.
        connector.clear()
        ask = {
            "verb": "ticket.create",
            "question": "Kan vi kräva svanenmärkta medel?",
            "area": "stad-och-kemikalier",
            "municipality": "Lund",
            "consent": "false",
        }
        status, _ = await bot.post(member(connector.url, activities.execute, ask, **anna))
        assert status == 200
        await connector.wait_for(1)
        post = next(s for s in connector.sent if s.conversation_id == SHARED)
        assert "Erik Holm" in card_text(post.card)
        claim = {"verb": "ticket.claim", "number": 1}
        status, body = await bot.post(member(connector.url, activities.execute, claim, **erik))
        assert status == 200
        assert "Du har tagit ärendet" in card_text(body["value"])

        # Anna claiming is refused: she is no expert, wherever she posts from.
        status, body = await bot.post(member(connector.url, activities.execute, claim, **anna))
        assert status == 200
        assert "Du har tagit ärendet" not in card_text(body["value"])

        # She has no 1:1 chat with the bot (the app lives in the host tenant): Erik's answer
        # reaches her in the channel she asked in.
        connector.clear()
        reply = {
            "verb": "ticket.answer",
            "number": 1,
            "publish": "false",
            "answer": "Ja, kräv Svanen eller motsvarande för rengöringsmedel.",
        }
        status, _ = await bot.post(member(connector.url, activities.execute, reply, **erik))
        assert status == 200
        told = await connector.wait_for(1)
        assert any(s.conversation_id == PROCURERS and "Svanen eller motsvarande" in
                   card_text(s.card) for s in told)  # fmt: skip
