"""`python -m bot report` and `stats --json` as the coordinator's operator runs them."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import load_workbook

from tests.agreements.test_cli import EXAMPLE
from tests.criteria.test_cli import run


def test_the_report_is_written_with_charts_and_a_wrong_period_is_refused(tmp_path: Path) -> None:
    assert run(["agreements", "import", str(EXAMPLE)], tmp_path).returncode == 0
    out = tmp_path / "rapport.xlsx"
    written = run(["report", "--from", "2026-07-01", "--to", "2026-09-30", "--out", str(out)],
                  tmp_path)  # fmt: skip
    assert written.returncode == 0, written.stderr
    assert "2026Q3" in written.stdout
    book = load_workbook(out)
    assert len(book.sheetnames) >= 6
    backwards = run(["report", "--from", "2026-10-01", "--to", "2026-01-01", "--out",
                     str(tmp_path / "x.xlsx")], tmp_path)  # fmt: skip
    assert backwards.returncode == 2
    assert "the first day must come before the last" in backwards.stderr
    too_long = run(["report", "--from", "2019-01-01", "--to", "2026-01-01", "--out",
                    str(tmp_path / "x.xlsx")], tmp_path)  # fmt: skip
    assert too_long.returncode == 2
    assert "at most 5 years" in too_long.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_stats_as_json_is_the_same_tree(tmp_path: Path) -> None:
    assert run(["agreements", "import", str(EXAMPLE)], tmp_path).returncode == 0
    data = json.loads(run(["stats", "--json"], tmp_path).stdout)
    assert set(data) >= {"period", "questions", "followups", "procurements", "municipalities",
                         "months", "survey", "baseline"}  # fmt: skip
    lund = next(m for m in data["municipalities"] if m["name"] == "Lund")
    assert lund["agreements_with_criteria"] == 2


def test_a_survey_dry_run_counts_recipients_and_opens_nothing(tmp_path: Path) -> None:
    dry = run(["survey", "send", "--dry-run", "--json"], tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["recipients"] == 0  # nobody has used this node yet
    assert json.loads(run(["survey", "send", "--json"], tmp_path).stdout)["dry_run"] is False
    again = run(["survey", "send"], tmp_path)
    assert again.returncode == 2
    assert "already been sent" in again.stderr
