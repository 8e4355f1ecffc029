"""Reading a register a municipality keeps in Excel: CSV (`;` or `,`, UTF-8 or the cp1252 of
Swedish Excel) or XLSX, one row per item, columns found by their (Swedish) headers in any
order, case and spacing ignored. Row numbers are as a spreadsheet shows them (header = 1)."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from bot.forms import Context, Form

T = TypeVar("T")
MAX_ROWS = 100_000
MAX_CELL = 8000


class FileFormatError(Exception):
    """The file as a whole cannot be read (not CSV/XLSX, no header, required columns missing)."""


@dataclass(frozen=True)
class RowError:
    row: int
    reason: str


def read_rows(path: Path) -> list[list[str]]:
    return rows_of(path.name, path.read_bytes())


def rows_of(name: str, raw: bytes) -> list[list[str]]:
    """The rows of a file's content (a file on disk, or one sent in Teams), by its name."""
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        return _xlsx_rows(io.BytesIO(raw))
    if suffix in (".csv", ".txt"):
        return csv_rows(raw)
    raise FileFormatError(f"unsupported file type {suffix or '(none)'}: use .csv or .xlsx")


def csv_rows(raw: bytes) -> list[list[str]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")  # Excel's "CSV" on Swedish Windows
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _xlsx_rows(path: io.BytesIO) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:
        raise FileFormatError(f"not a readable XLSX file: {type(error).__name__}") from error
    sheet = workbook.worksheets[0]
    rows = [[_cell(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):  # Excel keeps dates as datetimes: the date is meant
        return value.date().isoformat()
    return str(value)


def header_key(header: str) -> str:
    return " ".join(unicodedata.normalize("NFC", header).strip().lower().split())


def records(
    rows: Sequence[list[str]],
    columns: Mapping[str, tuple[str, ...]],
    required: Sequence[str],
) -> list[tuple[int, dict[str, str]]]:
    """The data rows as (row number, field -> stripped cell), blank rows skipped; our field
    names from `columns` (field -> the headers that may carry it, the first the official)."""
    if not rows:
        raise FileFormatError("the file is empty")
    if len(rows) > MAX_ROWS:
        raise FileFormatError(f"more than {MAX_ROWS} rows")
    headers = [header_key(h) for h in rows[0]]
    positions: dict[str, int] = {}
    for field_name, names in columns.items():
        for name in names:
            if name in headers:
                positions[field_name] = headers.index(name)
                break
    missing = [f for f in required if f not in positions]
    if missing:
        wanted = ", ".join(columns[f][0].title() for f in missing)
        raise FileFormatError(f"required columns missing: {wanted}")
    found = []
    for number, row in enumerate(rows[1:], start=2):
        if any(cell.strip() for cell in row):
            values = {f: (row[i].strip() if i < len(row) else "") for f, i in positions.items()}
            found.append((number, values))
    return found


@dataclass(frozen=True)
class ImportReport:
    added: int
    updated: int
    errors: list[RowError]


def parse_register(
    rows: Sequence[list[str]],
    form: Form,
    context: Context,
    build: Callable[[dict[str, str]], T],
    key: Callable[[T], str],
) -> tuple[list[T], list[RowError]]:
    """Every row of a register read by its form's columns, checked as the form checks it and
    built; a row naming the same item (`key`) as an earlier one is an error too."""
    columns = form.columns()
    built: list[T] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for number, raw in records(rows, columns, form.required):
        values = form.clean(raw)
        bad = [f for f in form.check(values, context).fields if f in columns]
        if bad:
            fields = ", ".join(columns[f][0].title() for f in bad)
            errors.append(RowError(number, f"invalid: {fields}"))
            continue
        item = build(values)
        if key(item) in seen:
            errors.append(RowError(number, f"the same as row {seen[key(item)]}"))
            continue
        seen[key(item)] = number
        built.append(item)
    return built, errors
