"""Channels that subscribe to the weekly digest."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import ClassVar

from bot.storage import Record, Store

SUBSCRIPTIONS = "subscriptions"


@dataclass(frozen=True)
class Subscription:
    channel_id: str
    team_id: str
    areas: tuple[str, ...] = ()  # empty: every area
    active: bool = True
    skip_quiet: bool = False  # no card at all in a quiet week
    paused_reason: str = ""  # "removed" when the bot left the team or Teams said 403/404


class SubscriptionRepository:
    TABLES: ClassVar[dict[str, str]] = {SUBSCRIPTIONS: ""}  # channels, not people

    def __init__(self, store: Store) -> None:
        self._store = store

    async def save(self, subscription: Subscription) -> None:
        data = {**asdict(subscription), "areas": list(subscription.areas)}
        await self._store.upsert(SUBSCRIPTIONS, Record("channel", subscription.channel_id, data))

    async def get(self, channel_id: str) -> Subscription | None:
        record = await self._store.get(SUBSCRIPTIONS, "channel", channel_id)
        return None if record is None else _from(record.data)

    async def remove(self, channel_id: str) -> bool:
        return await self._store.delete(SUBSCRIPTIONS, "channel", channel_id)

    async def all(self) -> list[Subscription]:
        return [_from(r.data) for r in await self._store.query(SUBSCRIPTIONS, "channel")]

    async def pause(self, channel_id: str, reason: str) -> None:
        current = await self.get(channel_id)
        if current is not None and current.active:
            await self.save(replace(current, active=False, paused_reason=reason))

    async def pause_team(self, team_id: str, reason: str) -> int:
        paused = 0
        for subscription in await self.all():
            if subscription.team_id == team_id and subscription.active:
                await self.save(replace(subscription, active=False, paused_reason=reason))
                paused += 1
        return paused

    async def resume_team(self, team_id: str) -> int:
        resumed = 0
        for subscription in await self.all():
            if subscription.team_id == team_id and subscription.paused_reason == "removed":
                await self.save(replace(subscription, active=True, paused_reason=""))
                resumed += 1
        return resumed


def _from(data: dict[str, object]) -> Subscription:
    return Subscription(**{**data, "areas": tuple(data.get("areas") or ())})  # type: ignore[arg-type]
