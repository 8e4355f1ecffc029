"""Nobody acts on what is not theirs: every card action and every command, sent over HTTP to
the demo node by a stranger, an expert of another area and a member of another municipality,
aimed at what Megan Bowen (Malmö) owns: her question, her agreements (one shared, one not) and
her plans. Nothing of hers is shown that is not shared, and nothing stored changes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from bot.commands import Who
from bot.storage import Store
from bot.teams import COMMANDS
from bot.teams._handlers import HANDLERS
from cards.actions import verbs
from tests.conftest import TODAY, local_settings
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, card_text

pytestmark = pytest.mark.calendar

MEGAN = {"user_id": "user-id-1", "aad_id": "aad-megan", "name": "Megan Bowen",
         "conversation_id": "a:personal-megan"}  # fmt: skip
ATTACKERS = {
    "stranger": {"user_id": "29:mallory", "aad_id": "aad-mallory", "name": "Mallory",
                 "conversation_id": "a:personal-mallory"},
    "expert of another area": {"user_id": "user-id-3", "aad_id": "aad-isaiah",
                               "name": "Isaiah Langer", "conversation_id": "a:personal-isaiah"},
    "member of another municipality": {"user_id": "29:eva", "aad_id": "aad-eva",
                                       "name": "Eva Ek", "conversation_id": "a:personal-eva"},
}  # fmt: skip
EMAILS = {"user-id-1": "megan.bowen@malmo.se", "29:mallory": "mallory@example.com",
          "user-id-3": "isaiah.langer@kristianstad.se", "29:eva": "eva.ek@ystad.se"}  # fmt: skip
SECRET_QUESTION = "Hemlig fråga om städkemikalier i Malmös skolkök"
SECRET_AGREEMENT = "Hemligt avtal om golvvård"
SECRET_PLAN = "Hemlig plan för fönsterputs"
SHARED_AGREEMENT = "malmö:lokalvård-skolor-2026"  # the demo's, shared
HIDDEN_AGREEMENT = "malmö:hemligt-avtal-om-golvvård"
SHARED_PLAN = "malmö:städtjänster-stadsdelar"  # the demo's, shared
HIDDEN_PLAN = "malmö:hemlig-plan-för-fönsterputs"
# Tables an attempt must leave as they were (what people own and the messages about them).
GUARDED = ("tickets", "agreements", "followups", "followupresults", "jointfollowups",
           "procurements", "coordinations", "counters",
           "agreementindex", "ticketindex")  # fmt: skip
# Card actions anyone may send: they name nothing anyone owns (criteria, forms to fill in,
# shared items, one's own data). Every other action is checked for a relation.
PUBLIC = {"criterion.show", "criterion.levels", "criterion.compare", "plan.create",
          "answer.feedback", "answer.more", "expert.ask", "ticket.create", "sharing.analysis",
          "sharing.followup", "sharing.show", "agreement.form", "procurement.create",
          "privacy.erase", "agreement.create",
          "survey.answer"}  # one's own answer, stored under a hash of one's own id  # fmt: skip


def agreement_values(title: str, shared: str = "true") -> dict[str, str]:
    start = TODAY - relativedelta(months=2)
    return {"municipality": "Malmö", "title": title, "area": "stad-och-kemikalier",
            "product_group": "Golvvård", "supplier": "Golv AB", "org_number": "556036-0793",
            "framework": "false", "start": start.isoformat(),
            "end": (start + relativedelta(years=2)).isoformat(),
            "responsible": "megan.bowen@malmo.se", "criteria": "11567", "interval": "kvartal",
            "shared": shared}  # fmt: skip


def plan_values(title: str, shared: str = "true") -> dict[str, str]:
    announce = TODAY + relativedelta(months=5)
    return {"municipality": "Malmö", "title": title, "area": "stad-och-kemikalier",
            "product_group": "Fönsterputs", "stage": "behovsanalys",
            "announce": f"{announce:%Y-%m}",
            "contract_start": (announce + relativedelta(months=6)).replace(day=1).isoformat(),
            "contact": "megan.bowen@malmo.se", "open_to_coordinate": "true",
            "shared": shared}  # fmt: skip


@pytest.fixture
async def node(tmp_path: Path, connector: ConnectorStandIn) -> AsyncIterator[BotServer]:
    """The demo node; Megan has asked a question and registered an agreement and a plan
    that are not shared."""
    server = BotServer(local_settings(tmp_path))
    await server.start()
    connector.emails.update(EMAILS)
    for values in (
        {"verb": "agreement.create", **agreement_values(SECRET_AGREEMENT, shared="false")},
        {"verb": "procurement.create", **plan_values(SECRET_PLAN, shared="false")},
        {"verb": "ticket.create", "question": SECRET_QUESTION, "area": "stad-och-kemikalier",
         "municipality": "Malmö", "consent": "false"},
    ):  # fmt: skip
        status, _ = await server.post(activities.execute(connector.url, values, **MEGAN))
        assert status == 200
    assert await server.services.followups.agreement(HIDDEN_AGREEMENT) is not None
    assert await server.services.procurements.get(HIDDEN_PLAN) is not None
    assert (await server.services.routing.get(1)).question == SECRET_QUESTION
    connector.clear()
    yield server
    await server.stop()


def attempts() -> list[dict[str, Any]]:
    """Every action that names something, aimed at Megan's things."""
    at_followup = [{"agreement": a, "base": "11567"} for a in (SHARED_AGREEMENT, HIDDEN_AGREEMENT)]
    at_plan = [{"key": k} for k in (SHARED_PLAN, HIDDEN_PLAN)]
    result = {"result": "gron", "done_on": TODAY.isoformat(), "method": "stickprov",
              "checked": "Intyg", "share": "true"}  # fmt: skip
    return [
        *({"verb": f"ticket.{verb}", "number": 1, **extra} for verb, extra in (
            ("show", {}), ("refresh", {}), ("claim", {}), ("release", {}),
            ("reassign", {"expert": "00000000-0000-0000-0000-0000000000022"}),
            ("answer", {"answer": "", "publish": "false"}),
            ("answer", {"answer": "Så här gör ni.", "publish": "true"}))),
        {"verb": "agreement.show", "agreement": HIDDEN_AGREEMENT},
        *({"verb": verb, **target, **extra} for target in at_followup for verb, extra in (
            ("followup.show", {}), ("followup.result", result),
            ("followup.postpone", {"new_date": (TODAY + relativedelta(months=1)).isoformat(),
                                   "reason": "Semester"}),
            ("followup.handover", {"to": "mallory@example.com"}),
            ("followup.expert", {"question": "Hur följer vi upp det här kravet?"}),
            ("followup.joint_take", {}), ("followup.joint_release", {}))),
        *({"verb": verb, **target, **extra} for target in at_plan for verb, extra in (
            ("procurement.show", {}), ("procurement.coordinate", {}), ("procurement.book", {}),
            ("procurement.update", {"stage": "annonserad"}), ("procurement.agreement", {}))),
        # Creating with the key of an existing item is an edit of it.
        {"verb": "agreement.create", **agreement_values(SECRET_AGREEMENT),
         "responsible": "mallory@example.com"},
        {"verb": "agreement.create", **agreement_values("Lokalvård skolor 2026"),
         "responsible": "mallory@example.com"},
        {"verb": "agreement.create", **agreement_values("Nytt avtal"), "procurement": SHARED_PLAN},
        {"verb": "procurement.create", **plan_values(SECRET_PLAN), "contact": "x@example.com"},
        {"verb": "procurement.create", **plan_values("Städtjänster stadsdelar"),
         "contact": "x@example.com"},
        # Regional criteria are the experts' (a stranger is refused; an expert may propose
        # one, which shows nobody's things); approving names a proposal that does not exist.
        {"verb": "regional.form", "area": "", "words": "x"},
        {"verb": "regional.propose", "name": "x"},
        {"verb": "regional.approve", "krav_id": "LOK-999"},
        # Importing the library is the admins' (a forged or expired token is refused too).
        {"verb": "criteria.import", "token": "eyJ4IjoxfQ.AAAA"},
        # The region's figures are for admins and coordinators only.
        {"verb": "stats.report", "quarter": f"{TODAY.year}Q{(TODAY.month - 1) // 3 + 1}"},
    ]  # fmt: skip


async def snapshot(store: Store) -> dict[str, list[tuple[str, str, str]]]:
    return {
        table: sorted((r.partition, r.key, repr(sorted(r.data.items())))
                      for r in await store.query(table))
        for table in GUARDED
    }  # fmt: skip


def test_every_action_that_names_something_declares_who_may() -> None:
    """A new action either names nothing anyone owns (listed above) or declares a relation
    (and is then tried below)."""
    routes = {route.kind.VERB: route for handler in HANDLERS for route in handler.ACTIONS}
    assert set(routes) == set(verbs())
    guarded = {verb for verb, route in routes.items()
               if route.access is not None or route.who is not Who.ANYONE}  # fmt: skip
    assert guarded | PUBLIC == set(verbs())
    assert guarded - {"agreement.create", "procurement.create"} <= {
        attempt["verb"] for attempt in attempts()
    }


@pytest.mark.parametrize("who", list(ATTACKERS))
async def test_no_card_action_shows_or_changes_what_is_not_theirs(
    node: BotServer, connector: ConnectorStandIn, who: str
) -> None:
    assert node.node is not None
    store = node.node.store
    before = await snapshot(store)
    for attempt in attempts():
        connector.clear()
        status, body = await node.post(activities.execute(connector.url, attempt,
                                                          **ATTACKERS[who]))  # fmt: skip
        assert status == 200, attempt
        seen = card_text(body["value"]) + "".join(card_text(s.card) for s in connector.sent)
        for secret in (SECRET_QUESTION, SECRET_AGREEMENT, SECRET_PLAN):
            assert secret not in seen, (who, attempt["verb"])
        assert "/files/" not in seen, (who, attempt["verb"])  # no download handed out
        assert await snapshot(store) == before, (who, attempt)
    # Megan's lists are as they were: nothing was taken over.
    mine = await _say(node, connector, "mina avtal", MEGAN)
    assert "Lokalvård skolor 2026" in mine
    assert SECRET_AGREEMENT in mine


@pytest.mark.parametrize("who", list(ATTACKERS))
async def test_no_command_shows_what_is_not_theirs(
    node: BotServer, connector: ConnectorStandIn, who: str
) -> None:
    person = ATTACKERS[who]
    await _say(node, connector, "min kommun Malmö", person)  # a stated municipality opens nothing
    for spec in COMMANDS:
        for argument in ("", "Malmö", "stad", "11567"):
            text = await _say(node, connector, f"{spec.sv[0]} {argument}".strip(), person)
            for secret in (SECRET_QUESTION, SECRET_AGREEMENT, SECRET_PLAN):
                assert secret not in text, (who, spec.name, argument)


async def test_the_owner_and_her_municipality_still_may(
    node: BotServer, connector: ConnectorStandIn
) -> None:
    """The same attempts by Megan are not refused: the checks above refuse by relation."""
    show = {"verb": "agreement.show", "agreement": HIDDEN_AGREEMENT}
    status, _body = await node.post(activities.execute(connector.url, show, **MEGAN))
    assert status == 200
    assert SECRET_AGREEMENT in "".join(card_text(s.card) for s in connector.sent)
    colleague = {"user_id": "29:kim", "aad_id": "aad-kim", "name": "Kim",
                 "conversation_id": "a:personal-kim"}  # fmt: skip
    connector.emails["29:kim"] = "kim@malmo.se"  # Malmö's, by the directory
    connector.clear()
    plan = {"verb": "procurement.show", "key": HIDDEN_PLAN}
    await node.post(activities.execute(connector.url, plan, **colleague))
    assert SECRET_PLAN in "".join(card_text(s.card) for s in connector.sent)


async def _say(node: BotServer, connector: ConnectorStandIn, text: str, who: dict[str, str]) -> str:
    connector.clear()
    status, _ = await node.post(activities.message(connector.url, text, **who))
    assert status == 200
    return "".join(card_text(s.card) for s in connector.sent)
