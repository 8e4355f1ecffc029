"""The region's evaluation: the statistics card and the steering group's workbook for admins
and the coordinator; the pulse survey (opened by an admin, answered by anyone asked, declined
with `inga enkäter`)."""

from __future__ import annotations

from bot.clock import Clock
from bot.commands import Command, Group, Spec, T, Who
from bot.forms import Context
from bot.links import DOWNLOAD_S, LinkSigner
from bot.stats import Period, StatisticsService
from bot.survey import SURVEY, PulseSurvey
from bot.teams._routes import Handler, Mode, action, command
from bot.teams._turn import Card, Turn
from cards import message_card, report_card, statistics_card, survey_card
from cards.actions import AnswerSurvey
from cards.stats import DownloadReport


class EvaluationHandler(Handler):
    def __init__(
        self,
        statistics: StatisticsService,
        survey: PulseSurvey,
        links: LinkSigner,
        public_url: str,
        clock: Clock,
    ) -> None:
        self._statistics = statistics
        self._survey = survey
        self._links = links
        self._public_url = public_url
        self._clock = clock

    @command(Spec("statistics", ("statistik",), ("statistics",), Group.ADMIN, Who.COORDINATOR,
                  argument=T))  # fmt: skip
    async def statistics(self, command: Command, turn: Turn) -> list[Card]:
        """`statistik`: from the beginning to today, with the trend; `statistik 2026Q3`: one
        quarter."""
        today = self._statistics.today
        period = Period.parse_quarter(command.argument, today) if command.argument else Period()
        stats = await self._statistics.compute(period)
        quarter = period.label if command.argument else Period.quarter_of(today).label
        return [statistics_card(stats, turn.texts, report_quarter=quarter)]

    @command(Spec("report", ("rapport",), ("report",), Group.ADMIN, Who.COORDINATOR,
                  argument=T))  # fmt: skip
    async def report(self, command: Command, turn: Turn) -> list[Card]:
        """`rapport [kvartal]`: this quarter, or the one named ("2026Q3")."""
        period = Period.parse_quarter(command.argument, self._statistics.today)
        return [self._report(period, turn)]

    @action(DownloadReport, who=Who.COORDINATOR)
    async def download(self, action: DownloadReport, turn: Turn) -> list[Card]:
        return [self._report(Period.parse_quarter(action.quarter, self._statistics.today), turn)]

    def _report(self, period: Period, turn: Turn) -> Card:
        assert period.start is not None
        assert period.end is not None
        token = self._links.sign({"kind": "report", "start": period.start.isoformat(),
                                  "end": period.end.isoformat(),
                                  "language": turn.texts.language}, DOWNLOAD_S)  # fmt: skip
        return report_card(turn.texts, period.label, f"{self._public_url}/files/{token}")

    # --- the pulse survey -------------------------------------------------------------------

    @command(Spec("open_survey", ("utvärdering",), ("survey",), Group.ADMIN, Who.ADMIN))
    async def open_survey(self, command: Command, turn: Turn) -> list[Card]:
        """This quarter's pulse survey to everyone who used the node in it (once a quarter)."""
        opened = await self._survey.open(turn.aad_id or turn.user_id)
        return [message_card(turn.texts("survey.opened", period=opened.round,
                                        count=opened.recipients))]  # fmt: skip

    @command(Spec("no_surveys", ("inga enkäter",), ("no surveys",), Group.DATA))
    async def no_surveys(self, command: Command, turn: Turn) -> list[Card]:
        await self._survey.decline(turn.user_id)
        return [message_card(turn.texts("survey.declined"))]

    @action(AnswerSurvey, mode=Mode.IN_PLACE)
    async def answer(self, action: AnswerSurvey, turn: Turn) -> list[Card]:
        today = self._clock.today()
        values = SURVEY.clean(action.values)
        problems = SURVEY.check(values, Context(today))
        if problems:  # the card again, in place, with the answers given and what is missing
            return [survey_card(turn.texts, action.round, today, values, problems.fields)]
        again = await self._survey.answer(action.round, turn.user_id, values)
        return [message_card(turn.texts("survey.thanks_again" if again else "survey.thanks"))]
