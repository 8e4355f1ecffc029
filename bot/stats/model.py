"""The node's statistics as one typed tree: the study's indicators for the region and per
municipality, the trend per month and the pulse survey. The `statistik` card, the CLI and
the steering group's workbook are views of it; none of them counts anything itself.

Each figure says what it counts (its text key `stats.means.<name>`), so a reader of the card
or the workbook can tell what "följer konsekvent upp" means without asking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.i18n import UserError

MAX_YEARS = 5  # a longer report is a mistake in the dates more often than a wish


@dataclass(frozen=True)
class Share:
    """`part` of `whole`: shown as "3 av 4 (75 %)"; no ratio when there is nothing to count."""

    part: int = 0
    whole: int = 0

    @property
    def ratio(self) -> float | None:
        return self.part / self.whole if self.whole else None

    def __add__(self, other: Share) -> Share:
        return Share(self.part + other.part, self.whole + other.whole)


@dataclass(frozen=True)
class Baseline:
    """The region's study before the node (25 procurement units): what the indicators are
    compared with."""

    units: int = 25
    consistent: int = 1  # followed up their environmental requirements consistently
    never: int = 6  # never followed them up
    competence: int = 14  # had any environmental competence in the process
    meeting_place_wanted: float = 0.64  # asked for a meeting place


BASELINE = Baseline()


@dataclass(frozen=True)
class Period:
    """The days counted, both ends included; None: from the beginning, or until today."""

    start: date | None = None
    end: date | None = None

    def holds(self, day: date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    def holds_month(self, month: str) -> bool:
        """`month` as "YYYY-MM" overlaps the period."""
        return (self.start is None or month >= f"{self.start:%Y-%m}") and (
            self.end is None or month <= f"{self.end:%Y-%m}"
        )

    @property
    def label(self) -> str:
        """ "2026Q3" for a quarter, else its days; "" for all time (the card says so)."""
        quarter = _quarter_of(self)
        if quarter or (self.start is None and self.end is None):
            return quarter
        return f"{self.start or '…'} – {self.end or '…'}"

    @classmethod
    def checked(cls, start: date | None, end: date | None) -> Period:
        """A period a person asked for: refused (UserError) when it runs backwards or spans
        more than MAX_YEARS years."""
        if start and end and start > end:
            raise UserError("stats.period.backwards",
                            {"start": start.isoformat(), "end": end.isoformat()})  # fmt: skip
        if start and end and (end - start).days > MAX_YEARS * 366:
            raise UserError("stats.period.too_long", {"years": MAX_YEARS})
        return cls(start, end)

    @classmethod
    def quarter(cls, year: int, number: int) -> Period:
        first = date(year, 3 * number - 2, 1)
        following = date(year + (number == 4), 1 if number == 4 else 3 * number + 1, 1)
        return cls(first, following - timedelta(days=1))

    @classmethod
    def quarter_of(cls, day: date) -> Period:
        return cls.quarter(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse_quarter(cls, text: str, today: date) -> Period:
        """ "2026Q3", "2026-Q3", "Q3 2026", "3 2026"; empty: this quarter so far counted to its
        end. Anything else: UserError."""
        text = text.strip()
        if not text:
            return cls.quarter_of(today)
        match = _QUARTER.fullmatch(text) or _QUARTER_LAST.fullmatch(text)
        if not match:
            raise UserError("stats.period.quarter", {"given": text[:40]})
        year, number = int(match["year"]), int(match["q"])
        if not 2000 <= year <= 2100 or not 1 <= number <= 4:
            raise UserError("stats.period.quarter", {"given": text[:40]})
        return cls.quarter(year, number)


_QUARTER = re.compile(r"(?P<year>\d{4})\s*-?\s*[QqKk](?P<q>\d)")
_QUARTER_LAST = re.compile(r"[QqKk]?(?P<q>\d)\s*[-/ ]?\s*(?P<year>\d{4})")


def _quarter_of(period: Period) -> str:
    if period.start is None or period.end is None:
        return ""
    whole = Period.quarter_of(period.start)
    return f"{period.start.year}Q{(period.start.month - 1) // 3 + 1}" if whole == period else ""


@dataclass(frozen=True)
class Municipality:
    """One municipality's indicators in the period."""

    name: str
    followups_due: int = 0  # due in the period, by today
    followups_on_time: int = 0
    followups_late: int = 0  # done after their due day
    followups_overdue: int = 0  # due, not done yet
    agreements_with_criteria: int = 0
    plans: int = 0  # planned procurements announced in the period, by today
    plans_early: int = 0  # of which an environmental expert took part before the announcement
    shared_analyses: int = 0
    shared_followups: int = 0
    questions: int = 0
    answered_in_time: int = 0  # within the working-hours target
    answered: int = 0

    @property
    def followups_done(self) -> int:
        return self.followups_on_time + self.followups_late

    @property
    def on_time(self) -> Share:
        return Share(self.followups_on_time, self.followups_due)

    @property
    def consistent(self) -> bool:
        """Followed up every follow-up due in the period (the study's "konsekvent")."""
        return self.followups_due > 0 and self.followups_done == self.followups_due

    @property
    def never(self) -> bool:
        """Had follow-ups due and did none of them."""
        return self.followups_due > 0 and self.followups_done == 0

    @property
    def early(self) -> Share:
        return Share(self.plans_early, self.plans)

    @property
    def in_time(self) -> Share:
        return Share(self.answered_in_time, self.answered)

    @property
    def counted(self) -> bool:
        """Anything happened here in the period (a row worth showing)."""
        return any((self.followups_due, self.agreements_with_criteria, self.plans,
                    self.shared_analyses, self.shared_followups, self.questions))  # fmt: skip


@dataclass(frozen=True)
class Questions:
    total: int = 0
    answered: int = 0
    open: int = 0
    escalated: int = 0
    published: int = 0
    claim_hours: tuple[float, float] | None = None  # median, 90th percentile
    answer_hours: tuple[float, float] | None = None
    in_time: Share = Share()  # answered within `target_hours` working hours
    target_hours: float = 4.0
    per_area: dict[str, int] = field(default_factory=dict)  # area slug -> questions


@dataclass(frozen=True)
class FollowUps:
    due: int = 0
    on_time: int = 0
    late: int = 0
    overdue_now: int = 0  # due before today and not done, whatever the period
    joint_done: int = 0  # results recorded for several municipalities by one taker
    consistent: Share = Share()  # units following up every due follow-up / units with any due
    never: Share = Share()  # units that did none / units with any due

    @property
    def in_time(self) -> Share:
        return Share(self.on_time, self.due)


@dataclass(frozen=True)
class Procurements:
    plans: int = 0  # registered, with their announcement in the period
    early: Share = Share()  # of those announced by today: environmental support before it
    coordinated_groups: int = 0
    became_agreements: int = 0


@dataclass(frozen=True)
class Month:
    """One month of the trend."""

    month: str  # "YYYY-MM"
    questions: int = 0
    followups_done: int = 0
    shared: int = 0
    active_users: int = 0


@dataclass(frozen=True)
class Survey:
    """The pulse survey's answers in the period (no names)."""

    answers: int = 0
    asked: int = 0
    rating_mean: float | None = None  # 1–5: how well the node works as a meeting place
    ratings: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)
    earlier_competence: Share = Share()  # "yes" of those who answered
    followed_up: Share = Share()
    comments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Statistics:
    period: Period
    today: date
    questions: Questions
    followups: FollowUps
    procurements: Procurements
    shared_analyses: int
    shared_followups: int
    municipalities: tuple[Municipality, ...]  # every municipality, in the places' order
    months: tuple[Month, ...]  # the trend, oldest first
    survey: Survey = Survey()
    baseline: Baseline = BASELINE

    @property
    def active_users(self) -> int:
        """People active in the period's busiest month."""
        return max((m.active_users for m in self.months), default=0)

    @property
    def counted_municipalities(self) -> tuple[Municipality, ...]:
        return tuple(m for m in self.municipalities if m.counted)
