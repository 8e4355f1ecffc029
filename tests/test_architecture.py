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


# Reading the wall clock: calls like time.time() or date.today(), and importing such a function.
_WALL_CLOCK_CALLS = {
    ("time", "time"), ("time", "time_ns"), ("time", "gmtime"), ("time", "localtime"),
    ("time", "strftime"), ("time", "ctime"), ("time", "asctime"),
    ("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"), ("date", "today"),
}  # fmt: skip
_WALL_CLOCK_IMPORTS = {"time", "time_ns", "gmtime", "localtime", "strftime", "ctime"}


def _wall_clock_reads(path: Path) -> list[str]:
    tree = ast.parse(path.read_text("utf-8"))
    where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            if (name, node.func.attr) in _WALL_CLOCK_CALLS:
                # time.gmtime(epoch) and time.strftime(fmt, tuple) convert, they do not read.
                converts = (
                    node.func.attr in ("gmtime", "localtime", "ctime") and bool(node.args)
                ) or (node.func.attr == "strftime" and len(node.args) > 1)
                if not converts:
                    found.append(f"{where}:{node.lineno} {name}.{node.func.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "time":
            found += [f"{where}:{node.lineno} from time import {a.name}"
                      for a in node.names if a.name in _WALL_CLOCK_IMPORTS]  # fmt: skip
    return found


def test_nothing_but_the_clock_reads_the_wall_clock() -> None:
    """Time is an input: services, cards and checks ask the one clock (bot/clock.py), so a
    test can pin the instant and every part of the node agrees on what "now" is."""
    offences = []
    for folder in ("bot", "cards"):
        for path in (ROOT / folder).rglob("*.py"):
            if path != ROOT / "bot" / "clock.py":
                offences += _wall_clock_reads(path)
    assert offences == []


def test_the_wall_clock_check_finds_a_read(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import time\nfrom datetime import date\nx = time.time()\ny = date.today()\n"
        "z = time.strftime('%Y', time.gmtime(0))\n", "utf-8"
    )  # fmt: skip
    found = _wall_clock_reads(sample)
    assert [line.split(" ")[1] for line in found] == ["time.time", "date.today"]


# A one-time migration: channel settings once lived in the network table.
OWNER_EXCEPTIONS = {("bot.channels", "network")}
_STORE_CALLS = frozenset({"query", "get", "insert", "upsert", "replace", "delete"})


def _table_reads_and_writes(root: Path) -> list[tuple[str, int, str]]:
    """(module, line, table) for every store call in bot/ whose table is named by a constant
    (a string, or a module-level name holding one)."""
    import importlib

    found = []
    for path in sorted(root.rglob("*.py")):
        name = ".".join(path.relative_to(root.parent).with_suffix("").parts)
        name = name.removesuffix(".__init__")
        module = importlib.import_module(name)
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in _STORE_CALLS and node.args):  # fmt: skip
                continue
            receiver = node.func.value
            named = receiver.attr if isinstance(receiver, ast.Attribute) else (
                receiver.id if isinstance(receiver, ast.Name) else "")  # fmt: skip
            on_store = named in ("_store", "store")
            first = node.args[0]
            table = (first.value if isinstance(first, ast.Constant)
                     else getattr(module, first.id, None) if isinstance(first, ast.Name)
                     else None)  # fmt: skip
            if on_store and isinstance(table, str):
                found.append((name, node.lineno, table))
    return found


def test_each_table_is_read_and_written_by_its_owner_alone() -> None:
    """A table's records are read and written in the module that declares it (its owner);
    everyone else asks the owner. (Generic tools that take a table as a value, such as the
    backup and the data check, are not calls with a named table.)"""
    from bot.app import TABLE_OWNERS
    from bot.teams import TABLE_OWNERS as EDGE_OWNERS

    owner_of = {table: owner.__module__ for owner in (*TABLE_OWNERS, *EDGE_OWNERS)
                for table in owner.TABLES}  # fmt: skip
    strays = [f"{module}:{line} uses {table} (owned by {owner_of[table]})"
              for module, line, table in _table_reads_and_writes(ROOT / "bot")
              if table in owner_of and owner_of[table] != module
              and (module, table) not in OWNER_EXCEPTIONS]  # fmt: skip
    assert strays == []
