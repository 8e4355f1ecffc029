"""Fixtures of the Teams end-to-end tests."""

from __future__ import annotations

import pytest

from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn
from tests.teams.test_expert_flow import as_expert, experts_network


@pytest.fixture
async def network(bot: BotServer, connector: ConnectorStandIn) -> None:
    """20 experts in fordon-och-transport; the experts' channel; expert 2 has a 1:1 chat."""
    await experts_network(bot, connector, 20)
    await bot.post(
        activities.message(connector.url, "hjälp", **as_expert(2, "a:personal-expert-2"))
    )
    connector.clear()
