"""A turn as the handlers see it (no botbuilder): who wrote, where, what; and the party they
are to the node, looked up only when an access rule or a form asks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from bot.agreements import Directory
from bot.config import Settings
from bot.i18n import Texts
from bot.people import GraphClient, Memberships, Profiles, from_address, from_profile
from bot.people.municipality import home_address
from bot.routing import Expert, Person, RoutingService

Card = dict[str, Any]


class Party:
    """Who the person behind a turn is to the node. Each fact is looked up once a turn, and
    only when asked: most turns need none."""

    def __init__(self, turn: Turn, people: People) -> None:
        self._turn = turn
        self._people = people
        self.admin = people.is_admin(turn.user_id, turn.aad_id)
        self._expert: tuple[Expert | None] | None = None
        self._names: tuple[str, ...] | None = None
        self._municipalities: frozenset[str] | None = None
        self._address: str | None = None

    @property
    def person(self) -> Person:
        return self._turn.person

    async def expert(self) -> Expert | None:
        if self._expert is None:
            self._expert = (await self._people.routing.expert(self.person),)
        return self._expert[0]

    async def address(self) -> str:
        """Their sign-in address from Teams' roster (a guest's as it is in the host tenant)."""
        if self._address is None:
            fetch = self._turn.member_email
            self._address = (await fetch()).strip().lower() if fetch is not None else ""
        return self._address

    async def names(self) -> tuple[str, ...]:
        """Every name the person may stand under as a responsible person or contact: their
        addresses (a guest's home one too) and their Teams and Entra ids."""
        if self._names is None:
            emails = set(await self._people.directory.emails_of(self._turn.user_id))
            address = await self.address()
            if address:
                emails.add(address)
            emails |= {from_home(e) for e in emails}
            ids = (f"teams:{self._turn.user_id}", self._turn.user_id, self._turn.aad_id)
            self._names = (*sorted(emails), *(i for i in ids if i))
        return self._names

    async def municipalities(self) -> frozenset[str]:
        """The municipalities the person verifiably belongs to: the directory's (Graph
        profile, the home domain of their address) and admins' grants. Never what they
        stated themselves."""
        if self._municipalities is None:
            found: set[str] = set()
            graph = self._people.graph
            if graph is not None and self._turn.aad_id:
                profile = await graph.profile(self._turn.aad_id) or {}
                address = profile.get("mail") or profile.get("userPrincipalName") or ""
                found |= {m for m in (from_profile(profile), from_address(address)) if m}
            names = await self.names()
            found |= {m for m in map(from_address, (n for n in names if "@" in n)) if m}
            found |= await self._people.memberships.granted(names)
            self._municipalities = frozenset(found)
        return self._municipalities

    async def coordinator(self) -> bool:
        """Made the region's coordinator by an admin."""
        return await self._people.memberships.is_coordinator(await self.names())

    async def member_of(self, municipality: str) -> bool:
        return municipality in await self.municipalities()

    async def municipality(self) -> str:
        """Where to prefill forms: their own correction, else where they verifiably belong,
        else their last question's. A preference, never a right."""
        corrected = await self._people.profiles.correction(self._turn.user_id)
        if corrected:
            return corrected
        verified = sorted(await self.municipalities())
        if verified:
            return verified[0]
        return await self._people.routing.last_municipality(self.person)

    async def address_or_empty(self) -> str:
        """The first of their addresses, to prefill "responsible" and "contact"."""
        return next((n for n in await self.names() if "@" in n), "")

    async def owns_team(self) -> bool:
        """An owner of the team the turn is in (with Graph configured), or an admin."""
        graph = self._people.graph
        if self.admin:
            return True
        if graph is None or not (self._turn.team_group_id and self._turn.aad_id):
            return False
        owners = await graph.team_owners(self._turn.team_group_id)
        return owners is not None and self._turn.aad_id in owners


def from_home(address: str) -> str:
    return home_address(address).lower()


@dataclass
class People:
    """What a party is made of: the admins, the experts, the directory, grants, Graph."""

    settings: Settings
    routing: RoutingService
    directory: Directory
    profiles: Profiles
    memberships: Memberships
    graph: GraphClient | None

    def is_admin(self, user_id: str, aad_id: str) -> bool:
        admins = self.settings.admin_ids
        return bool(admins) and (aad_id in admins or user_id in admins)


@dataclass(frozen=True)
class SentFile:
    """A file a person sent the bot in the 1:1 chat (Teams gives a short-lived download URL)."""

    name: str
    url: str


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
    file: SentFile | None = None
    known_party: Party | None = field(default=None, compare=False, repr=False)

    @property
    def party(self) -> Party:
        """Who they are to the node (set by the dispatcher before any handler runs)."""
        if self.known_party is None:
            raise LookupError("the turn's party is set by the dispatcher")
        return self.known_party

    def with_party(self, people: People) -> Turn:
        return replace(self, known_party=Party(self, people))

    @property
    def person(self) -> Person:
        return Person(self.user_id, self.aad_id, self.user_name, self.locale)

    @property
    def channel(self) -> str:
        """The channel (or chat) itself: a channel thread's id without its message part."""
        return self.conversation_id.split(";")[0]

    @property
    def origin(self) -> str:
        """This activity, for de-duplicating what it creates when Teams retries it."""
        return f"{self.conversation_id}|{self.activity_id}" if self.activity_id else ""
