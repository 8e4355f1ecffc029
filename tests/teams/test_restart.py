"""No ticket is ever lost: the node process is killed after a ticket is stored but before it
reached the experts' channel; after a restart the ticket is posted (once)."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from dateutil.relativedelta import relativedelta

from bot.storage._sqlite import SqliteStore
from tests.conftest import INSTANT, TODAY
from tests.support import activities
from tests.support.connector import ConnectorStandIn, Sent, card_text
from tests.support.processes import ROOT, free_port, node_env, wait_for_port
from tests.teams.test_delivery_once import QUESTIONS, ask_activity, numbers, settled

# The time-sensitive tests run again at other pinned instants (make test-calendar).
pytestmark = pytest.mark.calendar

EXPERTS_CHANNEL = "19:experts@thread.tacv2"
NETWORK = """
experts:
  - {id: aad-expert-1, name: Expert Ett, municipality: Lund, areas: [alla], teams_id: "29:expert-1"}
"""


class NodeProcess:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.env = node_env(
            data_dir, INSTANT.isoformat(), NODE_ROUTING_INTERVAL_S="0.3", NODE_ADMIN_IDS="aad-alex"
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(self.port)],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port, self.process)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    async def post(self, body: dict[str, object]) -> int:
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"http://127.0.0.1:{self.port}/api/messages", json=body) as response,
        ):
            return response.status


@pytest.fixture
def node(tmp_path: Path) -> Iterator[NodeProcess]:
    network = tmp_path / "network.yaml"
    network.write_text(NETWORK, "utf-8")
    process = NodeProcess(tmp_path / "data")
    imported = subprocess.run(
        [sys.executable, "-m", "bot", "network", "import", str(network)],
        cwd=ROOT, env=process.env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert imported.returncode == 0, imported.stderr
    yield process
    if process.process and process.process.poll() is None:
        process.process.terminate()
        process.process.wait(10)


async def test_a_ticket_stored_before_a_crash_is_posted_after_restart(
    node: NodeProcess, connector: ConnectorStandIn
) -> None:
    node.start()
    channel = {"conversation_type": "channel", "conversation_id": EXPERTS_CHANNEL}
    assert await node.post(activities.bot_added(connector.url, **channel)) == 200
    assert await node.post(activities.message(connector.url, "expertkanal", **channel)) == 200
    assert "tar nu emot expertfrågor" in card_text(connector.sent[-1].card)

    connector.failing.add(EXPERTS_CHANNEL)  # Teams fails the post...
    ask = {"verb": "ticket.create", "question": "Hur följer vi upp krav på elbussar?",
           "area": "fordon-och-transport", "municipality": "Lund", "consent": "true"}  # fmt: skip
    assert await node.post(activities.submit(connector.url, ask)) == 200
    receipt = connector.to("a:personal-alex")[-1]
    assert "så snart som möjligt" in card_text(receipt.card)
    node.kill()  # ...and the process dies before any retry

    connector.failing.clear()
    connector.clear()
    node.start()
    posts = await _wait_for_channel_posts(connector, 1)
    assert "Hur följer vi upp krav på elbussar?" in card_text(posts[0].card)
    await asyncio.sleep(1.0)  # several more background rounds
    assert len(connector.to(EXPERTS_CHANNEL)) == 1  # posted once, not again


async def _wait_for_channel_posts(connector: ConnectorStandIn, count: int) -> list:  # type: ignore[type-arg]
    # The failed post is retried after its 5 s backoff, by a node that has to start first.
    for _ in range(600):
        posts = connector.to(EXPERTS_CHANNEL)
        if len(posts) >= count:
            return posts
        await asyncio.sleep(0.05)
    raise AssertionError("the ticket never reached the experts' channel")


async def _post_quietly(node: NodeProcess, body: dict[str, Any]) -> int:
    try:
        return await node.post(body)
    except (aiohttp.ClientError, OSError):
        return 0  # the node died under the request: Teams will retry it


async def test_a_kill_mid_stream_loses_nothing_and_repeats_only_in_the_documented_window(
    node: NodeProcess, connector: ConnectorStandIn
) -> None:
    """The node killed while 20 questions are being stored and delivered, Teams answering in
    0.5 s; after the restart Teams retries what got no answer (same activity ids). Every
    acknowledged ticket is stored once and posted; a message is sent twice only when the
    kill fell between Teams taking it and its record (marked on the message)."""
    node.env["NODE_DELIVERY_CLAIM_S"] = "2"
    node.start()
    try:
        channel = {"conversation_type": "channel", "conversation_id": EXPERTS_CHANNEL}
        assert await node.post(activities.bot_added(connector.url, **channel)) == 200
        assert await node.post(activities.message(connector.url, "expertkanal", **channel)) == 200
        connector.clear()
        connector.latency = 0.5
        stream = [ask_activity(connector.url, n) for n in range(QUESTIONS)]
        requests = [asyncio.create_task(_post_quietly(node, body)) for body in stream]
        await asyncio.sleep(0.8)  # some tickets stored, some half delivered, some not begun
        node.kill()
        answered = await asyncio.gather(*requests)
        node.start()
        # Teams retries every activity that got no answer, with the same id.
        retried = [body for body, status in zip(stream, answered, strict=True) if status != 200]
        assert retried, "the kill came too late to test anything"
        again = await asyncio.gather(*(node.post(body) for body in retried))
        assert set(again) == {200}
        receipts_done = lambda: all(  # noqa: E731
            connector.to(f"a:personal-asker-{n}") for n in range(QUESTIONS)
        )
        await settled(connector, receipts_done)
        await asyncio.sleep(3.0)  # claims of the killed process expire (2 s) and are resumed
    finally:
        if node.process and node.process.poll() is None:
            node.process.terminate()
            node.process.wait(10)
    posts = numbers(connector.to(EXPERTS_CHANNEL))
    assert sorted(posts) == list(range(1, QUESTIONS + 1))  # no ticket lost, none made twice
    for n in range(QUESTIONS):
        assert connector.to(f"a:personal-asker-{n}")  # every asker got their receipt
    # A message sent twice is one the killed node had handed to Teams and not yet recorded:
    # the outbox's documented window, which it marks on the message (resumed). Nothing else.
    resumed = await resumed_messages(node.data_dir)
    twice = {number for number, count in posts.items() if count > 1}
    assert twice <= resumed["ticket.post"], twice
    receipts = {n: len(connector.to(f"a:personal-asker-{n}")) for n in range(QUESTIONS)}
    assert {n + 1 for n, count in receipts.items() if count > 1} <= resumed["ticket.receipt"]


async def resumed_messages(data_dir: Path) -> dict[str, set[int]]:
    """Per kind, the tickets whose message was sent again after a claim of the killed node."""
    store = SqliteStore(data_dir / "miljokravsnoden.sqlite3")
    try:
        records = await store.query("outbox")
    finally:
        await store.close()
    found: dict[str, set[int]] = defaultdict(set)
    for record in records:
        if record.data.get("resumed"):
            found[record.data["kind"]].add(int(record.data["data"]["ticket"]))
    return found


def import_agreements(node: NodeProcess, folder: Path, count: int) -> None:
    """`count` agreements for Alex (alex.wilber@lund.se), each one criterion due in 5 days."""
    start = (TODAY - relativedelta(months=3) + timedelta(days=5)).isoformat()
    lines = ["Kommun;Avtal;Leverantör;Organisationsnummer;Område;Avtalsstart;Avtalsslut;"
             "Ansvarig;Krav-ID;Intervall"]  # fmt: skip
    lines += [f"Lund;Avtal {n};Städbolaget AB;556036-0793;stad-och-kemikalier;{start};"
              f"2030-12-31;alex.wilber@lund.se;11567;kvartal" for n in range(count)]  # fmt: skip
    path = folder / "avtal.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    cli(node, "agreements", "import", str(path))


def cli(node: NodeProcess, *args: str) -> None:
    """`python -m bot ARGS` against the node's store; it must succeed."""
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT, env=node.env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def reminders(connector: ConnectorStandIn) -> list[str]:
    return [card_text(s.card) for s in connector.to("a:personal-alex")
            if "Om 14 dagar" in card_text(s.card)]  # fmt: skip


async def test_a_reminder_is_sent_once_across_a_kill_between_send_and_record(
    node: NodeProcess, connector: ConnectorStandIn, tmp_path: Path
) -> None:
    node.env["NODE_DELIVERY_CLAIM_S"] = "1"
    node.start()
    assert await node.post(activities.message(connector.url, "hjälp")) == 200  # Alex's e-mail
    connector.latency, connector.takes_first = 3.0, True  # Teams takes it, answers late
    import_agreements(node, tmp_path, 1)
    for _ in range(100):
        if reminders(connector):
            break
        await asyncio.sleep(0.05)
    node.kill()  # Teams has the reminder; the node never heard so, nor recorded it
    connector.latency, connector.takes_first = 0.0, False
    node.start()
    await asyncio.sleep(2.5)  # the dead claim expires (1 s); rounds every 0.3 s
    assert len(reminders(connector)) == 1


async def test_two_nodes_on_one_store_send_each_reminder_once(
    node: NodeProcess, connector: ConnectorStandIn, tmp_path: Path
) -> None:
    node.start()
    second = NodeProcess(Path(node.env["NODE_DATA_DIR"]))
    second.env = {**node.env}
    second.start()
    try:
        assert await node.post(activities.message(connector.url, "hjälp")) == 200
        import_agreements(node, tmp_path, 5)
        await asyncio.sleep(2.0)
        texts = reminders(connector)
        assert len(texts) == 5
        assert sorted(t.split("\n")[0] for t in texts) == sorted(
            set(t.split("\n")[0] for t in texts)
        )
    finally:
        if second.process and second.process.poll() is None:
            second.process.terminate()
            second.process.wait(10)


async def test_a_plan_without_an_expert_nudges_its_contact_once_across_a_restart(
    node: NodeProcess, connector: ConnectorStandIn, tmp_path: Path
) -> None:
    """Ten weeks before the announcement, no expert linked: one nudge, also after a restart."""
    node.start()
    assert await node.post(activities.message(connector.url, "hjälp")) == 200  # Alex's e-mail
    announce = TODAY + timedelta(weeks=9)
    lines = ["Kommun;Upphandling;Område;Planerad annonsering;Planerad avtalsstart;Kontakt",
             f"Lund;Lokalvård förskolor;stad-och-kemikalier;{announce:%Y-%m};"
             f"{(announce + relativedelta(months=6)):%Y-%m-01};alex.wilber@lund.se"]  # fmt: skip
    path = tmp_path / "plan.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    cli(node, "procurements", "import", str(path))

    def nudges() -> list[Sent]:
        return [s for s in connector.to("a:personal-alex") if "Tio veckor" in card_text(s.card)]

    for _ in range(100):
        if nudges():
            break
        await asyncio.sleep(0.05)
    node.kill()
    node.start()
    await asyncio.sleep(1.5)  # several rounds
    assert len(nudges()) == 1
