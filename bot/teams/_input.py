"""Checks on a request body that botbuilder cannot survive: nesting deep enough to exhaust
Python's recursion (msrest deserialises recursively), and lone UTF-16 surrogates ("\\ud800"),
which JSON allows but no storage backend can encode."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# Activities nest a few levels (value -> action -> data -> inputs); card payloads a few more.
MAX_DEPTH = 40
# A JSON escape of a surrogate: the only way a lone one reaches a str from UTF-8 bytes.
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def nesting_depth(value: Any) -> int:
    """How deeply lists and objects nest in a parsed JSON value (iterative: no recursion)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def without_lone_surrogates(value: Any) -> Any:
    """A copy with every lone surrogate in keys and strings replaced by U+FFFD. Paired
    surrogates never get here: the JSON decoder joins them into one character."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {without_lone_surrogates(k): without_lone_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_lone_surrogates(item) for item in value]
    return value
