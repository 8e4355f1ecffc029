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
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from importlib import resources
from typing import Any

_WHOLE = re.compile(r"^\$\{(!?)([$\w.]+)\}$")
_PART = re.compile(r"\$\{([$\w.]+)\}")
_MARKDOWN = re.compile(r"([\\`*_\[\]#|>~<])")
# A list marker only means something at the start of a line ("- x", "+ x", "1. x").
_LINE_MARKER = re.compile(r"^(\s*)([-+]|\d+(?=\.))(?=[\s.])", re.MULTILINE)
_ESCAPED_KEYS = frozenset({"text"})


class Markdown(str):
    """Text the node wrote itself (its own strings): rendered as markdown, not escaped."""


def escape_markdown(text: str) -> str:
    """Backslash-escape CommonMark punctuation so user text renders literally."""
    escaped = _MARKDOWN.sub(r"\\\1", text)
    return _LINE_MARKER.sub(_escape_marker, escaped)


def _escape_marker(match: re.Match[str]) -> str:
    indent, marker = match.group(1), match.group(2)
    # "- x" becomes "\- x"; "1. x" becomes "1\. x" (digits are not escapable, the dot is).
    return indent + ("\\" + marker if marker in "-+" else marker + "\\")


@cache
def _template(name: str) -> Any:
    text = resources.files("cards").joinpath(f"templates/{name}.json").read_text("utf-8")
    return json.loads(text)


def render(name: str, data: dict[str, Any]) -> dict[str, Any]:
    """A ready Adaptive Card: template `name` filled with `data`."""
    card = _expand(copy.deepcopy(_template(name)), data, data, escape=False)
    assert isinstance(card, dict)
    return card


def _lookup(path: str, context: Any, root: dict[str, Any]) -> Any:
    parts = path.split(".")
    value: Any = context
    if parts[0] == "$root":
        value, parts = root, parts[1:]
    elif parts[0] == "$data":
        parts = parts[1:]
    for part in parts:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _expand(node: Any, context: Any, root: dict[str, Any], escape: bool) -> Any:
    if isinstance(node, str):
        return _string(node, context, root, escape)
    if isinstance(node, list):
        out: list[Any] = []
        for item in node:
            out.extend(_element(item, context, root))
        return out
    if isinstance(node, dict):
        is_fact = "title" in node and "value" in node and "type" not in node
        return {
            key: _expand(value, context, root, key in _ESCAPED_KEYS or is_fact)
            for key, value in node.items()
        }
    return node


def _element(item: Any, context: Any, root: dict[str, Any]) -> list[Any]:
    """One list entry becomes zero (when false), one, or many ($data over a list) entries."""
    if not isinstance(item, dict):
        return [_expand(item, context, root, escape=False)]
    contexts: list[Any] = [context]
    if "$data" in item:
        bound = _string(item["$data"], context, root, escape=False)
        contexts = bound if isinstance(bound, list) else [bound]
    rendered: list[Any] = []
    for each in contexts:
        if "$when" in item and not _string(item["$when"], each, root, escape=False):
            continue
        body = {k: v for k, v in item.items() if k not in ("$data", "$when")}
        rendered.append(_expand(body, each, root, escape=False))
    return rendered


def _string(text: str, context: Any, root: dict[str, Any], escape: bool) -> Any:
    whole = _WHOLE.match(text)
    if whole:
        value = _lookup(whole.group(2), context, root)
        if whole.group(1):
            return not value
        if isinstance(value, str) and escape and not isinstance(value, Markdown):
            return escape_markdown(value)
        return value

    def interpolate(match: re.Match[str]) -> str:
        value = _lookup(match.group(1), context, root)
        text = "" if value is None else str(value)
        return escape_markdown(text) if escape and not isinstance(value, Markdown) else text

    return _PART.sub(interpolate, text)
