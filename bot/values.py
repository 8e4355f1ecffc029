"""Reading the values people write, once for the whole node: dates, months, e-mail addresses
(or a Teams id standing for a person), links, whole numbers and yes/no. Forms, imports,
commands and card payloads all read them here, so "2026-3-1" or "anna@lund" means the same
thing everywhere."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

# A person a form names: their e-mail (sign-in address), or "teams:<Teams id>" when the
# node knows them only in Teams.
_ADDRESS = re.compile(r"^([^@\s]{1,64}@[^@\s]{1,190}\.[A-Za-z]{2,}|teams:[\w:.-]{1,200})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WHOLE = re.compile(r"^\d{1,9}$")
_YES = frozenset({"true", "ja", "yes", "1", "x"})


def parse_date(text: str) -> date | None:
    """An ISO date ("2026-11-30"; a date-time's date part too); None when it is not one."""
    text = text.strip()
    try:
        return date.fromisoformat(text[:10]) if len(text) >= 10 else None
    except ValueError:
        return None


def parse_month(text: str) -> date | None:
    """ "2027-03" (or a date in that month) -> the first of that month; None otherwise."""
    text = text.strip()
    match = _MONTH.match(text[:7]) if len(text) in (7, 10) else None
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    return date(year, month, 1) if 2000 <= year <= 2100 and 1 <= month <= 12 else None


def is_address(text: str) -> bool:
    """An e-mail address, or "teams:<id>" for a person known only in Teams."""
    return bool(_ADDRESS.match(text.strip()))


def is_https(text: str) -> bool:
    parts = urlsplit(text.strip())
    return parts.scheme == "https" and bool(parts.netloc)


def is_whole(text: str) -> bool:
    return bool(_WHOLE.match(text.strip()))


def is_yes(text: str) -> bool:
    """A yes in a form's toggle or a register's cell ("ja", "x", "true", "1")."""
    return text.strip().lower() in _YES
