"""The channels the node posts to (the experts' channel, the sharing channel), set by an admin
with a command in the channel. Owns the table `channels`."""

from __future__ import annotations

from typing import ClassVar

from bot.storage import Record, Store

CHANNELS = "channels"
_PARTITION = "channel"
# Before this table existed the settings lived in the network table; read there once.
_LEGACY_TABLE, _LEGACY_PARTITION = "network", "setting"


class ChannelSettings:
    TABLES: ClassVar[dict[str, str]] = {CHANNELS: ""}

    def __init__(self, store: Store) -> None:
        self._store = store

    async def get(self, name: str) -> str:
        """The conversation id of a configured channel ("" when none is set)."""
        record = await self._store.get(CHANNELS, _PARTITION, name)
        if record is None:
            record = await self._store.get(_LEGACY_TABLE, _LEGACY_PARTITION, name)
            if record is None:
                return ""
            await self._store.upsert(CHANNELS, Record(_PARTITION, name, dict(record.data)))
        return str(record.data["conversation_id"])

    async def set(self, name: str, conversation_id: str) -> str:
        """Configure a channel; a thread id ("...;messageid=...") stands for its channel."""
        channel = conversation_id.split(";")[0]
        await self._store.upsert(CHANNELS, Record(_PARTITION, name, {"conversation_id": channel}))
        return channel
