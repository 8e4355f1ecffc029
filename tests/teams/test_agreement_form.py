"""An unknown Krav ID in an agreement is refused with the nearest ids the library knows."""

from __future__ import annotations

from tests.agreements.conftest import agreement
from tests.conftest import TODAY
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, card_text
from tests.teams.test_criteria_questions import click


async def test_a_mistyped_krav_id_is_refused_with_the_nearest_known(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    form = {"verb": "agreement.create", **agreement(TODAY, criteria="11576, 10855:1")}
    card = card_text(await click(bot, connector, form))
    assert "Okänt: 11576; närmast: 11567" in card
    assert bot.services.followups is not None
    assert await bot.services.followups.agreement("lund:lokalvård-skolor") is None
