"""Structured logs: JSON lines when not on a terminal, readable lines when on one.

Every line carries the activity id of the turn it belongs to (a context variable set by the
web layer). Secrets never reach a line: the Authorization header is never logged, and the
libraries that would log request headers (msrest, azure-core, msal) are kept at WARNING.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time
from typing import Any

activity_id: contextvars.ContextVar[str] = contextvars.ContextVar("activity_id", default="-")

_QUIET_LIBRARIES = ("msrest", "azure", "msal", "urllib3", "aiohttp.access")
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class _ActivityFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.activity_id = activity_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "activity_id": getattr(record, "activity_id", "-"),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key != "activity_id":
                line[key] = value
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class _StderrHandler(logging.StreamHandler[Any]):
    """Writes to whatever sys.stderr is when a record is emitted, not when configured: a
    stream swapped and closed meanwhile (a test capturing output) is never written to."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        """The stream is always the current sys.stderr."""


def configure(level: str = "INFO", json_lines: bool | None = None) -> None:
    """Set up the root logger once, at process start."""
    if json_lines is None:
        json_lines = not sys.stderr.isatty()
    handler = _StderrHandler()
    handler.addFilter(_ActivityFilter())
    if json_lines:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)-7s %(activity_id)s %(name)s: %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in _QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
    # msrest warns on every Teams invoke that "trigger" is not a known attribute.
    logging.getLogger("msrest.serialization").setLevel(logging.ERROR)
