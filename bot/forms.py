"""Checking a form (or an imported row) as a whole: every problem at once, field by field, so
the form comes back with each one marked and nothing stored half."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Problems:
    """field -> text key of what is wrong with it."""

    fields: dict[str, str] = field(default_factory=dict)

    def need(self, condition: bool, name: str, key: str) -> None:
        if not condition and name not in self.fields:
            self.fields[name] = key

    def __bool__(self) -> bool:
        return bool(self.fields)


class FormProblems(Exception):
    """A form with problems: shown again with them marked."""

    def __init__(self, problems: Problems) -> None:
        super().__init__(", ".join(problems.fields))
        self.problems = problems
