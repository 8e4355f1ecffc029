"""Gaps are kept without names and grouped per area, the most asked first."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import Clock
from bot.criteria.gaps import Gaps
from bot.storage import Store


async def test_gaps_group_per_area_with_their_words_and_days(store: Store, clock: Clock) -> None:
    gaps = Gaps(store, clock)
    first = clock.today().isoformat()
    assert await gaps.record("Vilka krav på konstsnö i skidbackar?", "ovrigt")
    clock.advance(timedelta(days=2))
    assert await gaps.record("konstsnö och vatten i backen", "ovrigt")
    assert await gaps.record("Hur gör vi med ponnyridning?", "")
    assert not await gaps.record("hur gör vi?", "ovrigt")  # nothing meaningful to keep
    groups = await gaps.groups()
    assert [(g.area, g.count) for g in groups] == [("ovrigt", 2), ("okänt", 1)]
    ovrigt = groups[0]
    assert ovrigt.words[0] == ("konstsnö", 2)
    assert (ovrigt.first, ovrigt.last) == (first, clock.today().isoformat())
    assert [g.area for g in await gaps.groups("ovrigt")] == ["ovrigt"]
    stored = [r.data for r in await store.query("gaps")]
    assert all("?" not in " ".join(r["words"]) for r in stored)  # words, not the text
