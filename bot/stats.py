"""The node's own statistics, for evaluating the platform after its test period.

Questions per area and municipality, time to claim and to answer (median and 90th
percentile), the share answered within the working-hours target, escalations, published
answers, shared items per municipality and active users per month. It works on anonymised
tickets too: the fields it uses survive anonymisation. Active users are counted from monthly
marks keyed by a hash of the user id, never the id itself."""

from __future__ import annotations

import contextlib
import hashlib
import io
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar

from openpyxl import Workbook

from bot.agreements import AgreementRepository
from bot.agreements.service import figures
from bot.clock import Clock
from bot.criteria import AREAS
from bot.personal import PersonRef
from bot.procurements.records import ProcurementRecords
from bot.procurements.service import figures as procurement_figures
from bot.routing.tickets import ANSWERED, OPEN, TicketRepository
from bot.routing.workhours import add_working_hours
from bot.sharing import SharedItems
from bot.storage import AlreadyExistsError, Record, Store

ACTIVITY = "activity"


class ActivityLog:
    """One mark per user and month, written the first time this process sees them."""

    TABLES: ClassVar[dict[str, str]] = {ACTIVITY: "a hash of a person's Teams id per month"}

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._seen: set[tuple[str, str]] = set()

    @staticmethod
    def _key(user_id: str) -> str:
        return hashlib.sha256(user_id.encode()).hexdigest()[:24]

    async def export_person(self, person: PersonRef) -> dict[str, Any]:
        keys = {self._key(i) for i in person.ids}
        months = sorted({r.partition for r in await self._store.query(ACTIVITY) if r.key in keys})
        return {"active_months": months}

    async def erase_person(self, person: PersonRef) -> int:
        keys = {self._key(i) for i in person.ids}
        removed = 0
        for record in await self._store.query(ACTIVITY):
            if record.key in keys:
                removed += await self._store.delete(ACTIVITY, record.partition, record.key)
        self._seen.clear()
        return removed

    async def seen(self, user_id: str) -> None:
        if not user_id:
            return
        month = f"{self._clock.now():%Y-%m}"
        key = self._key(user_id)
        if (month, key) in self._seen:
            return
        with contextlib.suppress(AlreadyExistsError):  # another process saw them first
            await self._store.insert(ACTIVITY, Record(month, key, {}))
        self._seen.add((month, key))


@dataclass
class Stats:
    start: date | None
    end: date | None
    total: int = 0
    answered: int = 0
    open: int = 0
    escalated: int = 0
    published: int = 0
    per_area: Counter[str] = field(default_factory=Counter)
    per_municipality: Counter[str] = field(default_factory=Counter)
    claim_hours: tuple[float, float] | None = None  # median, p90
    answer_hours: tuple[float, float] | None = None
    within_target: float | None = None  # share of answered tickets
    target_hours: float = 4.0
    shared_per_municipality: Counter[str] = field(default_factory=Counter)
    active_per_month: dict[str, int] = field(default_factory=dict)
    followups: dict[str, Any] = field(default_factory=dict)
    procurements: dict[str, Any] = field(default_factory=dict)


def _spread(values: list[float]) -> tuple[float, float] | None:
    if not values:
        return None
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return round(statistics.median(ordered) / 3600, 2), round(p90 / 3600, 2)


async def compute(
    store: Store,
    clock: Clock,
    target_hours: float,
    start: date | None = None,
    end: date | None = None,
) -> Stats:
    def inside(epoch: float) -> bool:
        day = datetime.fromtimestamp(epoch, zone).date()
        return (start is None or day >= start) and (end is None or day <= end)

    zone = clock.zone
    stats = Stats(start, end, target_hours=target_hours)
    today = clock.today()
    stats.followups = await figures(AgreementRepository(store), today, start, end)
    stats.procurements = await procurement_figures(ProcurementRecords(store))
    tickets = [t for t in await TicketRepository(store).all() if inside(t.created_at)]
    claims, answers, on_time = [], [], 0
    for ticket in tickets:
        stats.total += 1
        stats.per_area[AREAS.get(ticket.area, ticket.area)] += 1
        stats.per_municipality[ticket.municipality] += 1
        stats.open += ticket.state == OPEN
        stats.escalated += ticket.escalation > 0
        stats.published += ticket.published
        if ticket.seconds_to_claim is not None:
            claims.append(ticket.seconds_to_claim)
        if ticket.state == ANSWERED and ticket.answered_at is not None:
            stats.answered += 1
            answers.append(ticket.answered_at - ticket.created_at)
            asked = datetime.fromtimestamp(ticket.created_at, zone)
            on_time += (
                ticket.answered_at <= add_working_hours(asked, target_hours, zone).timestamp()
            )
    stats.claim_hours = _spread(claims)
    stats.answer_hours = _spread(answers)
    stats.within_target = round(on_time / stats.answered, 3) if stats.answered else None
    for item in await SharedItems(store).all():
        if inside(item.shared_at):
            stats.shared_per_municipality[item.municipality] += 1
    months: Counter[str] = Counter(r.partition for r in await store.query(ACTIVITY))
    stats.active_per_month = {
        month: count
        for month, count in sorted(months.items())
        if (start is None or month >= start.strftime("%Y-%m"))
        and (end is None or month <= end.strftime("%Y-%m"))
    }
    return stats


def stats_xlsx(stats: Stats) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = "Sammanfattning"
    period = f"{stats.start or 'början'} – {stats.end or 'i dag'}"
    rows: list[tuple[str, object]] = [
        ("Period", period),
        ("Frågor", stats.total),
        ("Besvarade", stats.answered),
        ("Öppna", stats.open),
        ("Eskalerade", stats.escalated),
        ("Publicerade svar", stats.published),
        ("Tid till tagen, median (h)", stats.claim_hours[0] if stats.claim_hours else None),
        ("Tid till tagen, p90 (h)", stats.claim_hours[1] if stats.claim_hours else None),
        ("Tid till svar, median (h)", stats.answer_hours[0] if stats.answer_hours else None),
        ("Tid till svar, p90 (h)", stats.answer_hours[1] if stats.answer_hours else None),
        (f"Andel besvarade inom {stats.target_hours:g} arbetstimmar", stats.within_target),
    ]
    for row in rows:
        summary.append(list(row))
    for title, counter in (
        ("Per område", stats.per_area),
        ("Per kommun", stats.per_municipality),
        ("Delat per kommun", stats.shared_per_municipality),
        ("Aktiva per månad", Counter(stats.active_per_month)),
    ):
        sheet = workbook.create_sheet(title)
        for name, count in sorted(counter.items()):
            sheet.append([name, count])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
