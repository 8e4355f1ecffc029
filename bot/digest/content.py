"""What a week's digest says: new shared work, answered and open questions, next week's
on-call experts, criteria library changes, and one line of statistics."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.criteria import AREAS
from bot.criteria.library import Change, changes_since
from bot.procurements.records import ProcurementRecords
from bot.routing.network import NetworkRepository
from bot.routing.tickets import ANSWERED, OPEN, TicketRepository
from bot.sharing import FollowUpReport, MarketAnalysis, SharedItems
from bot.storage import Store


@dataclass(frozen=True)
class WeekContent:
    week: str  # ISO week, e.g. "2026-W48"
    analyses: list[MarketAnalysis] = field(default_factory=list)
    followups: list[FollowUpReport] = field(default_factory=list)
    answered: list[tuple[str, str, str]] = field(default_factory=list)  # area, question, by
    open_questions: list[tuple[int, str, str]] = field(default_factory=list)  # no, area, question
    on_call: list[tuple[str, str]] = field(default_factory=list)  # area name, expert
    # What imports changed in the library this week.
    library: list[Change] = field(default_factory=list)
    asked_this_week: int = 0
    # Planned procurements announced within three months: area, month, municipality, title.
    upcoming: list[tuple[str, str, str, str]] = field(default_factory=list)

    def for_areas(self, areas: tuple[str, ...]) -> WeekContent:
        """The part a channel limited to some areas gets (on-call and totals stay whole)."""
        if not areas:
            return self
        names = {AREAS[a] for a in areas if a in AREAS}
        return WeekContent(
            week=self.week,
            analyses=[a for a in self.analyses if a.area in areas],
            followups=[f for f in self.followups if f.area in areas],
            answered=[a for a in self.answered if a[0] in areas],
            open_questions=[q for q in self.open_questions if q[1] in areas],
            on_call=[o for o in self.on_call if o[0] in names],
            library=[c for c in self.library if c.area in areas],
            asked_this_week=self.asked_this_week,
            upcoming=[u for u in self.upcoming if u[0] in areas],
        )

    @property
    def quiet(self) -> bool:
        return not (self.analyses or self.followups or self.answered or self.open_questions)


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


async def week_content(store: Store, clock: Clock) -> WeekContent:
    now, zone = clock.now(), clock.zone
    since = (now - timedelta(days=7)).timestamp()
    network = await NetworkRepository(store).load()
    tickets = await TicketRepository(store).all()
    items = SharedItems(store)
    analyses, followups = await items.analyses(), await items.followups()
    answered = []
    for ticket in tickets:
        if ticket.state == ANSWERED and (ticket.answered_at or 0) >= since:
            expert = network.experts.get(ticket.assignee)
            by = f"{expert.name} ({expert.municipality})" if expert else ""
            answered.append((ticket.area, ticket.question, by))
    open_questions = [(t.number, t.area, t.question) for t in tickets if t.state == OPEN]
    next_week = now + timedelta(days=7)
    horizon = (now + timedelta(days=92)).date()
    on_call = []
    for slug, name in AREAS.items():
        experts = network.on_call(slug, next_week, zone)
        if experts:
            on_call.append((name, f"{experts[0].name} ({experts[0].municipality})"))
    changes = await changes_since(store, (now - timedelta(days=7)).date())
    return WeekContent(
        week=iso_week(now),
        analyses=[a for a in analyses if a.shared_at >= since],
        followups=[f for f in followups if f.shared_at >= since],
        answered=answered,
        open_questions=open_questions,
        on_call=on_call,
        library=changes,
        asked_this_week=sum(1 for t in tickets if t.created_at >= since),
        upcoming=[
            (p.area, f"{p.announce:%Y-%m}", p.municipality, p.title)
            for p in sorted(await ProcurementRecords(store).all(), key=lambda p: p.announce)
            if p.shared and now.date().replace(day=1) <= p.announce <= horizon
        ][:20],
    )
