"""What the domain needs from the chat platform (a `Messenger`), and who is acting (`Person`).
Plain Python: routing and sharing use these; bot/teams implements the Messenger."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

Card = dict[str, Any]
# Presence of people by Entra object id (Graph); None when it cannot be told right now.
PresenceLookup = Callable[[list[str]], Awaitable["dict[str, Any] | None"]]


class Messenger(Protocol):
    """What routing needs from the chat platform."""

    async def to_channel(self, channel_id: str, card: Card) -> str:
        """Post a new message in a channel; returns its activity id."""
        ...

    async def update(self, conversation_id: str, activity_id: str, card: Card) -> None: ...

    async def to_person(self, user_id: str, card: Card) -> bool:
        """Send 1:1; False when the person has no chat with the bot yet."""
        ...


@dataclass(frozen=True)
class Person:
    user_id: str  # Teams user id
    aad_id: str
    name: str
    locale: str = "sv-SE"


class DeliveryError(Exception):
    """A message the platform did not take."""


class Gone(DeliveryError):
    """403/404: the bot was removed from that conversation. Stop sending, keep the record."""


class Throttled(DeliveryError):
    """429: slow down; try again after `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"throttled, retry after {retry_after}s")
        self.retry_after = retry_after


class Unavailable(DeliveryError):
    """5xx or no connection: worth retrying with backoff."""
