"""Data protection: an export of what the node holds about a person, erasure, retention,
the audit log, and the signed links that deliver an export."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.clock import Clock
from bot.links import LinkSigner, _b64
from bot.privacy import ERASED
from bot.routing.service import RETAIN
from bot.sharing import SharedItems
from bot.storage import Store
from bot.teams import TABLE_OWNERS
from tests.agreements.conftest import agreement
from tests.conftest import local_settings
from tests.sharing.test_sharing import ANALYSIS
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, card_nodes, card_text
from tests.teams.test_criteria_questions import action, ask, click
from tests.teams.test_expert_flow import EXPERTS_CHANNEL, as_expert, experts_network


def test_a_link_verifies_until_it_expires_and_not_when_forged(clock: Clock) -> None:
    clock.set(datetime.fromtimestamp(1000, UTC))
    signer = LinkSigner(b"secret", clock)
    token = signer.sign({"kind": "mydata", "user": "u"}, 60)
    clock.advance(59)
    assert signer.verify(token) == {"kind": "mydata", "user": "u", "exp": 1060}
    clock.advance(2)
    assert signer.verify(token) is None
    clock.set(datetime.fromtimestamp(1000, UTC))
    encoded, signature = token.split(".")
    assert signer.verify(encoded[:-2] + "xx." + signature) is None
    assert LinkSigner(b"other", clock).verify(token) is None
    assert signer.verify("garbage") is None


def test_a_link_is_read_only_in_its_one_spelling(clock: Clock) -> None:
    signer = LinkSigner(b"secret", clock)
    token = signer.sign({"kind": "mydata", "user": "u"}, 60)
    encoded, signature = token.split(".")
    for variant in (
        f"{encoded}==.{signature}",
        f"{encoded}.{signature}==",
        f"{encoded}.{signature}!",
        f"{encoded}.{signature[:-1]}",
        f" {encoded}.{signature}",
        f"{encoded}.{signature}.",
        f"{encoded}.{signature[:-1]}{chr(ord(signature[-1]) ^ 1)}",
    ):
        assert signer.verify(variant) is None, variant
    assert signer.verify(token) is not None


@pytest.mark.parametrize(
    "payload",
    [[1, 2], "text", {"kind": "mydata"}, {"kind": "mydata", "user": 5},
     {"kind": "plan", "keys": "11567/bas"}, {"kind": "plan", "keys": [1]}, {"kind": None}],
)  # fmt: skip
async def test_a_correctly_signed_odd_link_gives_no_server_error(
    bot: BotServer, payload: object
) -> None:
    signer = bot.services.links
    if isinstance(payload, dict):
        token = signer.sign(payload, 60)
    else:  # not a mapping at all: signed by hand as the signer would
        body = _b64(json.dumps(payload).encode())
        token = f"{body}.{_b64(hmac.new(signer._secret, body.encode(), hashlib.sha256).digest())}"
    status, _ = await fetch(f"{bot.url}/files/{token}")
    assert status in (404, 410)


async def test_the_link_secret_is_shared_through_storage(store: Store, clock: Clock) -> None:
    first = await LinkSigner.shared(store, clock)
    second = await LinkSigner.shared(store, clock)
    token = first.sign({"kind": "x"}, 60)
    assert second.verify(token) is not None


@pytest.fixture
async def asked(bot: BotServer, connector: ConnectorStandIn) -> int:
    """Alex asked a question that Expert 2 answered (published)."""
    await experts_network(bot, connector, 3)
    routing = bot.services.routing
    value = {
        "verb": "ticket.create",
        "question": "Får vi kräva elbussar i skolskjutsen?",
        "area": "fordon-och-transport",
        "municipality": "Ystad",
        "consent": "true",
    }
    await bot.post(activities.submit(connector.url, value))
    (ticket,) = await routing.tickets.all()
    for verb, extra in (
        ("ticket.claim", {}),
        ("ticket.answer", {"answer": "Ja.", "publish": "true"}),
    ):
        data = {"verb": verb, "number": ticket.number, **extra}
        await bot.post(activities.execute(connector.url, data, **as_expert(2)))
    connector.clear()
    return ticket.number


async def fetch(url: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        body = await response.read()
        try:
            return response.status, json.loads(body)
        except ValueError:
            return response.status, body.decode()


async def test_my_data_lists_it_and_offers_a_download(
    bot: BotServer, connector: ConnectorStandIn, asked: int
) -> None:
    card = await ask(bot, connector, "mina data")
    assert "1 frågor du ställt" in card_text(card)
    link = next(a["url"] for a in card["actions"] if a["type"] == "Action.OpenUrl")
    status, data = await fetch(link.replace("http://127.0.0.1:3978", bot.url))
    assert status == 200
    assert data["questions"][0]["question"] == "Får vi kräva elbussar i skolskjutsen?"
    assert data["person"]["teams_id"] == "29:user-alex"


async def test_an_expired_or_forged_link_gives_nothing(bot: BotServer, asked: int) -> None:
    signer = bot.services.links
    expired = signer.sign({"kind": "mydata", "user": "29:user-alex", "aad": ""}, -1)
    status, text = await fetch(f"{bot.url}/files/{expired}")
    assert status == 410
    assert "ogiltig eller har gått ut" in text
    forged = LinkSigner(b"guess", signer._clock).sign(
        {"kind": "mydata", "user": "29:user-alex", "aad": ""}, 60
    )
    assert (await fetch(f"{bot.url}/files/{forged}"))[0] == 410


async def test_erasing_my_data_anonymises_questions_and_keeps_the_published_answer(
    bot: BotServer, connector: ConnectorStandIn, asked: int
) -> None:
    confirm = await ask(bot, connector, "radera mina data")
    assert "Det går inte att ångra" in card_text(confirm)
    done = await click(bot, connector, action(confirm, "privacy.erase"))
    assert "1 fråga har anonymiserats" in card_text(done)
    assert bot.node is not None
    (ticket,) = await bot.services.routing.tickets.all()
    assert ticket.asker_id == ""
    assert ticket.asker_name == ERASED
    assert ticket.municipality == "Ystad"  # statistics keep working
    assert await bot.node.store.get("people", "ref", "29:user-alex") is None
    hits = bot.node.criteria.search("elbussar skolskjutsen", 3)
    assert any(h.document.kind == "answer" for h in hits)


async def test_retention_anonymises_old_closed_tickets_only(
    bot: BotServer, connector: ConnectorStandIn, asked: int
) -> None:
    assert bot.node is not None
    outbox = bot.services.outbox
    assert (await outbox.run()).count(RETAIN) == 0  # answered just now
    bot.node.clock.advance(23 * 30.44 * 86400)
    assert (await outbox.run()).count(RETAIN) == 0  # not yet two years
    bot.node.clock.advance(2 * 30.44 * 86400)  # two years on
    assert (await outbox.run()).count(RETAIN) == 1
    (ticket,) = await bot.services.routing.tickets.all()
    assert ticket.asker_name == ERASED
    assert ticket.seconds_to_answer is not None  # the times remain for statistics


async def test_the_audit_log_records_claims_and_is_for_admins(
    bot: BotServer, connector: ConnectorStandIn, asked: int
) -> None:
    refused = await ask(bot, connector, "granskningslogg")
    assert "bara för nodens administratörer" in card_text(refused)
    admins = bot.node.settings.admin_ids if bot.node else frozenset()
    assert "aad-alex" not in admins
    from bot.audit import AuditLog

    events = await AuditLog(bot.node.store, bot.node.clock).recent() if bot.node else []
    actions = [e.action for e in events]
    assert "ticket.claim" in actions
    assert "knowledge.publish" in actions
    assert all(e.who != "29:user-alex" for e in events)


async def test_an_admin_reads_the_audit_log(tmp_path: Path, connector: ConnectorStandIn) -> None:
    server = BotServer(local_settings(tmp_path, admin_ids=frozenset({"aad-alex"})))
    await server.start()
    try:
        channel = {"conversation_type": "channel", "conversation_id": EXPERTS_CHANNEL}
        await server.post(activities.bot_added(connector.url, **channel))
        await server.post(activities.message(connector.url, "expertkanal", **channel))
        card = await ask(server, connector, "granskningslogg")
        text = card_text(card)
        assert "Granskningslogg" in text
        assert "aad-alex · experts\\_channel.set" in text
    finally:
        await server.stop()


async def test_my_data_includes_what_i_shared_and_erasure_takes_my_name_off_it(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    await bot.post(activities.submit(connector.url, {"verb": "sharing.analysis", **ANALYSIS}))
    card = await ask(bot, connector, "mina data")
    assert "1 saker du delat" in card_text(card)
    link = next(n["url"] for n in card_nodes(card) if n.get("type") == "Action.OpenUrl")
    status, data = await fetch(link.replace(bot.settings.public_url, bot.url))
    assert status == 200
    (item,) = data["shared_items"]
    assert item["title"] == ANALYSIS["title"]
    assert item["contact"] == ANALYSIS["contact"]
    confirm = await ask(bot, connector, "radera mina data")
    done = await click(bot, connector, action(confirm, "privacy.erase"))
    assert "borttaget från 1 delade saker" in card_text(done)
    assert bot.node is not None
    (kept,) = await SharedItems(bot.node.store).analyses()
    assert kept.title == ANALYSIS["title"]  # the item stays for the other municipalities
    assert kept.shared_by == ""
    assert kept.contact == ERASED


async def test_every_stored_table_has_exactly_one_owner(
    bot: BotServer, connector: ConnectorStandIn, asked: int
) -> None:
    """Everything a full flow stores lies in a table an owner declares, and says what in it is
    personal data; no table is declared by two owners."""
    await bot.post(activities.submit(connector.url, {"verb": "sharing.analysis", **ANALYSIS}))
    await bot.post(activities.message(connector.url, "min kommun Lund"))
    await bot.post(activities.message(connector.url, "mina data"))
    declared: dict[str, str] = {}
    for owner in TABLE_OWNERS:
        for table in owner.TABLES:
            assert table not in declared, f"{table}: {declared.get(table)} and {owner.__name__}"
            declared[table] = owner.__name__
    assert bot.node is not None
    assert set(await bot.node.store.tables()) - set(declared) == set()
    personal_owners = {type(owner).__name__ for owner in bot.services.privacy.owners}
    for owner_class in TABLE_OWNERS:
        for table, described in owner_class.TABLES.items():
            if described:  # personal data: the owner takes part in "mina data" and erasure
                name = owner_class.__name__
                assert name in personal_owners, f"{name} holds personal data in {table}"


async def test_my_agreements_are_in_my_data_and_erasure_keeps_them_without_me(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    await bot.post(activities.message(connector.url, "hjälp"))  # the node learns Alex's e-mail
    assert bot.node is not None
    form = {
        "verb": "agreement.create",
        **agreement(bot.node.clock.today(), responsible="alex.wilber@lund.se"),
    }
    created = await click(bot, connector, form)
    assert "Avtalet är registrerat" in card_text(created)
    card = await ask(bot, connector, "mina data")
    link = next(n["url"] for n in card_nodes(card) if n.get("type") == "Action.OpenUrl")
    _, data = await fetch(link.replace(bot.settings.public_url, bot.url))
    (mine,) = data["agreements"]
    assert mine["title"] == "Lokalvård skolor"
    confirm = await ask(bot, connector, "radera mina data")
    await click(bot, connector, action(confirm, "privacy.erase"))
    stored = await bot.services.followups.repository.all_agreements()
    (kept,) = [a for a in stored if a.title == "Lokalvård skolor"]  # beside the demo ones
    assert kept.responsible == ""


async def test_who_postponed_and_who_took_a_joint_follow_up_are_in_my_data_and_erased(
    bot: BotServer, connector: ConnectorStandIn
) -> None:
    """`radera mina data` once left the postponer's Teams id on the follow-up and the taker's
    id, name and municipality on a joint follow-up; `mina data` left them out too."""
    await bot.post(activities.message(connector.url, "hjälp"))  # the node learns Alex's e-mail
    assert bot.node is not None
    today = bot.node.clock.today()
    form = {"verb": "agreement.create", **agreement(today, responsible="alex.wilber@lund.se")}
    await click(bot, connector, form)
    key = "lund:lokalvård-skolor"
    later = (today + timedelta(days=40)).isoformat()
    postpone = {"agreement": key, "base": "10855", "new_date": later, "reason": "Semester"}
    moved = await click(bot, connector, {"verb": "followup.postpone", **postpone})
    assert "flyttad" in card_text(moved) or later in card_text(moved)
    take = {"verb": "followup.joint_take", "agreement": key, "base": "11567"}
    taken = await click(bot, connector, take)
    assert "Du gör nu den gemensamma uppföljningen" in card_text(taken)
    card = await ask(bot, connector, "mina data")
    link = next(n["url"] for n in card_nodes(card) if n.get("type") == "Action.OpenUrl")
    _, data = await fetch(link.replace(bot.settings.public_url, bot.url))
    assert [p["reason"] for p in data["postponed_followups"]] == ["Semester"]
    assert [j["base"] for j in data["joint_followups_taken"]] == ["11567"]
    confirm = await ask(bot, connector, "radera mina data")
    await click(bot, connector, action(confirm, "privacy.erase"))
    tables = ("followups", "jointfollowups", "followupresults")
    rows = [r.data for t in tables for r in await bot.node.store.query(t)]
    everything = json.dumps(rows, ensure_ascii=False)
    assert "29:user-alex" not in everything
    assert "Alex Wilber" not in everything
