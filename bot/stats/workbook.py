"""The steering group's workbook: a view of the statistics tree. A summary sheet with every
indicator beside the study's baseline and what each counts, a sheet per indicator with one
row per municipality, the trend per month and the survey; native Excel charts (openpyxl)."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from bot.i18n import Texts
from bot.stats.model import Municipality, Share, Statistics

_PERCENT = "0%"
_BOLD = Font(bold=True)


def _ratio(share: Share) -> float | None:
    return None if share.ratio is None else round(share.ratio, 3)


def _sheet(workbook: Workbook, title: str, header: Sequence[str]) -> Worksheet:
    sheet: Worksheet = workbook.create_sheet(title[:31])  # Excel's limit for a sheet name
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = _BOLD
    sheet.column_dimensions["A"].width = 22
    return sheet


def _bar(sheet: Worksheet, title: str, column: int, rows: int, anchor: str) -> None:
    """A horizontal bar chart of one column, one bar per row (municipality)."""
    if rows == 0:
        return
    chart = BarChart()
    chart.type, chart.title, chart.legend = "bar", title, None
    chart.add_data(Reference(sheet, min_col=column, min_row=1, max_row=rows + 1),
                   titles_from_data=True)  # fmt: skip
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=rows + 1))
    chart.height = max(7.5, 0.5 * rows)
    sheet.add_chart(chart, anchor)


def _per_municipality(
    workbook: Workbook,
    title: str,
    header: Sequence[str],
    rows: Sequence[Municipality],
    values: Callable[[Municipality], Sequence[object]],
    chart: tuple[str, int] | None = None,
) -> None:
    sheet = _sheet(workbook, title, header)
    for row in rows:
        sheet.append([row.name, *values(row)])
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            if isinstance(cell.value, float):
                cell.number_format = _PERCENT
    if chart:
        _bar(sheet, chart[0], chart[1], len(rows), f"{chr(ord('A') + len(header) + 1)}2")


def report_xlsx(stats: Statistics, texts: Texts) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = texts("report.sheet.summary")[:31]
    base = stats.baseline
    summary.append([texts("report.title"), stats.period.label])
    summary.append([texts("report.column.indicator"), texts("report.column.now"),
                    texts("report.column.baseline"), texts("report.column.means")])  # fmt: skip
    for cell in summary[2]:
        cell.font = _BOLD
    f, p, q = stats.followups, stats.procurements, stats.questions
    indicators: list[tuple[str, object, object]] = [
        ("followups_on_time", _ratio(f.in_time), None),
        ("consistent", f"{f.consistent.part} / {f.consistent.whole}",
         f"{base.consistent} / {base.units}"),
        ("never", f"{f.never.part} / {f.never.whole}", f"{base.never} / {base.units}"),
        ("early", _ratio(p.early), round(base.competence / base.units, 3)),
        ("shared_analyses", stats.shared_analyses, None),
        ("shared_followups", stats.shared_followups, None),
        ("questions_in_time", _ratio(q.in_time), None),
        ("active_users", stats.active_users, None),
        ("meeting_place", stats.survey.rating_mean, base.meeting_place_wanted),
    ]  # fmt: skip
    for name, now, then in indicators:
        summary.append([texts(f"stats.name.{name}"), now, then, texts(f"stats.means.{name}")])
    for line in summary.iter_rows(min_row=3, max_col=3):
        for cell in line[1:]:
            if isinstance(cell.value, float) and cell.value <= 1:
                cell.number_format = _PERCENT
    summary.column_dimensions["A"].width = 40
    summary.column_dimensions["D"].width = 90
    rows = stats.municipalities
    _per_municipality(
        workbook, texts("stats.name.followups_on_time"),
        [texts("report.column.municipality"), texts("report.column.due"),
         texts("report.column.on_time"), texts("report.column.late"),
         texts("report.column.overdue"), texts("report.column.share"),
         texts("report.column.consistent")],
        rows,
        lambda m: (m.followups_due, m.followups_on_time, m.followups_late, m.followups_overdue,
                   _ratio(m.on_time), texts("report.yes") if m.consistent else ""),
        (texts("stats.name.followups_on_time"), 6),
    )  # fmt: skip
    _per_municipality(
        workbook, texts("stats.name.early"),
        [texts("report.column.municipality"), texts("report.column.plans"),
         texts("report.column.early"), texts("report.column.share")],
        rows, lambda m: (m.plans, m.plans_early, _ratio(m.early)),
        (texts("stats.name.early"), 4),
    )  # fmt: skip
    _per_municipality(
        workbook, texts("report.sheet.shared"),
        [texts("report.column.municipality"), texts("stats.name.shared_analyses"),
         texts("stats.name.shared_followups")],
        rows, lambda m: (m.shared_analyses, m.shared_followups),
        (texts("stats.name.shared_analyses"), 2),
    )  # fmt: skip
    _per_municipality(
        workbook, texts("stats.name.questions_in_time"),
        [texts("report.column.municipality"), texts("report.column.questions"),
         texts("report.column.answered"), texts("report.column.in_time"),
         texts("report.column.share")],
        rows, lambda m: (m.questions, m.answered, m.answered_in_time, _ratio(m.in_time)),
    )  # fmt: skip
    _trend(workbook, stats, texts)
    _survey(workbook, stats, texts)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _trend(workbook: Workbook, stats: Statistics, texts: Texts) -> None:
    sheet = _sheet(workbook, texts("report.sheet.trend"),
                   [texts("report.column.month"), texts("report.column.questions"),
                    texts("report.column.followups_done"), texts("report.column.shared"),
                    texts("stats.name.active_users")])  # fmt: skip
    for month in stats.months:
        sheet.append([month.month, month.questions, month.followups_done, month.shared,
                      month.active_users])  # fmt: skip
    if not stats.months:
        return
    chart = LineChart()
    chart.title = texts("report.sheet.trend")
    chart.add_data(Reference(sheet, min_col=2, max_col=5, min_row=1,
                             max_row=len(stats.months) + 1), titles_from_data=True)  # fmt: skip
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(stats.months) + 1))
    sheet.add_chart(chart, "G2")


def _survey(workbook: Workbook, stats: Statistics, texts: Texts) -> None:
    survey = stats.survey
    sheet = _sheet(workbook, texts("report.sheet.survey"),
                   [texts("report.column.rating"), texts("report.column.answers")])  # fmt: skip
    for grade, count in enumerate(survey.ratings, start=1):
        sheet.append([grade, count])
    sheet.append([])
    sheet.append([texts("survey.question.competence"), _ratio(survey.earlier_competence)])
    sheet.append([texts("survey.question.followed_up"), _ratio(survey.followed_up)])
    sheet.append([texts("report.column.answers"), survey.answers])
    for cell in (sheet["B8"], sheet["B9"]):
        cell.number_format = _PERCENT
    sheet.column_dimensions["A"].width = 60
    chart = BarChart()
    chart.title, chart.legend = texts("survey.question.rating"), None
    chart.add_data(Reference(sheet, min_col=2, min_row=1, max_row=6), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=6))
    sheet.add_chart(chart, "D2")
