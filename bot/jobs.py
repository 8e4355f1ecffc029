"""The jobs of the background round, each on its own: one that fails never stops another, and
each keeps its last success and its failures in the table `jobs`, so `status` (and telemetry)
tell which job is behind, whichever instance ran it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from bot import telemetry
from bot.clock import Clock
from bot.storage import Record, Store
from bot.storage.shapes import Shape, shape_of

log = logging.getLogger(__name__)

JOBS = "jobs"
_REWRITE_OK_S = 300.0  # a job that keeps succeeding is written down this often


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], Awaitable[Any]]
    every_s: float = 0.0  # 0: every round
    # Not in the first round: for a job the instance already ran as it started (the data
    # check reads every table, which a round must not do each time it starts).
    ran_at_start: bool = False


@dataclass(frozen=True)
class JobState:
    name: str
    last_ok: float | None = None
    last_failure: float | None = None
    failures: int = 0  # in a row, since the last success
    error: str = ""  # the kind of the last failure (an exception's class), never its text

    @classmethod
    def from_record(cls, record: Record) -> JobState:
        data = record.data
        return cls(record.key, data.get("last_ok"), data.get("last_failure"),
                   int(data.get("failures", 0)), str(data.get("error", "")))  # fmt: skip


class JobRunner:
    TABLES: ClassVar[dict[str, str]] = {JOBS: ""}
    SHAPES: ClassVar[dict[str, Shape]] = {JOBS: shape_of(JobState.from_record)}

    def __init__(self, store: Store, clock: Clock, jobs: Sequence[Job]) -> None:
        self._store = store
        self._clock = clock
        self._jobs = tuple(jobs)
        self._ran_at: dict[str, float] = {}
        self._states: dict[str, JobState] = {}
        self._written_at: dict[str, float] = {}

    async def run_due(self) -> dict[str, bool]:
        """Run every job whose time has come, each on its own; which ran and how it went."""
        ran: dict[str, bool] = {}
        for job in self._jobs:
            now = self._clock.time()
            last = self._ran_at.get(job.name)
            if last is None and job.ran_at_start:
                self._ran_at[job.name] = now
                continue
            if job.every_s and last is not None and 0 <= now - last < job.every_s:
                continue
            self._ran_at[job.name] = now
            try:
                await job.run()
            except Exception as error:
                log.exception("background job failed", extra={"job": job.name})
                ran[job.name] = False
                await self._record(job.name, error=type(error).__name__)
            else:
                ran[job.name] = True
                await self._record(job.name)
        return ran

    async def _record(self, name: str, error: str = "") -> None:
        now = self._clock.time()
        telemetry.count("jobs", job=name, outcome="failed" if error else "ok")
        before = self._states.get(name) or await self._stored(name)
        if error:
            state = JobState(name, before.last_ok, now, before.failures + 1, error)
        else:
            state = JobState(name, now, before.last_failure, 0, "")
        self._states[name] = state
        unchanged = not error and before.failures == 0 and before.last_ok is not None
        if unchanged and 0 <= now - self._written_at.get(name, float("-inf")) < _REWRITE_OK_S:
            return
        data = {"last_ok": state.last_ok, "last_failure": state.last_failure,
                "failures": state.failures, "error": state.error}  # fmt: skip
        try:
            await self._store.upsert(JOBS, Record("job", name, data))
            self._written_at[name] = now
        except Exception:  # the store itself may be what fails: the log has it
            log.warning("job state not stored", extra={"job": name})

    async def _stored(self, name: str) -> JobState:
        record = await self._store.get(JOBS, "job", name)
        return JobState(name) if record is None else JobState.from_record(record)

    async def states(self) -> list[JobState]:
        """Every job as last recorded (by any instance)."""
        stored = {r.key: JobState.from_record(r) for r in await self._store.query(JOBS, "job")}
        return [stored.get(job.name, JobState(job.name)) for job in self._jobs]


async def job_states(store: Store) -> list[JobState]:
    """Every job's state as last recorded by any instance (for `status`)."""
    return [JobState.from_record(r) for r in await store.query(JOBS, "job")]
