"""What a stored record must look like to be read by its owner's model: each owner declares
`SHAPES` (table -> check) beside `TABLES`, and a restore runs them on every record before it
writes anything. A check reads the record as its owner does and validates the model's fields
by their types (pydantic): a ticket whose number is "x" is refused, not restored."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from pydantic import TypeAdapter

from bot.storage._protocol import Record, Store

log = logging.getLogger(__name__)

Shape = Callable[[Record], object]


@cache
def _adapter(model: type) -> TypeAdapter[Any]:
    return TypeAdapter(model)


def shape_of(read: Callable[[Record], Any]) -> Shape:
    """A check that `read` (the owner's reader) makes a model of a record whose fields have
    their declared types; raises ValueError (or TypeError, KeyError) when not."""

    def check(record: Record) -> object:
        model = read(record)
        if dataclasses.is_dataclass(model) and not isinstance(model, type):
            _adapter(type(model)).validate_python(dataclasses.asdict(model))
        return model

    return check


class DataCheck:
    """Whether the stored records can be read by their owners' models: run at start and
    daily (a job), reported by /readyz and `status`; the first few damaged records named
    (table, partition, key: no content)."""

    def __init__(self, store: Store, shapes: Mapping[str, Shape]) -> None:
        self._store = store
        self._shapes = dict(shapes)
        self.damaged: list[str] = []
        self.checked = False

    async def run(self) -> None:
        damaged = []
        tables = set(await self._store.tables())
        for table, shape in sorted(self._shapes.items()):
            if table not in tables:
                continue
            for record in await self._store.query(table):
                try:
                    shape(record)
                except (ValueError, TypeError, KeyError, AttributeError):
                    damaged.append(f"{table}/{record.partition}/{record.key}")
        if damaged:
            log.error("stored records the node cannot read",
                      extra={"count": len(damaged), "first": damaged[:5]})  # fmt: skip
        self.damaged, self.checked = damaged[:20], True
