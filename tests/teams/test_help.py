"""The command registry is made from the handlers' declarations: every command parses from
each of its spellings (trailing punctuation too), has help texts, shows up in help for whoever
may run it where it works (and only there), and the manifest's command menus list only
registered commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.commands import CHANNEL, GROUP_CHAT, PERSONAL, Who
from bot.teams import COMMANDS
from bot.teams._handlers import HANDLERS
from cards.actions import verbs
from scripts.package import command_lists
from tests.conftest import local_settings
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, card_text
from tests.teams.test_expert_flow import experts_network

I18N = Path(__file__).resolve().parents[2] / "bot" / "i18n"
GROUP = {"conversation_type": "groupChat", "conversation_id": "19:group@thread.v2"}
WHERE = {PERSONAL: {}, CHANNEL: {"conversation_type": "channel"}, GROUP_CHAT: GROUP}


@pytest.mark.parametrize("spec", COMMANDS.specs, ids=lambda s: s.name)
def test_every_command_has_texts_and_parses_from_every_spelling(spec: Any) -> None:
    for language in ("sv", "en"):
        texts = json.loads((I18N / f"{language}.json").read_text("utf-8"))
        assert f"cmd.{spec.name}" in texts
        if spec.argument:
            assert f"cmd.{spec.name}.arg" in texts
        if spec.suggested:
            assert f"cmd.{spec.name}.button" in texts
    for spelling in (*spec.sv, *spec.en):
        assert COMMANDS.parse(spelling).name == spec.name
        assert COMMANDS.parse(spelling.upper() + "!").name == spec.name, spelling


@pytest.fixture
async def admin_bot(tmp_path: Path, connector: ConnectorStandIn) -> Any:
    """Alex is an admin; the network's experts are Expert 1..3."""
    server = BotServer(local_settings(tmp_path, admin_ids=frozenset({"aad-alex"})))
    await server.start()
    await experts_network(server, connector, 3)
    connector.clear()
    yield server
    await server.stop()


async def _help(bot: BotServer, connector: ConnectorStandIn, where: str, **who: Any) -> str:
    connector.clear()
    status, _ = await bot.post(activities.message(connector.url, "hjälp", **WHERE[where], **who))
    assert status == 200
    return card_text(connector.sent[-1].card)


@pytest.mark.parametrize("where", [PERSONAL, CHANNEL, GROUP_CHAT])
async def test_an_admin_who_is_an_expert_sees_every_command_that_works_here(
    admin_bot: BotServer, connector: ConnectorStandIn, where: str
) -> None:
    expert_admin = {"aad_id": "aad-alex", "user_id": "29:expert-1"}  # both at once
    text = await _help(admin_bot, connector, where, **expert_admin)
    for spec in COMMANDS:
        if where in spec.where:
            assert f"**{spec.sv[0]}**" in text, f"{spec.name} missing from help"
        else:
            assert f"**{spec.sv[0]}**" not in text, f"{spec.name} does not work here"


async def test_a_procurer_sees_only_what_they_may_run(
    admin_bot: BotServer, connector: ConnectorStandIn
) -> None:
    procurer = {"aad_id": "aad-someone", "user_id": "29:someone"}
    text = await _help(admin_bot, connector, PERSONAL, **procurer)
    for title in ("Fråga om kriterier", "Fråga en expert", "Dela och följ upp", "Dina uppgifter"):
        assert title in text
    assert "**fråga expert**" in text
    assert "**mina data**" in text
    for spec in COMMANDS:
        if spec.who is not Who.ANYONE:
            assert f"**{spec.sv[0]}**" not in text
    expert = await _help(admin_bot, connector, PERSONAL, aad_id="aad-expert-2", user_id="29:e2")
    assert "**öppna frågor**" in expert
    assert "**statistik**" not in expert


async def test_a_command_run_by_someone_it_is_not_for_is_refused(
    admin_bot: BotServer, connector: ConnectorStandIn
) -> None:
    procurer = {"aad_id": "aad-someone", "user_id": "29:someone"}
    for command, refusal in (("statistik", "för regionens samordnare och nodens administratörer"),
                             ("öppna frågor", "Bara registrerade miljöstrateger")):  # fmt: skip
        connector.clear()
        await admin_bot.post(activities.message(connector.url, command, **procurer))
        assert refusal in card_text(connector.sent[-1].card)
    connector.clear()
    await admin_bot.post(activities.message(connector.url, "expertkanal"))  # an admin, in 1:1
    assert "fungerar bara i en kanal" in card_text(connector.sent[-1].card)


def test_the_manifest_menus_list_registered_commands_only() -> None:
    registered = {spec.sv[0]: spec for spec in COMMANDS}
    scopes = {PERSONAL: "personal", CHANNEL: "team", GROUP_CHAT: "groupChat"}
    lists = {entry["scopes"][0]: entry["commands"] for entry in command_lists()}
    for where, scope in scopes.items():
        titles = [command["title"] for command in lists[scope]]
        assert len(titles) <= 10
        for title in titles:
            assert title in registered, f"{title} is in the manifest but not registered"
            assert where in registered[title].where
        assert titles == [s.sv[0] for s in COMMANDS if where in s.menu]


async def test_the_welcome_card_offers_the_main_things_to_start_with(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    await bot.post(activities.bot_added(connector.url))
    buttons = [a["data"]["msteams"]["value"] for a in connector.sent[0].card["actions"]]
    assert buttons[0] == "Vilka miljökrav kan jag ställa på städtjänster?"
    assert buttons[1:] == [s.sv[0] for s in COMMANDS if s.suggested]
    for command in buttons[1:]:
        connector.clear()
        await bot.post(activities.message(connector.url, command))
        assert "bara för" not in card_text(connector.sent[-1].card)


def test_every_card_action_has_exactly_one_route() -> None:
    routed = [route.kind for handler in HANDLERS for route in handler.ACTIONS]
    assert sorted(c.VERB for c in routed) == sorted(verbs())
