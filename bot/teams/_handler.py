"""The activity handler: thin. It de-duplicates, remembers conversations, builds a `Turn`
and hands it to the dispatcher; then sends what comes back."""

from __future__ import annotations

import asyncio
import logging
import re
from http import HTTPStatus
from typing import Any

from azure.core.exceptions import DeserializationError  # what msrest raises
from botbuilder.core import (
    CardFactory,
    InvokeResponse,
    TurnContext,
)
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    AttachmentLayoutTypes,
    ChannelAccount,
)
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt

from bot.i18n import texts_for
from bot.messaging import Throttled, Unavailable
from bot.stats import ActivityLog
from bot.teams._dispatch import Answer, Dispatcher
from bot.teams._handlers.compose import INVOKES as COMPOSE_INVOKES
from bot.teams._handlers.compose import result as compose_result
from bot.teams._references import ConversationBook, InboundLedger
from bot.teams._turn import Card, SentFile, Turn

log = logging.getLogger(__name__)

# Where a message holds a card inserted from the compose box, Teams puts a placeholder in the
# text: <span class="inline-compose-card" … itemtype="http://schema.skype.com/InputExtension">
# <span content="0" itemprop="cardId"></span></span>. It is markup, not words.
_INSERTED_CARD = re.compile(
    r'<span[^>]{0,300}itemtype="http://schema\.skype\.com/InputExtension"[^>]{0,300}>'
    r"\s{0,40}(?:<span[^>]{0,200}></span>\s{0,40})?</span>"
)


class NodeBot(TeamsActivityHandler):  # type: ignore[misc]
    def __init__(
        self,
        dispatcher: Dispatcher,
        conversations: ConversationBook,
        inbound: InboundLedger,
        activity: ActivityLog,
    ) -> None:
        super().__init__()
        self._dispatcher = dispatcher
        self._conversations = conversations
        self._inbound = inbound
        self._activity = activity

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        conversation_id = activity.conversation.id
        # Invokes expect an answer every time; repeat deliveries of everything else are dropped.
        guarded = activity.type != ActivityTypes.invoke and bool(activity.id)
        if guarded and not await self._inbound.take(conversation_id, activity.id):
            log.info("repeat delivery acknowledged, not processed")
            return
        try:
            sender_id = activity.from_property.id if activity.from_property else ""
            await self._conversations.remember(
                activity, lambda: _member_email(turn_context, sender_id or "")
            )
            if activity.type in (ActivityTypes.message, ActivityTypes.invoke):
                sender = activity.from_property
                await self._activity.seen(sender.aad_object_id or sender.id if sender else "")
            await super().on_turn(turn_context)
        except Exception:
            if guarded:
                await self._inbound.release(conversation_id, activity.id)
            raise
        if guarded:
            await self._inbound.finish(conversation_id, activity.id)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        turn = self._turn(turn_context)
        if not turn.text and _INSERTED_CARD.search(turn_context.activity.text or ""):
            # A card from the compose box, sent to the bot's chat: shared, not a question.
            log.info("a card inserted from the compose box, not answered")
            return
        if turn.value is not None and not turn.text:  # Action.Submit from an older card
            answer = await self._dispatcher.on_action(turn, turn.value, executed=False)
            await _send_cards(turn_context, answer.cards)
        else:
            await _send_cards(turn_context, await self._dispatcher.on_text(turn))

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        bot_id = turn_context.activity.recipient.id
        if any(member.id == bot_id for member in members_added if member is not None):
            await _send_cards(
                turn_context, await self._dispatcher.welcome(self._turn(turn_context))
            )

    async def on_members_removed_activity(
        self, members_removed: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        """The bot removed from a team: its digest subscriptions there pause (kept)."""
        bot_id = turn_context.activity.recipient.id
        if any(member.id == bot_id for member in members_removed if member is not None):
            await self._dispatcher.removed(self._turn(turn_context))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        """Universal Actions are read here, not by the SDK: its answer to a malformed one is
        not serialisable (HTTP 500). Every invoke gets an answer, never a 5xx."""
        activity = turn_context.activity
        if activity.name == "adaptiveCard/action":
            turn = self._turn(turn_context)
            value = _execute_value(activity.value)
            if value is None:
                log.info("malformed Universal Action refused")
                answer = Answer([], note=turn.texts("error.bad_action"))
            else:
                try:
                    answer = await self._dispatcher.on_action(turn, value, executed=True)
                except Exception:  # the card stays; the stored state is intact
                    log.exception("card action failed")
                    answer = Answer([], note=turn.texts("error.generic"))
            if answer.in_place and answer.cards:
                await _send_cards(turn_context, answer.cards[1:])
                return InvokeResponse(status=int(HTTPStatus.OK), body=_card(answer.cards[0]))
            await _send_cards(turn_context, answer.cards)
            return InvokeResponse(status=int(HTTPStatus.OK), body=_note(answer.note))
        if activity.name in COMPOSE_INVOKES:
            try:
                body = await self._dispatcher.on_compose(
                    self._turn(turn_context), activity.name, activity.value
                )
            except Exception:  # an empty result: Teams shows "no results", never an error
                log.exception("message extension failed")
                body = compose_result()
            return InvokeResponse(status=int(HTTPStatus.OK), body=body)
        try:
            response: InvokeResponse = await super().on_invoke_activity(turn_context)
        except (DeserializationError, ValueError, TypeError, AttributeError, KeyError):
            # The SDK reads the value of the invokes it knows into its models; a value of
            # another shape is the sender's error, not ours.
            log.info("invoke with an unreadable value", extra={"invoke": str(activity.name)[:60]})
            return InvokeResponse(status=int(HTTPStatus.BAD_REQUEST))
        if response is not None and response.status == HTTPStatus.NOT_IMPLEMENTED:
            log.info("invoke not supported", extra={"invoke": str(activity.name)[:60]})
            return InvokeResponse(status=int(HTTPStatus.BAD_REQUEST))
        return response

    def _turn(self, turn_context: TurnContext) -> Turn:
        activity = turn_context.activity
        text = TurnContext.remove_recipient_mention(activity) if activity.text else ""
        text = _INSERTED_CARD.sub(" ", text or "")
        sender = activity.from_property or ChannelAccount(id="", name="")
        value = activity.value if isinstance(activity.value, dict) else None
        return Turn(
            texts=texts_for(activity.locale),
            user_id=sender.id or "",
            user_name=sender.name or "",
            conversation_id=activity.conversation.id,
            conversation_type=activity.conversation.conversation_type or "personal",
            text=(text or "").strip(),
            value=value,
            aad_id=sender.aad_object_id or "",
            locale=activity.locale or "sv-SE",
            team_id=_team_of(activity.channel_data),
            team_group_id=_team_of(activity.channel_data, "aadGroupId"),
            activity_id=activity.id or "",
            member_email=lambda: _member_email(turn_context, sender.id or ""),
            file=_sent_file(activity),
        )


_FILE_INFO = "application/vnd.microsoft.teams.file.download.info"


def _sent_file(activity: Activity) -> SentFile | None:
    """The first file sent in a 1:1 chat (Teams' download info), if any."""
    if (activity.conversation.conversation_type or "personal") != "personal":
        return None
    for attachment in activity.attachments or []:
        content = attachment.content if isinstance(attachment.content, dict) else {}
        url = content.get("downloadUrl")
        if attachment.content_type == _FILE_INFO and isinstance(url, str) and url:
            return SentFile(str(attachment.name or "")[:200], url[:2000])
    return None


def _execute_value(value: Any) -> dict[str, Any] | None:
    """The verb and data of an Action.Execute invoke; None when it is not one."""
    action = value.get("action") if isinstance(value, dict) else None
    if not isinstance(action, dict) or action.get("type") != "Action.Execute":
        return None
    verb, data = action.get("verb"), action.get("data", {})
    if not isinstance(verb, str) or not isinstance(data, dict):
        return None
    return {**data, "verb": verb}


def _card(card: Card) -> AdaptiveCardInvokeResponse:
    """The card that replaces the one clicked."""
    return AdaptiveCardInvokeResponse(
        status_code=200, type="application/vnd.microsoft.card.adaptive", value=card
    )


def _note(text: str) -> dict[str, Any]:
    """A short text shown at the card clicked, which stays as it was (a plain body: the
    SDK's model takes only an object as its value)."""
    return {"statusCode": 200, "type": "application/vnd.microsoft.activity.message",
            "value": text}  # fmt: skip


# A turn's replies: Teams' 429 waited out (its Retry-After, at most REPLY_WAIT_S) and a 5xx
# or lost connection tried again, REPLY_TRIES in all, within Teams' 15 s for the turn.
REPLY_TRIES = 3
REPLY_WAIT_S = 3.0


def _reply_wait(error: BaseException | None, attempt: int) -> float:
    """How long to wait after failed attempt number `attempt`."""
    if isinstance(error, Throttled):
        return min(max(float(error.retry_after), 0.0), REPLY_WAIT_S)
    return min(0.25 * 2.0 ** (attempt - 1), REPLY_WAIT_S)


class _Reply(Activity):  # type: ignore[misc]
    """A card reply, as MessageFactory.attachment makes it, made for one send. botbuilder
    deep-copies every activity it sends (3 % of a turn) so the caller's stays as it was; this
    one is used again only by its own retries, which fill in the same conversation."""

    def __init__(self, card: Card) -> None:
        super().__init__(
            type=ActivityTypes.message,
            attachment_layout=AttachmentLayoutTypes.list,
            attachments=[CardFactory.adaptive_card(card)],
        )

    def __deepcopy__(self, memo: dict[int, Any]) -> _Reply:
        return self


async def _send_cards(turn_context: TurnContext, cards: list[Card]) -> None:
    for card in cards:
        activity = _Reply(card)
        try:
            await turn_context.send_activity(activity)
        except (Throttled, Unavailable) as error:
            # Built only when Teams asks for it: the retry machinery costs 4 % of a turn.
            log.info("reply not taken, trying again", extra={"error": type(error).__name__})
            await asyncio.sleep(_reply_wait(error, 1))
            async for attempt in AsyncRetrying(
                retry=retry_if_exception_type((Throttled, Unavailable)),
                stop=stop_after_attempt(REPLY_TRIES - 1), reraise=True,
                wait=lambda state: _reply_wait(
                    state.outcome.exception() if state.outcome else None,
                    state.attempt_number + 1),
            ):  # fmt: skip
                with attempt:
                    await turn_context.send_activity(activity)


def _team_of(channel_data: object, field: str = "id") -> str:
    """The team's Teams id (or another of its fields) from Teams' channel data."""
    if isinstance(channel_data, dict):
        team = channel_data.get("team")
        if isinstance(team, dict) and isinstance(team.get(field), str):
            return str(team[field])
    return ""


async def _member_email(turn_context: TurnContext, user_id: str) -> str:
    """The person's e-mail (or UPN) from their Teams member profile; "" when unknown."""
    try:
        member = await TeamsInfo.get_member(turn_context, user_id)
    except Exception:  # the profile is a nicety; the form still works without it
        log.info("member profile not available")
        return ""
    return str(getattr(member, "email", "") or getattr(member, "user_principal_name", "") or "")
