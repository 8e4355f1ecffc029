"""Expert routing: the experts' network and on-call rotations, tickets, escalation.
No botbuilder here: Teams is reached through the `Messenger` protocol."""

from bot.messaging import Messenger, Person
from bot.routing.network import (
    Expert,
    Network,
    NetworkFileError,
    NetworkRepository,
    Override,
    Rotation,
    read_network_file,
)
from bot.routing.service import Outcome, RoutingService
from bot.routing.tickets import ANSWERED, CLAIMED, OPEN, Ticket

__all__ = [
    "ANSWERED",
    "CLAIMED",
    "OPEN",
    "Expert",
    "Messenger",
    "Network",
    "NetworkFileError",
    "NetworkRepository",
    "Outcome",
    "Override",
    "Person",
    "Rotation",
    "RoutingService",
    "Ticket",
    "read_network_file",
]
