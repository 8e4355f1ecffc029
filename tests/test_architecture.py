"""The shape the code keeps: a package's private modules (`_name`) are imported only from
inside that package. (The layers are checked by import-linter in `make lint`.)"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return found


def test_private_modules_are_imported_only_inside_their_package() -> None:
    offences = []
    # Tests may reach into a package's internals to test them; the code itself may not.
    for folder in ("bot", "cards", "bench", "scripts"):
        for path in (ROOT / folder).rglob("*.py"):
            importer = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            for module in _imports(path):
                parts = module.split(".")
                private = next((i for i, p in enumerate(parts) if p.startswith("_")), None)
                if private is None or parts[0] not in ("bot", "cards"):
                    continue
                package = ".".join(parts[:private])
                if not importer.startswith(package + "."):
                    offences.append(f"{importer} imports {module}")
    assert offences == []
