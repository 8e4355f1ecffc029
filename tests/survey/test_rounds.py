"""A survey round as time passes: answers are taken while it is open, refused with a clear
message once it has closed; a person's answers go with their data."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import Clock
from bot.i18n import UserError
from bot.outbox import Outbox
from bot.personal import PersonRef
from bot.stats import ActivityLog, Period
from bot.storage import Store
from bot.survey import PulseSurvey
from bot.survey.service import OPEN_DAYS
from cards import SurveyCards
from tests.agreements.conftest import People
from tests.routing.conftest import RecordingMessenger

ANSWER = {"rating": "4", "competence": "ja", "followed_up": "nej"}


async def _survey(store: Store, clock: Clock) -> PulseSurvey:
    async def reachable() -> list[tuple[str, str]]:
        return [("29:anna", "aad-anna")]

    await ActivityLog(store, clock).seen("aad-anna")
    return PulseSurvey(store, clock, Outbox(store, clock), RecordingMessenger(), People(),
                       SurveyCards(clock.today), reachable)  # fmt: skip


@pytest.mark.calendar
async def test_an_answer_after_the_round_closed_is_refused_and_counts_nothing(
    store: Store, clock: Clock
) -> None:
    survey = await _survey(store, clock)
    opened = await survey.open("aad-admin")
    assert opened.recipients == 1
    clock.advance(timedelta(days=OPEN_DAYS + 1))
    with pytest.raises(UserError) as closed:
        await survey.answer(opened.round, "29:anna", ANSWER)
    assert closed.value.key == "survey.closed"
    assert (await survey.figures(Period())).answers == 0


async def test_a_dry_run_counts_the_recipients_and_opens_nothing(
    store: Store, clock: Clock
) -> None:
    survey = await _survey(store, clock)
    assert (await survey.open("aad-admin", dry_run=True)).recipients == 1
    assert (await survey.open("aad-admin")).recipients == 1  # the dry run left no round


async def test_erasure_takes_the_answers(store: Store, clock: Clock) -> None:
    survey = await _survey(store, clock)
    opened = await survey.open("aad-admin")
    await survey.answer(opened.round, "29:anna", ANSWER)
    anna = PersonRef("29:anna", "aad-anna")
    assert len((await survey.export_person(anna))["survey_answers"]) == 1
    assert await survey.erase_person(anna) == 2  # the answer, and that it was sent to her
    assert (await survey.figures(Period())).answers == 0
