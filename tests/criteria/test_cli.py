"""The command line as an operator uses it: `python -m bot search` and `criteria import`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import INSTANT
from tests.criteria.test_importer import GOOD, HEADER, with_values, write_csv
from tests.support.processes import node_env


def run(args: list[str], data_dir: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` as an operator runs it, at the tests' pinned instant."""
    env = node_env(data_dir, INSTANT.isoformat())
    return subprocess.run(
        [sys.executable, "-m", "bot", "--log-level", "WARNING", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_search_prints_a_json_array_of_hits(tmp_path: Path) -> None:
    result = run(
        ["search", "Vilket bevis krävs för EU-ekologisk vara?", "--json", "--limit", "2"], tmp_path
    )
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)
    assert len(hits) == 2
    assert hits[0]["id"] == "11009"
    for key in ("id", "name", "area", "level", "type", "score", "kind"):
        assert key in hits[0]
    assert hits[0]["kind"] == "criterion"


def test_search_reads_one_question_per_line_from_stdin(tmp_path: Path) -> None:
    result = run(
        ["search", "--stdin", "--json", "--limit", "1"],
        tmp_path,
        "städkemikalier\nGMO-fria livsmedel\n",
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [hits[0]["id"] for hits in lines] == ["11567", "10887"]


def test_import_then_search_finds_the_imported_criterion(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "k.csv", [HEADER, GOOD])
    imported = run(["criteria", "import", str(path)], tmp_path / "data")
    assert imported.returncode == 0, imported.stderr
    assert "1 new" in imported.stdout
    found = run(["search", "snålspolande duschar", "--json", "--limit", "1"], tmp_path / "data")
    assert json.loads(found.stdout)[0]["id"] == "20001"


def test_import_of_a_file_with_bad_rows_imports_nothing_and_says_why(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "k.csv", [HEADER, GOOD, with_values(Nivå="Mellannivå")])
    result = run(["criteria", "import", str(path)], tmp_path / "data")
    assert result.returncode == 1
    assert "rad 3" in result.stderr
    assert "--skip-bad-rows" in result.stderr
    found = run(["search", "snålspolande duschar", "--json", "--limit", "1"], tmp_path / "data")
    assert all(hit["id"] != "20001" for hit in json.loads(found.stdout))


def test_import_of_a_missing_or_unreadable_file_fails_clearly(tmp_path: Path) -> None:
    assert run(["criteria", "import", str(tmp_path / "nope.csv")], tmp_path).returncode == 2
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    result = run(["criteria", "import", str(broken)], tmp_path)
    assert result.returncode == 1
    assert "XLSX" in result.stderr
