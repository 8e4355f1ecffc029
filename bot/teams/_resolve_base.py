"""What every part of the resolver shares: the turn, the services, the admin check."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from bot.agreements import Directory, FollowUpService
from bot.criteria import CriteriaLibrary, Criterion, Guide, PublishedAnswer
from bot.digest import DigestService
from bot.i18n import Texts, UserError, language_of, texts_for
from bot.links import LinkSigner
from bot.messaging import Messenger
from bot.node import Node
from bot.outbox import Outbox
from bot.people import GraphClient, Profiles, from_address, from_profile
from bot.privacy import PersonalData
from bot.procurements import ProcurementService
from bot.ratelimits import PersonLimits
from bot.routing import Person, RoutingService
from bot.sharing import FollowUpReport, MarketAnalysis, SharingService
from cards import escape_markdown, followup_summary_text

log = logging.getLogger(__name__)

Card = dict[str, Any]
Entry = Criterion | PublishedAnswer | Guide | MarketAnalysis | FollowUpReport
LOCALES = {"sv": "sv-SE", "en": "en-US"}
DOWNLOAD_SECONDS = 15 * 60


@dataclass(frozen=True)
class Turn:
    texts: Texts
    user_id: str  # the Teams user id
    user_name: str
    conversation_id: str
    conversation_type: str  # personal, channel or groupChat
    text: str = ""
    value: dict[str, Any] | None = None
    aad_id: str = ""
    locale: str = "sv-SE"
    team_id: str = ""
    team_group_id: str = ""  # the team's Microsoft 365 group (Entra) id, for its owners
    activity_id: str = ""  # the activity being handled: a retried one carries the same id
    # The person's e-mail/UPN from their Teams member profile, fetched only when asked for.
    member_email: Callable[[], Awaitable[str]] | None = None

    @property
    def person(self) -> Person:
        return Person(self.user_id, self.aad_id, self.user_name, self.locale)


class ResolverBase:
    """The services a resolver part may use (set by Resolver.__init__)."""

    _node: Node
    _criteria: CriteriaLibrary
    _routing: RoutingService
    _sharing: SharingService
    _links: LinkSigner
    _digest: DigestService
    _messenger: Messenger
    _graph: GraphClient | None
    _profiles: Profiles
    _privacy: PersonalData
    _limits: PersonLimits
    _followups: FollowUpService
    _procurements: ProcurementService
    _directory: Directory
    _outbox: Outbox

    async def _municipality(self, turn: Turn) -> str:
        """Where the asker works: their correction, Graph, their address, their last ticket."""
        corrected = await self._profiles.correction(turn.user_id)
        if corrected:
            return corrected
        if self._graph is not None and turn.aad_id:
            profile = await self._graph.profile(turn.aad_id) or {}
            address = profile.get("mail") or profile.get("userPrincipalName") or ""
            found = from_profile(profile) or from_address(address)
            if found:
                return found
        if turn.member_email is not None:
            found = from_address(await turn.member_email())
            if found:
                return found
        return await self._routing.last_municipality(turn.person)

    async def _who(self, turn: Turn) -> tuple[str, ...]:
        """Every name the person may stand under as a responsible person."""
        emails = await self._directory.emails_of(turn.user_id)
        if not emails and turn.member_email is not None:
            address = (await turn.member_email()).strip().lower()
            emails = frozenset({address} if address else ())
        ids = (f"teams:{turn.user_id}", turn.user_id, turn.aad_id)
        return (*sorted(emails), *(i for i in ids if i))

    async def in_their_language(self, turn: Turn, spoken: str = "") -> Turn:
        """One language per person: what they write when it is clear, else their stored
        choice, else the client's locale (else Swedish)."""
        language = spoken or await self._profiles.language(turn.user_id)
        language = language or language_of(turn.locale)
        return replace(turn, texts=texts_for(language), locale=LOCALES[language])

    async def _within_limit(self, turn: Turn, kind: str) -> None:
        """UserError("rate.limited") when this person has done `kind` too often lately."""
        if not await self._limits.allow(kind, turn.aad_id or turn.user_id):
            log.warning("person rate-limited", extra={"kind": kind})
            raise UserError("rate.limited")

    async def _is_owner_or_admin(self, turn: Turn) -> bool:
        """Admins, and with Graph configured the owners of the team the turn is in."""
        if self._is_admin(turn):
            return True
        if self._graph is None or not (turn.team_group_id and turn.aad_id):
            return False
        owners = await self._graph.team_owners(turn.team_group_id)
        return owners is not None and turn.aad_id in owners

    @property
    def _today(self) -> date:
        return self._node.clock.today()

    def _is_admin(self, turn: Turn) -> bool:
        admins = self._node.settings.admin_ids
        return bool(admins) and (turn.aad_id in admins or turn.user_id in admins)

    async def _entry(self, kind: str, document_id: str) -> Entry | None:
        """What a search hit stands for, by its kind and index id ("10699/avancerad",
        "answer/T12", "analysis/MA1"); None when it is gone or the id is malformed."""
        if kind == "criterion":
            return self._criteria.criterion(document_id)
        _, _, key = document_id.partition("/")
        if kind == "answer":
            return self._criteria.published_answer(key)
        if kind in ("analysis", "followup"):
            return await self._sharing.item(key)
        return self._criteria.guide(key) if kind == "guide" else None

    async def _followed_up(self, entries: Sequence[Entry], texts: Texts) -> dict[str, str]:
        """How other municipalities followed each criterion among `entries` up, by Krav ID
        ("" when nobody has): one read of the shared follow-ups for all of them."""
        krav_ids = [e.krav_id for e in entries if isinstance(e, Criterion)]
        if not krav_ids:
            return {}
        summaries = await self._sharing.followups_for_each(krav_ids)
        return {k: followup_summary_text(s, texts) or "" for k, s in summaries.items()}

    def _levels(self, krav_id: str) -> list[Criterion]:
        levels = self._criteria.levels_of(krav_id.strip())
        if not levels:
            raise UserError("criterion.not_found", {"id": escape_markdown(krav_id.strip()[:40])})
        return levels
