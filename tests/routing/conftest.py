from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.routing import Expert, Network, Rotation

AREA = "fordon-och-transport"


def expert(n: int, areas: tuple[str, ...] = (AREA,), municipality: str = "Lund") -> Expert:
    return Expert(
        id=f"aad-expert-{n}",
        name=f"Expert {n}",
        municipality=municipality,
        areas=areas,
        teams_id=f"29:expert-{n}",
        aad_id=f"aad-expert-{n}",
    )


def network_of(count: int, now: datetime, rotation: int = 3) -> Network:
    """`count` experts in AREA; the first `rotation` of them rotate weekly, so that at `now`
    (and for six days after) it is Expert 2's week: the rotation began a week and a half ago,
    whatever day and hour `now` is, daylight saving time included."""
    network = Network()
    for n in range(1, count + 1):
        network.experts[f"aad-expert-{n}"] = expert(n)
    began = (now - timedelta(days=7, hours=12)).astimezone(now.tzinfo)
    network.rotations[AREA] = Rotation(
        AREA, tuple(f"aad-expert-{n}" for n in range(1, rotation + 1)), began.date(),
        began.weekday(), began.time().replace(second=0, microsecond=0),
    )  # fmt: skip
    return network


@dataclass
class RecordingMessenger:
    """Records exactly what routing sent; people without a 1:1 chat can be set up."""

    channel_posts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    updates: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    direct: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    unreachable: set[str] = field(default_factory=set)

    async def to_channel(self, channel_id: str, card: dict[str, Any]) -> str:
        self.channel_posts.append((channel_id, card))
        return f"post-{len(self.channel_posts)}"

    async def update(self, conversation_id: str, activity_id: str, card: dict[str, Any]) -> None:
        self.updates.append((conversation_id, activity_id, card))

    async def to_person(self, user_id: str, card: dict[str, Any]) -> bool:
        if user_id in self.unreachable:
            return False
        self.direct.append((user_id, card))
        return True

    def direct_to(self, user_id: str) -> list[dict[str, Any]]:
        return [card for who, card in self.direct if who == user_id]
