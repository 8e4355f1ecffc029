"""Follow-up plans (uppföljningsplaner) from chosen criteria: per criterion what to check,
which proof, when, who and how, with columns for weight, result and action; as a card and as
an XLSX workbook."""

from __future__ import annotations

import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from bot.criteria import AREAS, Criterion

# When a requirement of each type is checked, and by whom (roles from the process guide).
_WHEN = {
    "kvalificeringskrav": "Vid anbudsprövning och vid avtalsstart",
    "teknisk_specifikation": "Vid avtalsstart, sedan årligen",
    "tilldelningskriterium": "Vid avtalsstart (utlovad nivå), sedan årligen",
    "sarskilt_kontraktsvillkor": "Årligen under avtalstiden, och vid förlängning",
}
_WHO = {
    "kvalificeringskrav": "Upphandlare",
    "teknisk_specifikation": "Avtalsansvarig med stöd av miljöstrateg",
    "tilldelningskriterium": "Avtalsansvarig",
    "sarskilt_kontraktsvillkor": "Avtalsansvarig med stöd av miljöstrateg",
}
HEADERS = (
    "Krav ID", "Kriterium", "Nivå", "Vad kontrolleras", "Verifikat", "När", "Vem", "Hur",
    "Vikt", "Resultat (grön/gul/röd)", "Åtgärd",
)  # fmt: skip


@dataclass(frozen=True)
class PlanRow:
    krav_id: str
    name: str
    level: str
    what: str
    proof: str
    when: str
    who: str
    how: str


def plan_rows(criteria: list[Criterion]) -> list[PlanRow]:
    return [
        PlanRow(
            krav_id=c.krav_id,
            name=c.name,
            level=c.level.value,
            what=c.kravtext,
            proof=c.verifikat,
            when=_WHEN[c.type.value],
            who=_WHO[c.type.value],
            how=c.uppfoljning,
        )
        for c in criteria
    ]


def plan_xlsx(criteria: list[Criterion], title: str) -> bytes:
    """The plan as a workbook: one row per criterion, result restricted to grön/gul/röd."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Uppföljningsplan"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    areas = sorted({AREAS[c.area] for c in criteria})
    sheet.append([f"Område: {', '.join(areas)}"])
    sheet.append([])
    sheet.append(list(HEADERS))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="2E7D32")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in plan_rows(criteria):
        sheet.append([row.krav_id, row.name, row.level, row.what, row.proof, row.when,
                      row.who, row.how, "", "", ""])  # fmt: skip
    results = DataValidation(type="list", formula1='"grön,gul,röd"', allow_blank=True)
    results.error = "Välj grön, gul eller röd."
    sheet.add_data_validation(results)
    if sheet.max_row > header_row:
        results.add(f"J{header_row + 1}:J{sheet.max_row}")
    widths = (10, 28, 12, 50, 40, 26, 26, 40, 8, 16, 30)
    for column, width in zip("ABCDEFGHIJK", widths, strict=True):
        sheet.column_dimensions[column].width = width
    for cells in sheet.iter_rows(min_row=header_row + 1):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = f"A{header_row + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
