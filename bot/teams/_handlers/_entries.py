"""What search hits stand for, shared by the criteria questions and the compose box."""

from __future__ import annotations

from collections.abc import Sequence

from bot.criteria import CriteriaLibrary, Criterion, Guide, PublishedAnswer
from bot.i18n import Texts, UserError
from bot.sharing import FollowUpReport, MarketAnalysis, SharingService
from cards import escape_markdown, followup_summary_text

Entry = Criterion | PublishedAnswer | Guide | MarketAnalysis | FollowUpReport
MAX_IDS = 5  # Krav IDs one command names (compare takes three, a plan a handful)


class Entries:
    def __init__(self, library: CriteriaLibrary, sharing: SharingService) -> None:
        self.library = library
        self._sharing = sharing

    async def entry(self, kind: str, document_id: str) -> Entry | None:
        """What a search hit stands for, by its kind and index id ("10699/avancerad",
        "answer/T12", "analysis/MA1"); None when it is gone or the id is malformed."""
        if kind == "criterion":
            return self.library.criterion(document_id)
        _, _, key = document_id.partition("/")
        if kind == "answer":
            return self.library.published_answer(key)
        if kind in ("analysis", "followup"):
            return await self._sharing.item(key)
        return self.library.guide(key) if kind == "guide" else None

    async def followed_up(self, entries: Sequence[Entry], texts: Texts) -> dict[str, str]:
        """How other municipalities followed each criterion among `entries` up, by Krav ID
        ("" when nobody has): one read of the shared follow-ups for all of them."""
        krav_ids = [e.krav_id for e in entries if isinstance(e, Criterion)]
        if not krav_ids:
            return {}
        summaries = await self._sharing.followups_for_each(krav_ids)
        return {k: followup_summary_text(s, texts) or "" for k, s in summaries.items()}

    def levels(self, krav_id: str) -> list[Criterion]:
        """Every level of a criterion; UserError when there is none."""
        levels = self.library.levels_of(krav_id.strip())
        if not levels:
            raise UserError("criterion.not_found", {"id": escape_markdown(krav_id.strip()[:40])})
        return levels

    def named(self, argument: str) -> list[str]:
        """The Krav IDs a command names ("11567, 10699"): at most MAX_IDS, so one message
        never makes the node look up thousands."""
        ids = list(dict.fromkeys(argument.replace(",", " ").split()))
        if len(ids) > MAX_IDS:
            raise UserError("criteria.too_many", {"max": MAX_IDS})
        return ids
