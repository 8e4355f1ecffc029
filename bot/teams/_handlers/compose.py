"""The message extension: search from the compose box of any chat, channel or meeting, and
link unfurling for Upphandlingsmyndigheten's criterion pages.

Teams sends `composeExtension/query` as the person types: each result carries its preview row
and the full card that picking it inserts. `.../selectItem` (a result's tap, `{"kind", "id"}`)
answers with the full card too, for clients whose results carry taps; ours carry none, since
the Agents Playground refuses results with a tap. `.../queryLink` comes when a link to a
criterion's page is pasted. Every one is answered with a result, empty when its parameters
are unusable: Teams shows "no results" rather than an error, and nothing here makes a 5xx.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import unquote, urlsplit

from bot.criteria import Criterion
from bot.teams._handlers._entries import Entries, Entry
from bot.teams._turn import Card, Turn
from cards import inserted_card, inserted_levels_card, preview

log = logging.getLogger(__name__)

SEARCH_COMMAND = "searchCriteria"  # the command's id in the manifest's composeExtensions
LINK_HOSTS = ("upphandlingsmyndigheten.se", "www.upphandlingsmyndigheten.se")
QUERY = "composeExtension/query"
SELECT = "composeExtension/selectItem"
LINK = "composeExtension/queryLink"
INVOKES = frozenset({QUERY, SELECT, LINK})
ADAPTIVE = "application/vnd.microsoft.card.adaptive"

_MAX_QUERY = 200  # characters of a search typed into the compose box
_MAX_RESULTS = 25  # Teams asks for 25 at a time
_MAX_SKIP = 100
_KINDS = frozenset({"criterion", "answer", "analysis", "followup"})
_DOCUMENT_ID = re.compile(r"^[A-Za-z0-9_\-:/]{1,80}$")
_PAGE_PART = re.compile(r"^[A-Za-z0-9_\-:]{1,40}$")


def result(attachments: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The body of a message extension's answer: these cards, or none."""
    return {"composeExtension": {"type": "result", "attachmentLayout": "list",
                                 "attachments": attachments or []}}  # fmt: skip


class ComposeHandler:
    """The compose box's search and link unfurling (invokes, not commands or card actions)."""

    def __init__(self, entries: Entries) -> None:
        self._entries = entries
        self._library = entries.library

    async def on_compose(self, turn: Turn, name: str, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            log.info("message extension invoke without a value", extra={"invoke": name})
            return result()
        if name == QUERY:
            return await self._compose_query(turn, value)
        if name == SELECT:
            return await self._compose_select(turn, value)
        return await self._compose_link(turn, value)

    async def _compose_query(self, turn: Turn, value: dict[str, Any]) -> dict[str, Any]:
        text, skip, count = _query_of(value)
        if not text:
            return result()
        found = []
        for hit in self._library.search(text, skip + count):
            if hit.document.kind not in _KINDS:
                continue
            entry = await self._entries.entry(hit.document.kind, hit.document.id)
            if entry is not None:
                found.append(entry)
        shown = found[skip : skip + count]
        followed = await self._entries.followed_up(shown, turn.texts)  # one read for every result
        return result([self._attachment(entry, turn, followed) for entry in shown])

    async def _compose_select(self, turn: Turn, value: dict[str, Any]) -> dict[str, Any]:
        kind, document_id = value.get("kind"), value.get("id")
        # Checked as strings first: an object is not hashable, so `in` a set would raise.
        if not (isinstance(kind, str) and isinstance(document_id, str)) or kind not in _KINDS:
            return result()
        if not _DOCUMENT_ID.match(document_id):
            return result()
        entry = await self._entries.entry(str(kind), document_id)
        if entry is None:
            return result()
        followed = await self._entries.followed_up([entry], turn.texts)
        return result([self._attachment(entry, turn, followed)])

    async def _compose_link(self, turn: Turn, value: dict[str, Any]) -> dict[str, Any]:
        url = value.get("url")
        levels = self._criterion_at(url) if isinstance(url, str) and len(url) <= 2000 else []
        if not levels:
            return result()
        if len(levels) == 1:
            followed = await self._entries.followed_up(levels, turn.texts)
            return result([self._attachment(levels[0], turn, followed)])
        card = inserted_levels_card(levels, turn.texts)
        return result([{"contentType": ADAPTIVE, "content": card,
                        "preview": preview(levels[0], turn.texts)}])  # fmt: skip

    def _criterion_at(self, url: str) -> list[Criterion]:
        """The criterion a link to Upphandlingsmyndigheten's site shows, by the page id or the
        Krav ID among its path's parts (".../stadkemikalier/11567/"); [] when none is known."""
        try:
            parts = urlsplit(url.strip())
        except ValueError:
            return []
        if parts.scheme not in ("http", "https") or parts.hostname not in LINK_HOSTS:
            return []
        segments = [unquote(s) for s in parts.path.split("/") if s][-8:]
        for segment in reversed(segments):
            if not _PAGE_PART.match(segment):
                continue
            by_page = self._library.by_page_id(segment)
            if by_page:
                return self._library.levels_of(by_page.krav_id)
            levels = self._library.levels_of(segment)
            if levels:
                return levels
        return []

    def _attachment(self, entry: Entry, turn: Turn, followed: dict[str, str]) -> dict[str, Any]:
        """A result: its row in the list and the full card that picking it inserts."""
        others = followed.get(entry.krav_id, "") if isinstance(entry, Criterion) else ""
        card: Card = inserted_card(entry, turn.texts, others)
        return {"contentType": ADAPTIVE, "content": card, "preview": preview(entry, turn.texts)}


def _query_of(value: dict[str, Any]) -> tuple[str, int, int]:
    """The text, skip and count of a query invoke; ("", 0, 0) when it is not ours or unusable."""
    if value.get("commandId") != SEARCH_COMMAND:
        return "", 0, 0
    parameters = value.get("parameters")
    text = ""
    if isinstance(parameters, list):
        for parameter in parameters[:5]:
            if isinstance(parameter, dict) and parameter.get("name") == "query":
                found = parameter.get("value")
                text = found.strip()[:_MAX_QUERY] if isinstance(found, str) else ""
    options = value.get("queryOptions", {})
    if not isinstance(options, dict):
        return "", 0, 0
    skip, count = options.get("skip", 0), options.get("count", 10)
    if not (_whole(skip, 0, _MAX_SKIP) and _whole(count, 1, _MAX_RESULTS)):
        return "", 0, 0
    return text, skip, count


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
