"""An admin's import of the criteria library from a file sent in the 1:1 chat: the change
set first (a dry run), then the import as the admin chooses it. The card and its action
live here together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Self

from bot.criteria.library import Change, ImportReport
from bot.i18n import Texts
from cards._render import Card, render
from cards.actions import CardAction, payload

MAX_LINES = 15
_TOKEN_CHARS = 4000


@dataclass(frozen=True)
class ApplyImport(CardAction):
    """Import the previewed file: `token` (signed, an hour) names it, its checksum and
    whether it is the whole library."""

    VERB: ClassVar[str] = "criteria.import"
    token: str

    @classmethod
    def read(cls, value: dict[str, Any]) -> Self:
        token = value.get("token")
        if not isinstance(token, str) or not 0 < len(token) <= _TOKEN_CHARS:
            raise ValueError("token")
        return cls(token)


def change_line(change: Change, texts: Texts) -> str:
    """One change of the library as every card says it (plain text): "Städkemikalier (11567,
    bas): ändrat (Kravtext, Verifikat)"."""
    fields = ", ".join(texts(f"criterion.{f}") for f in change.fields)
    how = f" ({fields})" if fields else ""
    return f"{change.name} ({change.key.replace('/', ', ')}): {texts(f'change.{change.kind}')}{how}"


def _lines(report: ImportReport, texts: Texts) -> list[str]:
    lines = [change_line(change, texts) for change in report.changes]
    if len(lines) > MAX_LINES:
        lines = [*lines[:MAX_LINES], texts("digest.more", count=len(lines) - MAX_LINES)]
    return lines


def import_preview_card(
    texts: Texts, name: str, report: ImportReport, tokens: dict[bool, str]
) -> Card:
    """What importing `name` would change; with a bad row, the rows and no button."""
    if not report.imported:
        return render("criterion", {
            "name": texts("import.refused", name=name), "facts": [],
            "sections": [{"title": "", "text": "\n".join(report.errors[:MAX_LINES])}],
        })  # fmt: skip
    withdrawn = report.withdrawn
    added, changed = report.added, report.updated
    actions = [{"title": texts("import.apply", added=added, changed=changed),
                "data": payload(ApplyImport(tokens[False]))}]  # fmt: skip
    if withdrawn:
        actions.append({"title": texts("import.apply_full", count=withdrawn),
                        "data": payload(ApplyImport(tokens[True]))})  # fmt: skip
    return render("criterion", {
        "name": texts("import.preview", name=name),
        "facts": [{"title": texts("change.added"), "value": str(added)},
                  {"title": texts("change.changed"), "value": str(changed)},
                  {"title": texts("import.withdrawn_if_full"), "value": str(withdrawn)},
                  {"title": texts("import.unchanged"), "value": str(report.unchanged)}],
        "sections": [{"title": "", "text": line} for line in _lines(report, texts)]
        or [{"title": "", "text": texts("import.nothing")}],
        "actions": actions if (added or changed or withdrawn) else [],
    })  # fmt: skip


def import_done_card(texts: Texts, report: ImportReport) -> Card:
    return render("criterion", {
        "name": texts("import.done", added=report.added, changed=report.updated,
                      withdrawn=report.withdrawn),
        "facts": [],
        "sections": [{"title": "", "text": line} for line in _lines(report, texts)],
    })  # fmt: skip
