"""One handler per job, each given only its own services. Their order is the order help and
the compose box's menus list their commands in."""

from bot.commands import CommandBook
from bot.teams._handlers.admin import AdminHandler
from bot.teams._handlers.agreements import AgreementHandler
from bot.teams._handlers.compose import ComposeHandler
from bot.teams._handlers.criteria import CriteriaHandler
from bot.teams._handlers.digest import DigestHandler
from bot.teams._handlers.evaluation import EvaluationHandler
from bot.teams._handlers.guide import GuideHandler
from bot.teams._handlers.library import LibraryHandler
from bot.teams._handlers.people import PeopleHandler
from bot.teams._handlers.procurements import ProcurementHandler
from bot.teams._handlers.regional import RegionalHandler
from bot.teams._handlers.sharing import SharingHandler
from bot.teams._handlers.tickets import TicketHandler
from bot.teams._routes import Handler

HANDLERS: tuple[type[Handler], ...] = (
    GuideHandler, CriteriaHandler, TicketHandler, RegionalHandler, SharingHandler, AgreementHandler,
    ProcurementHandler, DigestHandler, PeopleHandler, EvaluationHandler, AdminHandler,
    LibraryHandler,
)  # fmt: skip
# Every command, from the handlers' declarations: parsing, help, the manifest's menus.
COMMANDS = CommandBook([route.spec for handler in HANDLERS for route in handler.COMMANDS])

__all__ = [
    "COMMANDS",
    "HANDLERS",
    "AdminHandler",
    "AgreementHandler",
    "ComposeHandler",
    "CriteriaHandler",
    "DigestHandler",
    "EvaluationHandler",
    "GuideHandler",
    "LibraryHandler",
    "PeopleHandler",
    "ProcurementHandler",
    "RegionalHandler",
    "SharingHandler",
    "TicketHandler",
]
