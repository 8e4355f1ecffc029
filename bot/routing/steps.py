"""Delivery steps: every message a ticket causes (the channel post, each expert's 1:1, the
asker's receipt and notices, the channel card's update) is a named step on the ticket.

A step is claimed before it is sent (a conditional write of the ticket), and recorded after;
whoever loses the claim sends nothing. A claim that is not recorded in time (the process died
while sending) expires, and the background round takes the step over. So each message goes out
once, and at most once more only when a process dies between Teams taking it and the record.

Pure functions over a `Ticket`: the service stores what they return.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from bot.routing.tickets import Ticket

PENDING, SENDING, DONE, GONE, FAILED = "pending", "sending", "done", "gone", "failed"
# Longer than any send may take (the HTTP session gives up after 30 s).
CLAIM_SECONDS = 90.0
# Sends that fail (Teams 5xx, 429, no connection) are tried again, this often at most.
MAX_TRIES = 6
_BACKOFF_S = (5.0, 15.0, 60.0, 300.0, 900.0)

# Step names.
POST = "post"  # the ticket in the experts' channel
CHANNEL = "channel"  # the channel card brought up to date after a change
RECEIPT = "receipt"  # the asker's receipt, in the conversation they asked in


def expert_step(expert_id: str, ticket: Ticket) -> str:
    """A 1:1 to an expert; numbered by the ticket's history, so a second reason to tell the
    same expert (handed back to them later) is a step of its own."""
    return f"expert:{expert_id}:{len(ticket.events)}"


def asker_step(kind: str, ticket: Ticket) -> str:
    return f"asker:{kind}:{len(ticket.events)}"


def add(ticket: Ticket, name: str, **details: Any) -> Ticket:
    """A step to take; a step of the same name is started afresh (the channel card's update
    after each change), so an in-flight send of the older state will not record it done."""
    step = {"state": PENDING, "until": 0.0, "tries": 0, **details}
    return replace(ticket, steps={**ticket.steps, name: step})


def due(ticket: Ticket, now: float) -> list[str]:
    """Steps to take now: pending ones whose wait is over, and claims that expired."""
    return [
        name
        for name, step in ticket.steps.items()
        if step["state"] in (PENDING, SENDING) and step["until"] <= now
    ]


def claim(
    ticket: Ticket, name: str, now: float, seconds: float = CLAIM_SECONDS
) -> tuple[Ticket, str] | None:
    """The ticket with the step claimed for `seconds`, and the claim's token; None when it
    is not due."""
    step = ticket.steps.get(name)
    if step is None or name not in due(ticket, now):
        return None
    if step["tries"] >= MAX_TRIES:
        return _set(ticket, name, state=FAILED), ""
    token = uuid.uuid4().hex
    claimed = {**step, "state": SENDING, "until": now + seconds, "claim": token,
               "tries": step["tries"] + 1}  # fmt: skip
    return replace(ticket, steps={**ticket.steps, name: claimed}), token


def record(ticket: Ticket, name: str, token: str, state: str = DONE) -> Ticket | None:
    """The step recorded as sent (or gone); None when the claim is no longer this one's."""
    step = ticket.steps.get(name)
    if step is None or step.get("claim") != token:
        return None
    return _set(ticket, name, state=state)


def retry_later(ticket: Ticket, name: str, token: str, now: float) -> Ticket | None:
    """A failed send: pending again after a backoff, or failed for good after MAX_TRIES."""
    step = ticket.steps.get(name)
    if step is None or step.get("claim") != token:
        return None
    if step["tries"] >= MAX_TRIES:
        return _set(ticket, name, state=FAILED)
    wait = _BACKOFF_S[min(step["tries"], len(_BACKOFF_S)) - 1]
    return _set(ticket, name, state=PENDING, until=now + wait)


def has_due(ticket: Ticket, now: float) -> bool:
    return bool(due(ticket, now))


def _set(ticket: Ticket, name: str, **values: Any) -> Ticket:
    return replace(ticket, steps={**ticket.steps, name: {**ticket.steps[name], **values}})
