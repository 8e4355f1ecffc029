"""The weekly digest in channels: subscribing (an area or all, quiet weeks skipped or not),
unsubscribing, a preview sent to the person; a team's subscriptions pause while the bot is
removed from it."""

from __future__ import annotations

import logging

from bot.commands import IN_CHANNELS, Command, Group, Spec, T, Who
from bot.criteria.model import area_of
from bot.digest import DigestService, Subscription
from bot.messaging import Messenger
from bot.teams._routes import Handler, command
from bot.teams._turn import Card, Turn
from cards import digest_card, message_card

log = logging.getLogger(__name__)
_QUIET = frozenset({"tyst", "quiet"})


class DigestHandler(Handler):
    def __init__(self, digest: DigestService, messenger: Messenger) -> None:
        self._digest = digest
        self._messenger = messenger

    @command(Spec("subscribe", ("prenumerera veckobrev",), ("subscribe digest",), Group.DIGEST,
                  Who.OWNER, IN_CHANNELS, argument=T, menu=IN_CHANNELS))  # fmt: skip
    async def subscribe(self, command: Command, turn: Turn) -> list[Card]:
        texts = turn.texts
        words = command.argument.lower().split()[:20]
        areas = tuple(dict.fromkeys(a for w in words if w not in _QUIET and (a := area_of(w))))
        quiet = not _QUIET.isdisjoint(words)
        await self._digest.subscriptions.save(
            Subscription(turn.channel, turn.team_id, areas, skip_quiet=quiet)
        )
        named = (texts("digest.subscribed_areas", areas=", ".join(map(texts.area, areas)))
                 if areas else "")  # fmt: skip
        return [message_card(texts("digest.subscribed", areas=named))]

    @command(Spec("unsubscribe", ("avsluta veckobrev",), ("unsubscribe digest",), Group.DIGEST,
                  Who.OWNER, IN_CHANNELS))  # fmt: skip
    async def unsubscribe(self, command: Command, turn: Turn) -> list[Card]:
        removed = await self._digest.subscriptions.remove(turn.channel)
        return [message_card(turn.texts("digest.unsubscribed" if removed
                                        else "digest.not_subscribed"))]  # fmt: skip

    @command(Spec("preview_digest", ("förhandsvisa veckobrev",), ("preview digest",),
                  Group.DIGEST, where=IN_CHANNELS, menu=IN_CHANNELS))  # fmt: skip
    async def preview(self, command: Command, turn: Turn) -> list[Card]:
        """This week's digest as this channel would get it, sent to the person alone."""
        content = await self._digest.content()
        current = await self._digest.subscriptions.get(turn.channel)
        card = digest_card(content.for_areas(current.areas if current else ()), turn.texts)
        sent = await self._messenger.to_person(turn.user_id, card)
        return [message_card(turn.texts("digest.preview_sent" if sent
                                        else "digest.preview_no_chat"))]  # fmt: skip

    async def joined(self, turn: Turn) -> None:
        """Back in a team it was removed from: its subscriptions resume."""
        if turn.team_id:
            await self._digest.subscriptions.resume_team(turn.team_id)

    async def removed(self, turn: Turn) -> None:
        if turn.team_id:
            paused = await self._digest.subscriptions.pause_team(turn.team_id, "removed")
            log.info("bot removed from a team", extra={"paused_subscriptions": paused})
