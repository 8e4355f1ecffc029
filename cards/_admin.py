"""Cards about the node itself and a person's data: "mina data", the erasure's confirmation,
the audit log, the words the search learned, and the admins' status."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.audit import AuditEvent
from bot.i18n import Texts
from bot.jobs import JobState
from bot.outbox import OutboxStatus
from cards._render import Card, Markdown, render
from cards._tickets import format_moment
from cards.actions import ConfirmErase, payload


def my_data_card(texts: Texts, counts: Mapping[str, int], download: str) -> Card:
    """What the node holds about the person, in numbers, and a link to all of it."""
    summary = texts("privacy.summary", **counts)
    return render("criterion", {
        "name": texts("privacy.title"), "facts": [],
        "sections": [{"title": "", "text": summary},
                     {"title": "", "text": Markdown(texts("privacy.erase_hint"))}],
        "link": download, "link_title": texts("privacy.download"),
    })  # fmt: skip


def erase_confirm_card(texts: Texts) -> Card:
    return render("criterion", {
        "name": texts("privacy.confirm_title"), "facts": [],
        "sections": [{"title": "", "text": texts("privacy.confirm_text")}],
        "actions": [{"title": texts("privacy.confirm"), "data": payload(ConfirmErase())}],
    })  # fmt: skip


def audit_log_card(events: Sequence[AuditEvent], zone: ZoneInfo, texts: Texts) -> Card:
    lines = [{"title": format_moment(e.at, zone, texts.language),
              "text": f"{e.who} · {e.action} · {e.target}"} for e in events]  # fmt: skip
    return render("criterion", {
        "name": texts("audit.title", count=len(events)), "facts": [],
        "sections": lines or [{"title": "", "text": texts("audit.empty")}],
    })  # fmt: skip


def learned_words_card(
    learned: Mapping[str, Sequence[str]], names: Mapping[str, str], texts: Texts
) -> Card:
    """The words the network taught the search, per criterion (Krav ID and name)."""
    sections = [{"title": f"{krav_id} {names.get(krav_id, '')}".strip(), "text": ", ".join(words)}
                for krav_id, words in sorted(learned.items())]  # fmt: skip
    return render("criterion", {
        "name": texts("learned.title"), "facts": [],
        "sections": sections or [{"title": "", "text": texts("learned.empty")}],
    })  # fmt: skip


@dataclass(frozen=True)
class NodeStatus:
    """What `status` shows an admin (the edge gathers it)."""

    storage: str  # ok, ?
    graph: str  # off, ok, !
    criteria: int
    sample: bool
    experts: int
    subscriptions: int
    secret_days: int | None
    outbox: OutboxStatus
    jobs: Sequence[JobState]
    damaged: Sequence[str] = ()  # records the models cannot read: "table/partition/key"


def status_card(status: NodeStatus, zone: ZoneInfo, texts: Texts) -> Card:
    line = texts(
        "status.line", storage=status.storage, graph=status.graph, criteria=status.criteria,
        sample=f" ({texts('status.sample')})" if status.sample else "",
        experts=status.experts, subscriptions=status.subscriptions,
    )  # fmt: skip
    if status.secret_days is not None:
        line += " " + texts("status.secret", days=status.secret_days)
    sections = [
        {"title": "", "text": line},
        {"title": "", "text": texts("status.outbox", backlog=sum(status.outbox.backlog.values()),
                                    failed=sum(status.outbox.failed.values()))},
    ]  # fmt: skip
    if status.damaged:
        sections.append(
            {
                "title": "",
                "text": texts(
                    "status.damaged", count=len(status.damaged), first=", ".join(status.damaged[:3])
                ),
            }
        )
    for job in status.jobs:
        name = texts(f"job.{job.name}") if texts.has(f"job.{job.name}") else job.name
        when = format_moment(job.last_ok, zone, texts.language) if job.last_ok else "–"
        if job.failures:
            text = texts("status.job_failing", job=name, count=job.failures, error=job.error,
                         when=when)  # fmt: skip
        else:
            text = texts("status.job", job=name, when=when)
        sections.append({"title": "", "text": text})
    return render("criterion", {"name": texts("status.title"), "facts": [],
                                "sections": sections})  # fmt: skip
