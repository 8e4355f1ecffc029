"""The one renderer: fills a JSON template in cards/templates with data.

It understands the subset of the Adaptive Cards Templating language the templates use, so they
also open in the official designer:
- "${path}" as a whole string takes the value with its type; inside a longer string it is
  interpolated as text. Paths are dotted names, `$root.` reaches the top-level data.
- "$data": "${path}" on an element repeats it for every item of a list, the item as context.
- "$when": "${path}" keeps an element only when the value is truthy; "${!path}" negates.
Data is never trusted as markdown: values interpolated into a `text` (and into a fact's title
or value) are escaped, so a user's "**" or "[x](y)" shows as typed. Only the node's own
strings, wrapped in `Markdown`, keep their formatting.

Each template is compiled once into a tree of small functions, so rendering does no parsing;
a rendered card is a `Card`, which callers treat as immutable.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

_WHOLE = re.compile(r"^\$\{(!?)([$\w.]+)\}$")
_PART = re.compile(r"\$\{([$\w.]+)\}")
# Inline markdown, and "<" so a user cannot write an <at> mention or a tag.
_MARKDOWN = re.compile(r"([\\`*_\[\]~<])")
# Markers that only mean something at the start of a line: headings, quotes, lists.
_LINE_MARKER = re.compile(r"^([ \t]*)(#|>|[-+](?=\s|$)|\d+(?=[.)](?:\s|$)))", re.MULTILINE)
# Every line break a markdown renderer may honour, so each line's start is escaped.
_LINE_BREAK = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")
_ESCAPED_KEYS = frozenset({"text"})

# A compiled node: (context, root data) -> rendered value. A compiled list entry returns a
# list, since $data and $when turn one template entry into zero or more card entries.
_Node = Callable[[Any, dict[str, Any]], Any]


class Markdown(str):
    """Text the node wrote itself (its own strings): rendered as markdown, not escaped."""

    __slots__ = ()


class Card(dict[str, Any]):
    """A rendered card. botbuilder deep-copies every activity it sends; a card is never
    changed after rendering, so the copy can share it."""

    def __deepcopy__(self, memo: dict[int, Any]) -> Card:
        return self


def shorten(text: str, limit: int = 280) -> str:
    """`text` cut at a word to at most `limit` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + " …"


def escape_markdown(text: str) -> str:
    """Backslash-escape CommonMark punctuation so user text renders literally."""
    escaped = _MARKDOWN.sub(r"\\\1", _LINE_BREAK.sub("\n", text))
    return _LINE_MARKER.sub(_escape_marker, escaped)


def _escape_marker(match: re.Match[str]) -> str:
    indent, marker = match.group(1), match.group(2)
    # "- x" becomes "\- x"; "1. x" becomes "1\. x", "1) x" "1\) x" (digits are not
    # escapable, the dot and parenthesis are).
    return indent + (marker + "\\" if marker[0].isdigit() else "\\" + marker)


@cache
def _compiled(name: str) -> _Node:
    text = resources.files("cards").joinpath(f"templates/{name}.json").read_text("utf-8")
    return _compile(json.loads(text), escape=False)


def render(name: str, data: dict[str, Any]) -> Card:
    """A ready Adaptive Card: template `name` filled with `data`."""
    card = _compiled(name)(data, data)
    assert isinstance(card, dict)
    return Card(card)


def _path(path: str) -> Callable[[Any, dict[str, Any]], Any]:
    parts = path.split(".")
    from_root = parts[0] == "$root"
    if parts[0] in ("$root", "$data"):
        parts = parts[1:]

    def lookup(context: Any, root: dict[str, Any]) -> Any:
        value: Any = root if from_root else context
        for part in parts:
            value = value.get(part) if isinstance(value, dict) else None
        return value

    return lookup


def _escaped(value: Any, escape: bool) -> Any:
    if escape and isinstance(value, str) and not isinstance(value, Markdown):
        return escape_markdown(value)
    return value


def _compile(node: Any, escape: bool) -> _Node:
    if isinstance(node, str):
        return _compile_string(node, escape)
    if _is_fixed(node):
        # Nothing to fill in: every card shares the one object (cards are never changed).
        return lambda context, root: node
    if isinstance(node, list):
        entries = [_compile_entry(item) for item in node]
        return lambda context, root: [out for entry in entries for out in entry(context, root)]
    if isinstance(node, dict):
        is_fact = "title" in node and "value" in node and "type" not in node
        # Fixed properties are copied as they are; only the others are rendered.
        fixed = {key: value for key, value in node.items() if _is_fixed(value)}
        fields = [
            (key, _compile(value, key in _ESCAPED_KEYS or is_fact))
            for key, value in node.items()
            if key not in fixed
        ]

        def properties(context: Any, root: dict[str, Any]) -> dict[str, Any]:
            out = fixed.copy()
            for key, field in fields:
                value = field(context, root)
                if value is not None:  # undefined is left out, as the templating language does
                    out[key] = value
            return out

        return properties
    return lambda context, root: node


def _is_fixed(node: Any) -> bool:
    """A part of a template with no expression anywhere in it: it renders as itself."""
    text = json.dumps(node, ensure_ascii=False)
    return "${" not in text and '"$data"' not in text and '"$when"' not in text


def _compile_string(text: str, escape: bool) -> _Node:
    whole = _WHOLE.match(text)
    if whole:
        lookup = _path(whole.group(2))
        if whole.group(1):
            return lambda context, root: not lookup(context, root)
        return lambda context, root: _escaped(lookup(context, root), escape)
    if "${" not in text:
        return lambda context, root: text
    pieces: list[str | Callable[[Any, dict[str, Any]], Any]] = []
    last = 0
    for match in _PART.finditer(text):
        pieces += [text[last : match.start()], _path(match.group(1))]
        last = match.end()
    pieces.append(text[last:])

    def interpolate(context: Any, root: dict[str, Any]) -> str:
        out = []
        for piece in pieces:
            if isinstance(piece, str):
                out.append(piece)
            else:
                value = piece(context, root)
                # A Markdown value stays Markdown inside a longer string: not escaped.
                text = value if isinstance(value, str) else ("" if value is None else str(value))
                out.append(_escaped(text, escape))
        return "".join(out)

    return interpolate


def _compile_entry(item: Any) -> _Node:
    """One list entry becomes zero (when false), one, or many ($data over a list) entries."""
    if not isinstance(item, dict) or ("$data" not in item and "$when" not in item):
        body = _compile(item, escape=False)
        return lambda context, root: [body(context, root)]
    data = _compile_string(item["$data"], False) if "$data" in item else None
    when = _compile_string(item["$when"], False) if "$when" in item else None
    body = _compile({k: v for k, v in item.items() if k not in ("$data", "$when")}, False)

    def entries(context: Any, root: dict[str, Any]) -> list[Any]:
        contexts = [context]
        if data is not None:
            bound = data(context, root)
            contexts = bound if isinstance(bound, list) else [bound]
        return [body(each, root) for each in contexts if when is None or when(each, root)]

    return entries
