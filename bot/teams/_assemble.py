"""The handlers, each given only its own services, and the dispatcher over them."""

from __future__ import annotations

from bot.agreements import Directory
from bot.app import Services
from bot.messaging import Messenger
from bot.teams._access import Subjects
from bot.teams._dispatch import Dispatcher
from bot.teams._files import FileFetcher
from bot.teams._handlers import (
    COMMANDS,
    AdminHandler,
    AgreementHandler,
    ComposeHandler,
    CriteriaHandler,
    DigestHandler,
    EvaluationHandler,
    GuideHandler,
    LibraryHandler,
    PeopleHandler,
    ProcurementHandler,
    RegionalHandler,
    SharingHandler,
    TicketHandler,
)
from bot.teams._handlers._entries import Entries
from bot.teams._turn import People


def dispatcher(
    services: Services, messenger: Messenger, directory: Directory, fetcher: FileFetcher
) -> Dispatcher:
    node = services.node
    settings, clock, library = node.settings, node.clock, node.criteria
    routing, sharing = services.routing, services.sharing
    entries = Entries(library, sharing)
    subjects = Subjects(routing, services.followups, services.procurements, services.memberships)
    guide = GuideHandler(COMMANDS, routing, node.demo)
    criteria = CriteriaHandler(entries, services.answers, routing, services.gaps)
    digest = DigestHandler(services.digest, messenger)
    files = LibraryHandler(library, services.followups, services.audit, services.links, fetcher)
    handlers = (
        guide,
        criteria,
        TicketHandler(routing, clock),
        RegionalHandler(services.gaps, services.regional, clock),
        SharingHandler(sharing, entries, services.links, settings.public_url, clock),
        AgreementHandler(services.followups, services.procurements, library),
        ProcurementHandler(services.procurements, library, sharing, subjects),
        digest,
        PeopleHandler(
            services.profiles,
            services.privacy,
            services.memberships,
            services.links,
            services.audit,
            settings.public_url,
        ),
        EvaluationHandler(
            services.statistics, services.survey, services.links, settings.public_url, clock
        ),
        AdminHandler(
            node,
            routing,
            services.digest,
            services.outbox,
            services.audit,
            services.graph,
            services.data_check,
        ),
        files,
    )
    people = People(settings, routing, directory, services.profiles, services.memberships,
                    services.graph)  # fmt: skip
    return Dispatcher(
        handlers, COMMANDS, guide=guide, criteria=criteria, digest=digest,
        compose=ComposeHandler(entries), files=files, people=people, subjects=subjects,
        profiles=services.profiles, library=library,
    )  # fmt: skip
