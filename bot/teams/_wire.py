"""Activities to and from the JSON the Bot Connector speaks, without msrest's model walk.

msrest (de)serialises a model by resolving every attribute's type through its registry and
validating it: a ninth of a criteria turn's CPU went to reading the inbound activity and as
much to writing the reply. These do the same from each model's attribute map, once per turn.
They read and write what msrest does (tests/teams/test_wire.py compares them on the
activities the node receives and sends): unset attributes left out, unknown keys kept in
`additional_properties`, a string field given a number read as its text, times as ISO 8601.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import botbuilder.schema
from msrest.serialization import Deserializer, Model, Serializer

from cards import Card  # rendered cards hold JSON only: nothing inside to convert

_MODELS: dict[str, type[Model]] = {
    name: cls for name, cls in vars(botbuilder.schema).items()
    if isinstance(cls, type) and issubclass(cls, Model)
}  # fmt: skip


class WireError(ValueError):
    """The JSON does not have the shape the Bot Framework schema gives it."""


def plain(value: Any) -> Any:
    """A botbuilder model (and what it holds) as the JSON the Bot Connector takes: the wire
    names from each model's attribute map, unset attributes left out, as msrest writes it but
    without its validation and type walk. Card content (plain JSON from our templates) is
    passed as it is."""
    if isinstance(value, Model):
        out: dict[str, Any] = {}
        for attribute, spec in value._attribute_map.items():
            item = getattr(value, attribute, None)
            if item is not None:
                out[spec["key"]] = plain(item)
        return out
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, dict) and not isinstance(value, Card):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, datetime):
        return Serializer.serialize_iso(value)  # type: ignore[no-untyped-call]
    return value


def from_plain(model: type[Model], data: Any) -> Any:
    """`data` (parsed JSON) as an instance of `model` (Activity, ChannelAccount…);
    WireError when a part has the wrong shape."""
    if not isinstance(data, dict):
        raise WireError(f"{model.__name__} must be an object")
    fields, known = _FIELDS[model.__name__]
    values = {}
    for attribute, key, kind in fields:
        item = data.get(key)
        if item is not None:
            values[attribute] = _read(kind, item)
    instance = model(**values)
    extra = {key: item for key, item in data.items() if key not in known}
    if extra:
        instance.additional_properties = extra
    return instance


def _fields(model: type[Model]) -> tuple[tuple[tuple[str, str, str], ...], frozenset[str]]:
    """(attribute, JSON key, type) of each field, and the keys the model knows."""
    fields = tuple(
        (attribute, spec["key"], spec["type"])
        for attribute, spec in model._attribute_map.items()
        if attribute != "additional_properties"
    )
    return fields, frozenset(key for _, key, _ in fields)


_FIELDS = {name: _fields(model) for name, model in _MODELS.items()}  # read once, at import


def _read(kind: str, item: Any) -> Any:
    if kind == "str":
        return item if isinstance(item, str) else str(item)
    if kind == "object":
        return item
    if kind.startswith("["):
        if not isinstance(item, list):
            raise WireError(f"{kind} must be a list")
        return [_read(kind[1:-1], each) for each in item]
    if kind.startswith("{"):
        if not isinstance(item, dict):
            raise WireError(f"{kind} must be an object")
        return {key: _read(kind[1:-1], each) for key, each in item.items()}
    if kind in _MODELS:
        return from_plain(_MODELS[kind], item)
    if kind == "iso-8601":
        try:
            # Teams' own form ("2026-12-01T09:00:00.1234567Z") the fast way; anything else as
            # msrest reads it.
            moment = datetime.fromisoformat(item) if isinstance(item, str) else None
            if moment is not None and moment.tzinfo is not None:
                return moment
            return Deserializer.deserialize_iso(item)  # type: ignore[no-untyped-call]
        except Exception as error:  # msrest's DeserializationError, or a TypeError
            raise WireError("ISO 8601 time expected") from error
    if kind == "bool":
        if isinstance(item, str) and item.lower() in ("true", "1", "false", "0"):
            return item.lower() in ("true", "1")
        if not isinstance(item, str) and item in (True, False, 1, 0):
            return bool(item)
        raise WireError("bool expected")
    if kind == "int":
        try:
            return int(item)
        except (TypeError, ValueError) as error:
            raise WireError("int expected") from error
    return item
