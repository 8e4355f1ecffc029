"""Who people are and whether they are at work: municipality and Graph presence."""

from bot.people.graph import AWAY, GraphClient, Presence
from bot.people.municipality import Profiles, canonical, from_address, from_profile

__all__ = [
    "AWAY",
    "GraphClient",
    "Presence",
    "Profiles",
    "canonical",
    "from_address",
    "from_profile",
]
