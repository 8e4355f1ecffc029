"""The pulse survey: an admin opens a round for this quarter (`utvärdering`); everyone who
used the node in the quarter and can be reached gets one short card through the outbox, once
a round; the answers are kept without names (a hash of the Teams id, so each person counts
once and can still have their answer erased); anyone can say no to surveys (`inga enkäter`).
The answers feed the statistics (`figures`)."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar, Protocol

from bot.agreements import Directory
from bot.clock import Clock
from bot.i18n import UserError
from bot.messaging import Card, Messenger
from bot.outbox import Kind, Message, Outbox, Result, Sent, Skip, Wait
from bot.personal import PersonRef
from bot.stats import ActivityLog, Period, Share, Survey, person_key
from bot.storage import AlreadyExistsError, Record, Store
from bot.storage.shapes import Shape, shape_of
from bot.survey.forms import YES

ROUNDS = "surveys"  # partition "round"; key: the quarter ("2026Q4"). Partition "asked:<round>":
# key: person_key of each Teams id the round was sent to (who may answer it)
ANSWERS = "surveyanswers"  # partition: the round; key: person_key of the Teams id
OPT_OUT = "surveyoptouts"  # partition "out"; key: person_key of the Teams id
ASK = "survey"  # the outbox's kind
OPEN_DAYS = 21  # how long a round takes answers


@dataclass(frozen=True)
class Round:
    id: str  # the quarter it asks about ("2026Q4")
    opens: date
    closes: date
    asked: int  # people it was sent to
    by: str = ""  # the admin who opened it

    def open_on(self, day: date) -> bool:
        return self.opens <= day <= self.closes

    @classmethod
    def from_record(cls, record: Record) -> Round:
        data = record.data
        return cls(record.key, date.fromisoformat(data["opens"]),
                   date.fromisoformat(data["closes"]), int(data["asked"]),
                   str(data.get("by", "")))  # fmt: skip


@dataclass(frozen=True)
class Answer:
    rating: int  # 1–5
    competence: bool
    followed_up: bool
    comment: str = ""

    @classmethod
    def from_record(cls, record: Record) -> Answer:
        data = record.data
        rating = int(data["rating"])
        if not 1 <= rating <= 5:
            raise ValueError("rating")
        return cls(rating, bool(data["competence"]), bool(data["followed_up"]),
                   str(data.get("comment", "")))  # fmt: skip


@dataclass(frozen=True)
class Opened:
    round: str
    recipients: int
    dry_run: bool = False


class SurveyCards(Protocol):
    def survey(self, round_id: str, locale: str) -> Card: ...


class PulseSurvey:
    TABLES: ClassVar[dict[str, str]] = {
        ROUNDS: "the admin who opened a survey round",
        ANSWERS: "survey answers, under a hash of the person's Teams id (no name)",
        OPT_OUT: "a hash of the Teams id of each person who wants no surveys",
    }
    SHAPES: ClassVar[dict[str, Shape]] = {
        ROUNDS: shape_of(lambda r: Round.from_record(r) if r.partition == "round" else r),
        ANSWERS: shape_of(Answer.from_record),
    }

    def __init__(
        self,
        store: Store,
        clock: Clock,
        outbox: Outbox,
        messenger: Messenger,
        directory: Directory,
        cards: SurveyCards,
        reachable: Callable[[], Awaitable[Sequence[tuple[str, str]]]],
    ) -> None:
        self._store = store
        self._clock = clock
        self._outbox = outbox
        self._messenger = messenger
        self._directory = directory
        self._cards = cards
        self._reachable = reachable
        self._activity = ActivityLog(store, clock)
        outbox.declare(Kind(ASK, self._send, after_crash="give_up"))

    async def round(self, round_id: str) -> Round | None:
        record = await self._store.get(ROUNDS, "round", round_id)
        return None if record is None else Round.from_record(record)

    async def recipients(self, period: Period) -> list[str]:
        """The Teams ids of those who used the node in the period, can be reached 1:1 and did
        not say no to surveys. (Activity is marked under the Entra id where there is one.)"""
        active = await self._activity.keys_in(period.holds_month)
        declined = {r.key for r in await self._store.query(OPT_OUT, "out")}
        chosen = []
        for user_id, aad_id in await self._reachable():
            keys = {person_key(i) for i in (user_id, aad_id) if i}
            if keys & active and not keys & declined:
                chosen.append(user_id)
        return sorted(chosen)

    async def open(self, by: str, dry_run: bool = False) -> Opened:
        """Open this quarter's round and send it (through the outbox); one round a quarter."""
        today = self._clock.today()
        period = Period.quarter_of(today)
        existing = await self.round(period.label)
        if existing is not None:
            raise UserError("survey.already", {"period": existing.id, "count": existing.asked})
        people = await self.recipients(period)
        if dry_run:
            return Opened(period.label, len(people), dry_run=True)
        data = {"opens": today.isoformat(),
                "closes": (today + timedelta(days=OPEN_DAYS)).isoformat(),
                "asked": len(people), "by": by}  # fmt: skip
        try:
            await self._store.insert(ROUNDS, Record("round", period.label, data))
        except AlreadyExistsError:  # another admin, at the same moment
            raise UserError("survey.already", {"period": period.label, "count": 0}) from None
        for user_id in people:
            await self._store.upsert(
                ROUNDS, Record(f"asked:{period.label}", person_key(user_id), {})
            )
            await self._outbox.schedule(ASK, f"{period.label}:{person_key(user_id)}",
                                        {"round": period.label}, to=f"teams:{user_id}")  # fmt: skip
        return Opened(period.label, len(people))

    async def _send(self, message: Message) -> Result:
        survey = await self.round(str(message.data.get("round", "")))
        if survey is None or not survey.open_on(self._clock.today()):
            return Skip("the round is closed")
        key = person_key(message.to.removeprefix("teams:"))
        if await self._store.get(OPT_OUT, "out", key) is not None:
            return Skip("no surveys, thanks")
        if await self._store.get(ANSWERS, survey.id, key) is not None:
            return Skip("already answered")
        person = await self._directory.person(message.to)
        if person is None:
            return Skip("not reachable any more")
        if not await self._messenger.to_person(
            person.user_id, self._cards.survey(survey.id, person.locale)
        ):
            return Wait(message.to)
        return Sent()

    async def answer(self, round_id: str, user_id: str, values: dict[str, str]) -> bool:
        """Keep an answer (checked values of the form); True when it replaced this person's
        earlier answer to the round. A round that is closed or unknown says so."""
        survey = await self.round(round_id)
        if survey is None:
            raise UserError("survey.unknown")
        if not survey.open_on(self._clock.today()):
            raise UserError("survey.closed", {"period": survey.id,
                                              "closed": survey.closes.isoformat()})  # fmt: skip
        key = person_key(user_id)
        if await self._store.get(ROUNDS, f"asked:{survey.id}", key) is None:
            raise UserError("survey.not_asked", {"period": survey.id})
        before = await self._store.get(ANSWERS, survey.id, key)
        await self._store.upsert(ANSWERS, Record(survey.id, key, {
            "rating": int(values["rating"]), "competence": values["competence"] == YES,
            "followed_up": values["followed_up"] == YES,
            "comment": values.get("comment", "")}))  # fmt: skip
        return before is not None

    async def decline(self, user_id: str) -> None:
        """`inga enkäter`: no survey card from now on."""
        with contextlib.suppress(AlreadyExistsError):
            await self._store.insert(OPT_OUT, Record("out", person_key(user_id), {}))

    async def figures(self, period: Period) -> Survey:
        """The answers to the rounds opened in the period."""
        rounds = [Round.from_record(r) for r in await self._store.query(ROUNDS, "round")]
        # (the "asked:" partitions hold who may answer; only "round" holds rounds)
        counted = [r for r in rounds if period.holds(r.opens)]
        answers: list[Answer] = []
        for survey in counted:
            answers += [Answer.from_record(r) for r in await self._store.query(ANSWERS, survey.id)]
        if not answers:
            return Survey(asked=sum(r.asked for r in counted))
        ratings = [sum(a.rating == grade for a in answers) for grade in range(1, 6)]
        return Survey(
            len(answers), sum(r.asked for r in counted),
            round(sum(a.rating for a in answers) / len(answers), 2),
            (ratings[0], ratings[1], ratings[2], ratings[3], ratings[4]),
            Share(sum(a.competence for a in answers), len(answers)),
            Share(sum(a.followed_up for a in answers), len(answers)),
            tuple(a.comment for a in answers if a.comment),
        )  # fmt: skip

    # --- personal data ---------------------------------------------------------------------

    async def export_person(self, person: PersonRef) -> dict[str, Any]:
        keys = {person_key(i) for i in person.ids}
        answers = [{"round": r.partition, "rating": r.data.get("rating"),
                    "comment": r.data.get("comment", "")}
                   for r in await self._store.query(ANSWERS) if r.key in keys]  # fmt: skip
        declined = any([await self._store.get(OPT_OUT, "out", k) is not None for k in keys])
        return {"survey_answers": answers, "no_surveys": declined}

    async def erase_person(self, person: PersonRef) -> int:
        """Their answers go; their "no surveys" stays (a hash, no name), or erasing their
        data would start sending them surveys again."""
        keys = {person_key(i) for i in person.ids}
        removed = 0
        for table in (ANSWERS, ROUNDS):  # their answers, and that a round was sent to them
            for record in await self._store.query(table):
                if record.key in keys and (table == ANSWERS or record.partition != "round"):
                    removed += await self._store.delete(table, record.partition, record.key)
        return removed
