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


# The parts of an activity the node reads, with the JSON type Teams sends them as. botbuilder
# reads them without checking (a list where an object belongs fails deep inside a turn).
_OBJECTS = ("from", "recipient", "conversation", "channelData", "relatesTo")
_LISTS_OF_OBJECTS = ("entities", "attachments", "membersAdded", "membersRemoved")
_STRINGS = ("id", "channelId", "serviceUrl", "locale", "text", "name", "timestamp",
            "localTimestamp", "replyToId", "textFormat", "action", "callerId")  # fmt: skip
_ACCOUNT_STRINGS = ("id", "name", "aadObjectId", "role", "conversationType", "tenantId")
# Ids, names and addresses are short in Teams; anything longer is not from Teams.
MAX_NAME = 1024
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SERVICE_URL = re.compile(r"^https?://[^\s/]+(?:/\S*)?$")


def activity_problem(body: dict[str, Any]) -> str | None:
    """Why an activity cannot be from Teams, or None: wrong JSON types or absurd lengths."""
    for name in _OBJECTS:
        if body.get(name) is not None and not isinstance(body[name], dict):
            return f"{name} must be an object"
    for name in _LISTS_OF_OBJECTS:
        items = body.get(name)
        if items is not None and not (
            isinstance(items, list) and all(isinstance(i, dict) for i in items)
        ):
            return f"{name} must be a list of objects"
    for name in _STRINGS:
        value = body.get(name)
        if value is not None and not isinstance(value, str):
            return f"{name} must be a string"
        if name != "text" and isinstance(value, str) and len(value) > MAX_NAME:
            return f"{name} is too long"
    for name in ("from", "recipient", "conversation"):
        part = body.get(name) or {}
        for field in _ACCOUNT_STRINGS:
            value = part.get(field)
            if value is not None and (not isinstance(value, str) or len(value) > MAX_NAME):
                return f"{name}.{field} must be a short string"
    for name in _LISTS_OF_OBJECTS[2:]:  # members: each an account with an id
        for member in body.get(name) or ():
            if not (isinstance(member.get("id"), str) and member["id"]):
                return f"{name} must name each member"
    ids = [body.get("id"), body.get("serviceUrl"), body.get("replyToId")]
    ids += [(body.get(n) or {}).get("id") for n in ("from", "recipient", "conversation")]
    if any(isinstance(i, str) and _CONTROL.search(i) for i in ids):
        return "ids must not hold control characters"  # they travel in URLs and headers
    service_url = body.get("serviceUrl")
    if service_url is not None and not _SERVICE_URL.match(service_url):
        return "serviceUrl must be an http(s) URL"
    if not isinstance((body.get("recipient") or {}).get("id"), str):
        return "activity has no recipient"
    if body["type"] in ("message", "invoke") and not isinstance(
        (body.get("from") or {}).get("id"), str
    ):
        return "activity has no sender"
    if body.get("channelId") == "msteams" and not isinstance(body.get("channelData"), dict):
        return "a Teams activity has channelData"
    channel_data = body.get("channelData") or {}
    for name in ("tenant", "team", "channel", "settings", "notification"):
        if channel_data.get(name) is not None and not isinstance(channel_data[name], dict):
            return f"channelData.{name} must be an object"
    return None
