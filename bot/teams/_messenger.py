"""Proactive messages: the `Messenger` routing uses, on botbuilder's continue_conversation.

References come from the ConversationBook (every inbound activity refreshes them). A 403 or
404 from Teams means the bot was removed there: we stop trying (return False / log) and keep
the record.
"""

from __future__ import annotations

import logging
from typing import Any

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import ConversationReference

from bot.messaging import DeliveryError, Gone, Unavailable
from bot.teams._connector import ConnectorError, delivery_error
from bot.teams._references import ConversationBook

log = logging.getLogger(__name__)
Card = dict[str, Any]


class TeamsMessenger:
    def __init__(self, adapter: CloudAdapter, book: ConversationBook, app_id: str) -> None:
        self._adapter = adapter
        self._book = book
        self._app_id = app_id

    async def _send(self, reference: dict[str, Any], card: Card, activity_id: str = "") -> str:
        ref = ConversationReference().deserialize(reference)
        sent: dict[str, str] = {}
        failures: list[Exception] = []

        async def callback(turn_context: TurnContext) -> None:
            activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
            try:
                if activity_id:
                    activity.id = activity_id
                    await turn_context.update_activity(activity)
                    sent["id"] = activity_id
                else:
                    response = await turn_context.send_activity(activity)
                    sent["id"] = response.id if response else ""
            except Exception as error:
                # Raised here, the adapter's turn-error handler would swallow it (and try to
                # post an apology into the conversation); the caller decides instead.
                failures.append(error)

        await self._adapter.continue_conversation(ref, callback, self._app_id)
        if failures:
            raise _translated(failures[0])
        return sent.get("id", "")

    async def to_channel(self, channel_id: str, card: Card) -> str:
        reference = await self._book.reference(channel_id)
        if reference is None:
            log.warning("no reference for the channel; has the bot been added there?")
            return ""
        # The channel itself, not a thread in it: a new post.
        reference["conversation"] = {**reference["conversation"], "id": channel_id}
        reference.pop("activityId", None)
        return await self._send(reference, card)

    async def update(self, conversation_id: str, activity_id: str, card: Card) -> None:
        reference = await self._book.reference(conversation_id)
        if reference is None:
            return
        reference["conversation"] = {**reference["conversation"], "id": conversation_id}
        await self._send(reference, card, activity_id)

    async def to_person(self, user_id: str, card: Card) -> bool:
        reference = await self._book.person_reference(user_id)
        if reference is None:
            return False
        try:
            await self._send(reference, card)
        except Gone:
            log.info("bot no longer reaches this person")
            return False
        return True


def _translated(error: Exception) -> Exception:
    """The Bot Connector's HTTP answer as the domain's delivery errors. The direct calls
    (bot/teams/_connector.py) raise those already; msrest's (botbuilder has two
    ErrorResponseException classes) keep the answer in `.response`, read here the same way."""
    if isinstance(error, DeliveryError | ConnectorError):
        return error
    response = getattr(error, "response", None)
    # msrest keeps aiohttp's own response there (.status); other paths a msrest one.
    status = getattr(response, "status_code", None) or getattr(response, "status", 0)
    if isinstance(status, int) and status:
        translated = delivery_error(status, (getattr(response, "headers", {}) or {}).get(
            "Retry-After"))  # fmt: skip
        return error if isinstance(translated, ConnectorError) else translated
    if isinstance(error, OSError | TimeoutError):
        return Unavailable(type(error).__name__)
    return error
