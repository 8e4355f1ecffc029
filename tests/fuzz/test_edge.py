"""Property-based fuzzing of the real HTTP edge, on both backends: messages, card submits,
Universal Actions and other invokes with generated content (lone surrogates, huge words,
markdown, wrong types, nesting), and activities with fields missing or of the wrong type.

For every request: no 5xx; an answer within a bound linear in the request's size (a stall
detector, generous on purpose: speed is measured by `make bench`); the server still answers;
and the store holds only whole tickets (each parses, none above the counter)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.routing.tickets import COUNTERS, TICKETS, Ticket
from cards.actions import verbs
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn
from tests.teams.test_expert_flow import experts_network

# Large generated bodies make Hypothesis warn about the size of their repr: expected here.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Generating overly large repr:hypothesis.errors.HypothesisWarning"
)
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "120"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # One node serves all examples of a test, as one node serves all its users.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)

# Text as people and attackers write it: any character, lone surrogates, markdown, mentions,
# very long words and many short ones.
_chars = st.characters(codec=None, categories=None)
text = st.one_of(
    st.text(_chars, max_size=80),
    st.text(st.characters(categories=["Cs", "Nd", "Lu", "Zs", "Cc"]), max_size=40),
    st.sampled_from(
        [
            "hjälp",
            "fråga expert",
            "mina data",
            "radera mina data",
            "jour",
            "**x** [a](b) <at>x</at>\r1) y\n# z",
            "11567",
            "jämför 11430",
        ]
    ),
    st.integers(1, 30_000).map(lambda n: "städ" * (n // 4)),
    st.integers(1, 4_000).map(lambda n: " ".join(f"ord{i}" for i in range(n))),
)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), text,
    st.sampled_from(["1", "1e999", "١", "1_0", "true", "10699/bas", "fordon-och-transport"]),
)  # fmt: skip
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=12,
)
people = st.integers(0, 40).map(
    lambda n: {
        "user_id": f"29:fuzz-{n}",
        "aad_id": f"aad-fuzz-{n}",
        "name": f"Fuzz {n}",
        "conversation_id": f"a:personal-fuzz-{n}",
    }
)


def _fields_of(verb: str) -> list[str]:
    """The payload's fields, a form's inputs included (their ids are the form's fields)."""
    cls = verbs()[verb]
    names = list(cls.__dataclass_fields__)  # type: ignore[attr-defined]
    form = getattr(cls, "FORM", None)
    if form is not None:
        names += [field.id for field in form.fields]
    return [*names, "keys"]


@st.composite
def card_data(draw: st.DrawFn) -> dict[str, Any]:
    """What a card button sends: a known verb (or not) with its fields, of any type."""
    verb = draw(st.one_of(st.sampled_from(sorted(verbs())), text))
    data: dict[str, Any] = {"verb": verb}
    for name in _fields_of(verb) if verb in verbs() else []:
        if draw(st.booleans()):
            data[name] = draw(json_values)
    return data


async def _post_within_bound(bot: BotServer, body: bytes) -> int:
    """POST; fails when the node takes longer than a bound linear in the body's size."""
    bound = 10.0 + len(body) / 5_000  # seconds: 10 s, plus 1 s per 5 KB
    status, _ = await asyncio.wait_for(bot.post(body), bound)
    return status


async def _assert_healthy(bot: BotServer) -> None:
    failed = [r for r in _FAILURES.records if r.levelno >= logging.ERROR]
    _FAILURES.records.clear()
    assert not failed, f"a turn failed: {failed[0].getMessage()} {failed[0].exc_info}"
    assert (await bot.get("/healthz"))[0] == 200
    assert bot.node is not None
    counter = await bot.node.store.get(COUNTERS, "tickets", "last")
    last = int(counter.data["n"]) if counter else 0
    for record in await bot.node.store.query(TICKETS):
        ticket = Ticket.from_record(record)  # every stored ticket is whole
        assert 0 < ticket.number <= last


def _encode(activity: dict[str, Any]) -> bytes:
    # ASCII JSON: lone surrogates travel as "\ud800" escapes, as a hostile client sends them.
    return json.dumps(activity, ensure_ascii=True).encode()


class _Collect(logging.Handler):
    """Errors the node logs: a turn that failed answers 200 with an apology, yet is a bug."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


_FAILURES = _Collect()


@pytest.fixture
async def fuzzed(any_bot: BotServer, connector: ConnectorStandIn) -> AsyncIterator[BotServer]:
    await experts_network(any_bot, connector, 3)
    logging.getLogger("bot").addHandler(_FAILURES)
    _FAILURES.records.clear()
    yield any_bot
    logging.getLogger("bot").removeHandler(_FAILURES)


@FUZZ
@given(words=text, who=people, kind=st.sampled_from(["personal", "channel"]))
async def test_messages(
    fuzzed: BotServer, connector: ConnectorStandIn, words: str, who: dict[str, Any], kind: str
) -> None:
    if kind == "channel":
        who = {**who, "conversation_type": "channel", "conversation_id": "19:fuzz@thread.tacv2"}
    status = await _post_within_bound(
        fuzzed, _encode(activities.message(connector.url, words, **who))
    )
    assert status < 500
    await _assert_healthy(fuzzed)


@FUZZ
@given(data=card_data(), who=people)
async def test_card_submits(
    fuzzed: BotServer, connector: ConnectorStandIn, data: dict[str, Any], who: dict[str, Any]
) -> None:
    status = await _post_within_bound(
        fuzzed, _encode(activities.submit(connector.url, data, **who))
    )
    assert status < 500
    await _assert_healthy(fuzzed)


@FUZZ
@given(data=card_data(), who=people, shape=st.integers(0, 3), value=json_values)
async def test_universal_actions_and_invokes(
    fuzzed: BotServer,
    connector: ConnectorStandIn,
    data: dict[str, Any],
    who: dict[str, Any],
    shape: int,
    value: Any,
) -> None:
    if shape == 0:  # a well-formed Action.Execute with fuzzed data
        activity = activities.execute(connector.url, data, **who)
    else:
        name = ["adaptiveCard/action", "composeExtension/query", "task/fetch"][shape - 1]
        activity = activities.invoke(connector.url, name, {}, **who)
        activity["value"] = value
    status = await _post_within_bound(fuzzed, _encode(activity))
    assert status < 500
    await _assert_healthy(fuzzed)


_PARTS = ["from", "recipient", "conversation", "channelData", "entities", "value", "text",
          "locale", "serviceUrl", "id", "type", "name", "channelId", "timestamp"]  # fmt: skip


@FUZZ
@given(
    base=st.sampled_from(["message", "submit", "invoke", "added"]),
    changes=st.dictionaries(st.sampled_from(_PARTS), json_values, max_size=3),
    dropped=st.lists(st.sampled_from(_PARTS), max_size=3),
)
async def test_activities_of_any_shape(
    fuzzed: BotServer,
    connector: ConnectorStandIn,
    base: str,
    changes: dict[str, Any],
    dropped: list[str],
) -> None:
    activity = {
        "message": lambda: activities.message(connector.url, "hjälp"),
        "submit": lambda: activities.submit(connector.url, {"verb": "ticket.claim", "number": 1}),
        "invoke": lambda: activities.execute(
            connector.url, {"verb": "ticket.refresh", "number": 1}
        ),
        "added": lambda: activities.bot_added(connector.url),
    }[base]()
    for part in dropped:
        activity.pop(part, None)
    activity.update(changes)
    status = await _post_within_bound(fuzzed, _encode(activity))
    assert status < 500
    await _assert_healthy(fuzzed)
