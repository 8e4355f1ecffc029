"""The weekly digest in Teams: subscribing a channel, the timer endpoint, previews, and the
bot's removal from a team."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.conftest import local_settings
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, card_text
from tests.teams.test_criteria_questions import ask

# The time-sensitive tests run again at other pinned instants (make test-calendar).
pytestmark = pytest.mark.calendar

CHANNEL = "19:nyheter@thread.tacv2"
IN_CHANNEL = {"conversation_type": "channel", "conversation_id": CHANNEL}
SECRET = "timer-secret"


@pytest.fixture
async def admin_bot(tmp_path: Path) -> AsyncIterator[BotServer]:
    settings = local_settings(tmp_path, admin_ids=frozenset({"aad-alex"}), digest_secret=SECRET)
    server = BotServer(settings)
    await server.start()
    yield server
    await server.stop()


async def run_digest(bot: BotServer, secret: str = SECRET) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{bot.url}/api/digest/run", headers={"X-Digest-Secret": secret}) as response,
    ):
        return response.status, await response.json()


async def test_a_subscribed_channel_gets_one_digest_a_week(
    admin_bot: BotServer, connector: ConnectorStandIn
) -> None:
    await admin_bot.post(activities.bot_added(connector.url, **IN_CHANNEL))
    reply = await ask(admin_bot, connector, "prenumerera veckobrev fordon energi", **IN_CHANNEL)
    assert "får nu veckobrevet" in card_text(reply)
    assert "Fordon och transport" in card_text(reply)
    connector.clear()
    status, report = await run_digest(admin_bot)
    assert status == 200
    assert report["sent"] == 1
    (digest,) = connector.to(CHANNEL)
    assert "veckobrev" in card_text(digest.card)
    status, again = await run_digest(admin_bot)
    assert again["sent"] == 0
    assert again["already_sent"] == 1
    assert len(connector.to(CHANNEL)) == 1


async def test_the_timer_endpoint_needs_the_secret(admin_bot: BotServer) -> None:
    status, _ = await run_digest(admin_bot, "wrong")
    assert status == 401


async def test_only_admins_subscribe_and_only_in_channels(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    refused = await ask(bot, connector, "prenumerera veckobrev", **IN_CHANNEL)
    assert "teamets ägare och nodens administratörer" in card_text(refused)
    in_chat = await ask(bot, connector, "prenumerera veckobrev")
    assert "i den kanal" in card_text(in_chat)


async def test_preview_goes_to_the_requester_only(
    admin_bot: BotServer, connector: ConnectorStandIn
) -> None:
    await admin_bot.post(activities.message(connector.url, "hjälp"))  # opens the 1:1 chat
    connector.clear()
    await admin_bot.post(activities.message(connector.url, "förhandsvisa veckobrev", **IN_CHANNEL))
    private = connector.to("a:personal-alex")
    assert len(private) == 1
    assert "veckobrev" in card_text(private[0].card)
    in_channel = connector.to(CHANNEL)
    assert len(in_channel) == 1
    assert "skickad till dig" in card_text(in_channel[0].card)


async def test_removing_the_bot_from_a_team_pauses_its_subscriptions(
    admin_bot: BotServer, connector: ConnectorStandIn
) -> None:
    await admin_bot.post(activities.message(connector.url, "prenumerera veckobrev", **IN_CHANNEL))
    removed = activities.bot_added(connector.url, **IN_CHANNEL)
    removed["membersRemoved"] = removed.pop("membersAdded")
    removed["channelData"]["eventType"] = "teamMemberRemoved"
    assert (await admin_bot.post(removed))[0] == 200
    connector.clear()
    _, report = await run_digest(admin_bot)
    assert report["sent"] == 0
    assert connector.to(CHANNEL) == []
    await admin_bot.post(activities.bot_added(connector.url, **IN_CHANNEL))  # back again
    connector.clear()
    _, report = await run_digest(admin_bot)
    assert report["sent"] == 1


async def test_statistics_for_admins(admin_bot: BotServer, connector: ConnectorStandIn) -> None:
    card = await ask(admin_bot, connector, "statistik")
    assert "0 frågor" in card_text(card)
    assert "Aktiva användare" in card_text(card)


async def test_fan_out_through_teams_429s_and_a_removed_channel(
    admin_bot: BotServer, connector: ConnectorStandIn
) -> None:
    channels = [f"19:c{n}@thread.tacv2" for n in range(8)]
    for channel in channels:
        where = {"conversation_type": "channel", "conversation_id": channel}
        await admin_bot.post(activities.bot_added(connector.url, **where))
        await admin_bot.post(activities.message(connector.url, "prenumerera veckobrev", **where))
    connector.clear()
    connector.throttle_ratio, connector.retry_after = 0.5, "0"
    connector.removed.add(channels[0])
    status, report = await run_digest(admin_bot)
    assert status == 200
    assert report["sent"] == 7
    assert report["gone"] == 1
    assert connector.throttled > 0
    received = [s.conversation_id for s in connector.sent]
    assert sorted(received) == sorted(channels[1:])  # each exactly once
    assert admin_bot.node is not None
    from bot.digest import SubscriptionRepository

    paused = await SubscriptionRepository(admin_bot.node.store).get(channels[0])
    assert paused is not None
    assert not paused.active
