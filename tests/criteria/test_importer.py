"""Importing the library's own download format (CSV or XLSX), with its Swedish headers."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.clock import Clock
from bot.criteria import CriteriaLibrary, FileFormatError, read_file
from bot.storage import Store

HEADER = [
    "Krav ID", "Kriterienamn", "Område", "Produktgrupp", "Nivå", "Kriterietyp",
    "Kravtext", "Verifikat", "Uppföljning", "Länk",
]  # fmt: skip
GOOD = [
    "20001", "Snålspolande duschar", "Övrigt", "VVS", "Basnivå", "Teknisk specifikation",
    "Duschar ska ha ett flöde under 9 liter per minut.", "Produktblad", "Stickprov",
    "https://www.upphandlingsmyndigheten.se/kriterier/",
]  # fmt: skip


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ";") -> Path:
    lines = [delimiter.join(f'"{cell}"' for cell in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_xlsx(path: Path, rows: list[list[str]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def with_values(**changes: str) -> list[str]:
    row = list(GOOD)
    for header, value in changes.items():
        row[HEADER.index(header.replace("_", " "))] = value
    return row


@pytest.mark.parametrize("delimiter", [";", ","])
def test_csv_with_the_librarys_headers_is_read(tmp_path: Path, delimiter: str) -> None:
    parsed = read_file(write_csv(tmp_path / "k.csv", [HEADER, GOOD], delimiter))
    assert parsed.errors == []
    (criterion,) = parsed.criteria
    assert (criterion.krav_id, criterion.area, criterion.level.value) == ("20001", "ovrigt", "bas")
    assert criterion.type.value == "teknisk_specifikation"


def test_xlsx_is_read(tmp_path: Path) -> None:
    parsed = read_file(write_xlsx(tmp_path / "k.xlsx", [HEADER, GOOD]))
    assert [c.name for c in parsed.criteria] == ["Snålspolande duschar"]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (with_values(Krav_ID="abc"), "Krav ID"),
        (with_values(Nivå="Mellannivå"), "Nivå"),
        (with_values(Område="Rymdfart"), "Område"),
        (with_values(Kriterietyp="Önskemål"), "Kriterietyp"),
        (with_values(Kravtext=""), "kravtext"),
        (with_values(Länk="http://example.com/x"), "https"),
    ],
)
def test_bad_rows_are_reported_with_row_number_and_reason(
    tmp_path: Path, row: list[str], reason: str
) -> None:
    parsed = read_file(write_csv(tmp_path / "k.csv", [HEADER, GOOD, row]))
    assert len(parsed.criteria) == 1
    (error,) = parsed.errors
    assert error.row == 3
    assert reason.lower() in error.reason.lower()


def test_a_file_without_required_columns_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match="Kravtext"):
        read_file(write_csv(tmp_path / "k.csv", [HEADER[:6], GOOD[:6]]))


def test_an_unsupported_file_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "k.pdf"
    path.write_bytes(b"%PDF")
    with pytest.raises(FileFormatError):
        read_file(path)


async def test_a_file_with_errors_imports_nothing_unless_told_to_skip(
    store: Store, tmp_path: Path, clock: Clock
) -> None:
    library = CriteriaLibrary(store, clock)
    await library.load()
    path = write_csv(tmp_path / "k.csv", [HEADER, GOOD, with_values(Nivå="?")])
    refused = await library.import_file(path)
    assert not refused.imported
    assert refused.errors == ["rad 3: unknown Nivå '?'"]
    assert library.is_sample  # nothing stored: still the sample library
    skipped = await library.import_file(path, skip_bad_rows=True)
    assert (skipped.added, skipped.rejected) == (1, 1)
    assert not library.is_sample
    assert [c.krav_id for c in library.levels_of("20001")] == ["20001"]


async def test_a_newer_version_replaces_the_old_which_stays_in_history(
    store: Store, tmp_path: Path, clock: Clock
) -> None:
    library = CriteriaLibrary(store, clock)
    await library.import_file(write_csv(tmp_path / "v1.csv", [HEADER, GOOD]))
    newer = with_values(Krav_ID="20001:2", Kravtext="Duschar ska ha ett flöde under 8 liter.")
    report = await library.import_file(write_csv(tmp_path / "v2.csv", [HEADER, newer]))
    assert report.updated == 1
    (current,) = library.levels_of("20001")
    assert current.krav_id == "20001:2"
    assert "8 liter" in current.kravtext
    (old,) = await library.history("20001")
    assert old.krav_id == "20001"
    older_again = await library.import_file(write_csv(tmp_path / "v1b.csv", [HEADER, GOOD]))
    assert older_again.older_skipped == 1
    assert library.levels_of("20001")[0].krav_id == "20001:2"


async def test_an_import_reaches_another_instances_index_without_restart(
    store: Store, tmp_path: Path, clock: Clock
) -> None:
    other = CriteriaLibrary(store, clock)
    await other.load()
    assert (
        not other.search("snålspolande duschar", 1)
        or other.describe(other.search("snålspolande duschar", 1)[0])["id"] != "20001"
    )
    importer = CriteriaLibrary(store, clock)
    await importer.import_file(write_csv(tmp_path / "k.csv", [HEADER, GOOD]))
    clock.advance(60)  # the other instance's next look at the revision
    await other.refresh_if_changed()
    assert other.describe(other.search("snålspolande duschar", 1)[0])["id"] == "20001"
