"""The command line as an operator uses it: import an agreement register (the example file in
deployment/), list what is due as JSON, and the statistics' follow-up figures."""

from __future__ import annotations

import json
from pathlib import Path

from tests.criteria.test_cli import run
from tests.support.processes import ROOT

EXAMPLE = ROOT / "deployment" / "agreements.example.csv"


def test_the_example_register_imports_and_its_due_follow_ups_list_as_json(tmp_path: Path) -> None:
    imported = run(["agreements", "import", str(EXAMPLE)], tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "3 new" in imported.stdout
    again = run(["agreements", "import", str(EXAMPLE)], tmp_path)
    assert "0 new, 3 updated" in again.stdout
    due = run(["followups", "due", "--at", "2030-01-01", "--json"], tmp_path)
    assert due.returncode == 0, due.stderr
    items = json.loads(due.stdout)
    lund = [i for i in items if i["municipality"] == "Lund" and i["criterion"] == "11567"]
    assert lund == [{
        "municipality": "Lund", "agreement": "Lokalvård skolor 2026",
        "supplier": "Städbolaget Exempel AB", "org_number": "556036-0793",
        "criterion": "11567", "due": lund[0]["due"], "responsible": "anna.andersson@lund.se",
        "overdue": lund[0]["overdue"], "joint_with": ["Malmö"],
        # The version the agreement signed, and the library's now (the same here).
        "criterion_version": 1, "library_version": 1, "library_withdrawn": None,
    }]  # fmt: skip
    for item in items:
        assert set(item) >= {"municipality", "agreement", "supplier", "criterion", "due",
                             "responsible", "overdue", "joint_with"}  # fmt: skip
    only_malmo = json.loads(run(["followups", "due", "--municipality", "Malmö", "--json"],
                                tmp_path).stdout)  # fmt: skip
    assert {i["municipality"] for i in only_malmo} <= {"Malmö"}
    table = run(["followups", "due", "--at", "2030-01-01"], tmp_path)
    assert "Lokalvård skolor 2026" in table.stdout
    stats = run(["stats"], tmp_path)
    assert "Follow-ups:" in stats.stdout
    assert "Agreements with criteria: Lund 2, Malmö 1" in stats.stdout


def test_a_register_with_a_bad_row_imports_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "avtal.csv"
    text = EXAMPLE.read_text("utf-8").replace("556677-8899", "556677-8898")
    bad.write_text(text, "utf-8")
    result = run(["agreements", "import", str(bad)], tmp_path)
    assert result.returncode == 1
    assert "row 4: invalid: Organisationsnummer" in result.stderr
    assert "Nothing imported" in result.stderr
    due = run(["followups", "due", "--json"], tmp_path)
    assert json.loads(due.stdout) == []
