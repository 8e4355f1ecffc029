"""Who people are and whether they are at work: municipality and Graph presence."""

from bot.people.graph import AWAY, GraphClient, Presence
from bot.people.memberships import (
    AGREEMENT_RULES,
    ALL_MEMBERS,
    RESPONSIBLE_ONLY,
    Grant,
    Memberships,
)
from bot.people.municipality import Profiles, canonical, from_address, from_profile

__all__ = [
    "AGREEMENT_RULES",
    "ALL_MEMBERS",
    "AWAY",
    "RESPONSIBLE_ONLY",
    "Grant",
    "GraphClient",
    "Memberships",
    "Presence",
    "Profiles",
    "canonical",
    "from_address",
    "from_profile",
]
