"""An import is a change set: what it adds, what it changes (and in which texts), and, for
a file that is the whole library, what it withdraws. A withdrawn criterion is kept, labelled
and ranked after current ones; a dry run writes nothing."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from bot.clock import Clock
from bot.criteria import CriteriaLibrary, ParsedFile
from bot.criteria.importer import export_rows, parse_rows
from bot.criteria.library import sample_criteria
from bot.storage import Store
from tests.criteria.test_cli import run
from tests.criteria.test_importer import GOOD, HEADER, with_values, write_csv

SECOND = with_values(**{
    "Krav ID": "20002", "Kriterienamn": "Snålspolande kranar",
    "Kravtext": "Kranar ska ha ett flöde under 6 liter per minut.",
})  # fmt: skip
NEWER = with_values(**{
    "Krav ID": "20001:2", "Kravtext": "Duschar ska ha ett flöde under 8 liter per minut.",
})  # fmt: skip


def test_a_full_import_reports_added_changed_and_withdrawn_and_keeps_the_withdrawn(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    first = run(["criteria", "import", str(write_csv(tmp_path / "a.csv", [HEADER, GOOD, SECOND])),
                 "--json"], data)  # fmt: skip
    assert json.loads(first.stdout)["added"] == ["20001/bas", "20002/bas"]
    whole = write_csv(tmp_path / "b.csv", [HEADER, NEWER])
    dry = json.loads(run(["criteria", "import", str(whole), "--full", "--dry-run", "--json"],
                         data).stdout)  # fmt: skip
    assert dry == {"added": [], "changed": [{"key": "20001/bas", "fields": ["kravtext"],
                                             "from": 1, "to": 2}],
                   "withdrawn": ["20002/bas"], "unchanged": 0, "rejected": 0,
                   "dry_run": True}  # fmt: skip
    # The dry run wrote nothing: the same import reports the same changes.
    applied = json.loads(run(["criteria", "import", str(whole), "--full", "--json"], data).stdout)
    assert applied["withdrawn"] == ["20002/bas"]
    hits = json.loads(run(["search", "snålspolande flöde liter", "--json"], data).stdout)
    ids = [(h["id"], h["withdrawn"]) for h in hits if h["kind"] == "criterion"][:2]
    assert ids[0] == ("20001:2", None)  # current first
    assert ids[1][0] == "20002"
    assert ids[1][1]  # still found, with the day it left the library
    again = json.loads(run(["criteria", "import", str(whole), "--full", "--json"], data).stdout)
    assert again["withdrawn"] == []  # withdrawn once
    assert again["unchanged"] == 1


def test_a_file_with_a_bad_row_changes_nothing_and_names_the_row(tmp_path: Path) -> None:
    data = tmp_path / "data"
    run(["criteria", "import", str(write_csv(tmp_path / "a.csv", [HEADER, GOOD]))], data)
    bad = with_values(**{"Krav ID": "20003", "Nivå": "Okänd"})
    result = run(["criteria", "import", str(write_csv(tmp_path / "b.csv", [HEADER, NEWER, bad])),
                  "--full"], data)  # fmt: skip
    assert result.returncode == 1
    assert "rad 3" in result.stderr
    hits = json.loads(run(["search", "snålspolande duschar", "--json"], data).stdout)
    assert hits[0]["id"] == "20001"  # not the newer version: nothing was imported


async def test_an_export_imported_again_changes_nothing_and_keeps_regional_criteria(
    store: Store, clock: Clock
) -> None:
    library = CriteriaLibrary(store, clock)
    await library.load()
    sample = sample_criteria()
    regional = replace(sample[0], krav_id="LOK-1100", source="regional:Lund", has_english=True)
    await library.import_parsed(ParsedFile([*sample, regional], []))
    again = await library.import_parsed(parse_rows(export_rows(library.all_levels())), full=True)
    assert again.changes == []
    assert again.unchanged == len(sample) + 1
    assert library.levels_of("LOK-1100")[0].source == "regional:Lund"
