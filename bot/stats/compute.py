"""Counting the statistics from what the owners store: tickets, agreements and their
follow-ups, planned procurements, shared items, activity marks and survey answers. Read
only: counting never changes a record (an early consultation's expert is found through its
ticket rather than linked to the plan on the way).

It works on anonymised tickets too: the fields it uses survive anonymisation."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import date, datetime

from bot.agreements import AgreementRepository
from bot.clock import Clock
from bot.places import MUNICIPALITIES
from bot.procurements.model import Procurement, overlapping
from bot.procurements.records import ProcurementRecords
from bot.procurements.service import OVERLAP_MONTHS
from bot.routing.tickets import ANSWERED, OPEN, Ticket, TicketRepository
from bot.routing.workhours import add_working_hours
from bot.sharing import SharedItems
from bot.sharing.models import MarketAnalysis
from bot.stats.activity import ActivityLog
from bot.stats.model import (
    FollowUps,
    Month,
    Municipality,
    Period,
    Procurements,
    Questions,
    Share,
    Statistics,
    Survey,
)
from bot.storage import Store

ALL_TIME, NO_SURVEY = Period(), Survey()


def _spread(seconds: list[float]) -> tuple[float, float] | None:
    if not seconds:
        return None
    ordered = sorted(seconds)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return round(statistics.median(ordered) / 3600, 2), round(p90 / 3600, 2)


class _Tally:
    """Counts per municipality and per month while reading, turned into the tree at the end."""

    def __init__(self) -> None:
        self.by_place: dict[str, Counter[str]] = {}
        self.by_month: dict[str, Counter[str]] = {}

    def place(self, municipality: str, **counts: int) -> None:
        self.by_place.setdefault(municipality, Counter()).update(counts)

    def month(self, month: str, **counts: int) -> None:
        self.by_month.setdefault(month, Counter()).update(counts)


async def compute(
    store: Store,
    clock: Clock,
    target_hours: float,
    period: Period = ALL_TIME,
    survey: Survey = NO_SURVEY,
) -> Statistics:
    zone, today = clock.zone, clock.today()
    tally = _Tally()

    def day_of(epoch: float) -> date:
        return datetime.fromtimestamp(epoch, zone).date()

    tickets = await TicketRepository(store).all()
    questions = _questions(tickets, period, target_hours, clock, tally)
    followups = await _followups(AgreementRepository(store), period, today, tally)
    plans = await ProcurementRecords(store).all()
    procurements = _procurements(plans, {t.number: t for t in tickets}, period, today, day_of,
                                 tally)  # fmt: skip
    analyses = followup_reports = 0
    for item in await SharedItems(store).all():
        day = day_of(item.shared_at)
        if not period.holds(day):
            continue
        analysis = isinstance(item, MarketAnalysis)
        analyses += analysis
        followup_reports += not analysis
        tally.place(item.municipality, shared_analyses=analysis, shared_followups=not analysis)
        tally.month(f"{day:%Y-%m}", shared=1)
    for month, people in (await ActivityLog(store, clock).per_month()).items():
        if period.holds_month(month):
            tally.month(month, active_users=people)
    known = {m.lower(): m for m in MUNICIPALITIES}
    names = list(MUNICIPALITIES) + sorted(
        {known.get(n.lower(), n) for n in tally.by_place} - set(MUNICIPALITIES)
    )
    rows = tuple(
        Municipality(name, **_counts(tally.by_place.get(name, Counter())))
        for name in names if name  # an anonymised item has no municipality
    )  # fmt: skip
    with_due = [m for m in rows if m.followups_due]
    followups = FollowUps(
        **{**followups.__dict__,
           "consistent": Share(sum(m.consistent for m in with_due), len(with_due)),
           "never": Share(sum(m.never for m in with_due), len(with_due))}
    )  # fmt: skip
    months = tuple(Month(month, **counts) for month, counts in sorted(tally.by_month.items()))
    return Statistics(period, today, questions, followups, procurements, analyses,
                      followup_reports, rows, months, survey)  # fmt: skip


def _counts(counter: Counter[str]) -> dict[str, int]:
    return {key: int(value) for key, value in counter.items()}


def _questions(
    tickets: list[Ticket], period: Period, target_hours: float, clock: Clock, tally: _Tally
) -> Questions:
    zone = clock.zone
    claims, answers, per_area = [], [], Counter[str]()
    total = answered = open_ = escalated = published = on_time = 0
    for ticket in tickets:
        asked = datetime.fromtimestamp(ticket.created_at, zone)
        if not period.holds(asked.date()):
            continue
        total += 1
        per_area[ticket.area] += 1
        open_ += ticket.state == OPEN
        escalated += ticket.escalation > 0
        published += ticket.published
        tally.month(f"{asked:%Y-%m}", questions=1)
        if ticket.seconds_to_claim is not None:
            claims.append(ticket.seconds_to_claim)
        in_time = False
        if ticket.state == ANSWERED and ticket.answered_at is not None:
            answered += 1
            answers.append(ticket.answered_at - ticket.created_at)
            deadline = add_working_hours(asked, target_hours, zone).timestamp()
            in_time = ticket.answered_at <= deadline
            on_time += in_time
        if ticket.municipality:
            tally.place(ticket.municipality, questions=1, answered_in_time=in_time,
                        answered=ticket.state == ANSWERED)  # fmt: skip
    return Questions(total, answered, open_, escalated, published, _spread(claims),
                     _spread(answers), Share(on_time, answered), target_hours,
                     dict(per_area.most_common()))  # fmt: skip


async def _followups(
    repository: AgreementRepository, period: Period, today: date, tally: _Tally
) -> FollowUps:
    """Due in the period and by today: each result recorded (on time or late) and each open
    follow-up whose due day has passed (overdue)."""
    agreements = await repository.all_agreements()
    municipality = {a.key: a.municipality for a in agreements}
    for agreement in agreements:
        if agreement.criteria:
            tally.place(agreement.municipality, agreements_with_criteria=1)
    on_time = late = joint = 0
    for result in await repository.all_results():
        if not period.holds(result.due) or result.due > today:
            continue
        place = _municipality_of(result.agreement, municipality)
        on_time += result.on_time
        late += not result.on_time
        joint += bool(result.source)
        tally.place(place, followups_due=1, followups_on_time=result.on_time,
                    followups_late=not result.on_time)  # fmt: skip
        tally.month(f"{result.done_on:%Y-%m}", followups_done=1)
    overdue_now = overdue_in_period = 0
    for followup in await repository.all_followups():
        if followup.finished or followup.due >= today:
            continue
        overdue_now += 1
        if period.holds(followup.due):
            overdue_in_period += 1
            place = _municipality_of(followup.agreement, municipality)
            tally.place(place, followups_due=1, followups_overdue=1)
    due = on_time + late + overdue_in_period
    return FollowUps(due, on_time, late, overdue_now, joint)


def _municipality_of(agreement_key: str, known: dict[str, str]) -> str:
    """The agreement's municipality; for one no longer stored, its key's ("lund:…" -> Lund)."""
    return known.get(agreement_key, agreement_key.split(":", 1)[0].title())


def _procurements(
    plans: list[Procurement],
    tickets: dict[int, Ticket],
    period: Period,
    today: date,
    day_of: Callable[[float], date],
    tally: _Tally,
) -> Procurements:
    """Plans announced in the period: those announced by today, and those ahead that already
    had their support (one ahead without it may still get it in time). "Early": an
    environmental expert took part before the announcement (linked to the plan, or claimed
    its early-consultation ticket)."""
    counted = [p for p in plans if period.holds(p.announce)]
    early = announced = 0
    for plan in counted:
        linked = plan.expert_linked_on
        ticket = tickets.get(plan.ticket) if plan.ticket else None
        if not linked and ticket is not None and ticket.claimed_at is not None:
            linked = day_of(ticket.claimed_at).isoformat()
        is_early = bool(linked) and linked < plan.announce.isoformat()
        if plan.announce > today and not is_early:
            continue  # ahead and without support yet: it may still get it in time
        early += is_early
        announced += 1
        tally.place(plan.municipality, plans=1, plans_early=is_early)
    groups = [g for g in overlapping(counted, OVERLAP_MONTHS) if all(p.coordinate for p in g)]
    return Procurements(len(counted), Share(early, announced), len(groups),
                        sum(bool(p.agreement) for p in counted))  # fmt: skip


class StatisticsService:
    """The statistics for a period, with the survey's answers when there is a survey."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        target_hours: float,
        survey: Callable[[Period], Awaitable[Survey]] | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._target_hours = target_hours
        self._survey = survey

    @property
    def today(self) -> date:
        return self._clock.today()

    async def compute(self, period: Period = ALL_TIME) -> Statistics:
        survey = await self._survey(period) if self._survey else NO_SURVEY
        return await compute(self._store, self._clock, self._target_hours, period, survey)
