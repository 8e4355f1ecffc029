"""The node's wiring, once, for the server and the command line alike: the services and the
background round. No botbuilder here: the Teams edge hands in its `Messenger` (and its own
owners of personal data); the CLI hands in the outbound one, or none when it sends nothing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

import aiohttp
from dateutil.relativedelta import relativedelta

from bot.agreements import AgreementRepository, Directory, FollowUpService
from bot.audit import AuditLog
from bot.channels import ChannelSettings
from bot.criteria import AnswerLog, CriteriaLibrary
from bot.criteria.gaps import Gaps
from bot.criteria.learning import LearnedWords
from bot.criteria.regional import RegionalCriteria
from bot.digest import DigestService
from bot.digest.subscriptions import SubscriptionRepository
from bot.jobs import Job, JobRunner
from bot.links import LinkSigner
from bot.messaging import Card, DeliveryError, Messenger, Person
from bot.node import Node
from bot.outbox import Outbox
from bot.people import GraphClient, Memberships, Profiles
from bot.personal import PersonalRecords, TableOwner
from bot.privacy import MONTH_S, PersonalData
from bot.procurements import ProcurementService
from bot.procurements.records import ProcurementRecords
from bot.routing import NetworkRepository, RoutingService
from bot.routing.tickets import TicketRepository
from bot.sharing import SharedItems, SharingService
from bot.stats import ActivityLog, StatisticsService
from bot.storage import Lease
from bot.storage.shapes import DataCheck, Shape
from bot.survey import PulseSurvey
from bot.tokens import DEFAULT_LOGIN, GRAPH_SCOPE, AppTokenProvider
from cards import (
    AgreementCards,
    DigestCards,
    ProcurementPresenter,
    SharedItemCards,
    SurveyCards,
    TicketCards,
)

SECRET_WARNING_DAYS = 30
log = logging.getLogger(__name__)

# Every table's owner below the Teams edge (bot.teams adds its own): each declares its tables
# and what in them is personal data. A test checks that everything stored has an owner here.
TABLE_OWNERS: tuple[type[TableOwner], ...] = (
    TicketRepository, NetworkRepository, ChannelSettings, SharedItems, CriteriaLibrary,
    AuditLog, Profiles, ActivityLog, SubscriptionRepository, DigestService,
    LinkSigner, Lease, AgreementRepository, ProcurementRecords, LearnedWords, Outbox, JobRunner,
    AnswerLog, Memberships, PulseSurvey, Gaps, RegionalCriteria,
)  # fmt: skip


def record_shapes(owners: Sequence[type[TableOwner]] = TABLE_OWNERS) -> dict[str, Shape]:
    """Each table's record check, from the owners that declare one (a restore runs them)."""
    return {table: shape for owner in owners
            for table, shape in getattr(owner, "SHAPES", {}).items()}  # fmt: skip


_HOUSEKEEPING_INTERVAL_S = 3600
_DAILY_S = 86400
Housekeeping = Callable[[], Awaitable[int]]


@dataclass
class Services:
    node: Node
    outbox: Outbox
    routing: RoutingService
    sharing: SharingService
    digest: DigestService
    followups: FollowUpService
    procurements: ProcurementService
    links: LinkSigner
    privacy: PersonalData
    graph: GraphClient | None
    directory: Directory
    answers: AnswerLog
    memberships: Memberships
    profiles: Profiles
    audit: AuditLog
    data_check: DataCheck
    statistics: StatisticsService
    survey: PulseSurvey
    gaps: Gaps
    regional: RegionalCriteria


class NoDirectory:
    """For commands that reach nobody: no one is known."""

    async def person(self, who: str) -> Person | None:
        return None

    async def emails_of(self, user_id: str) -> frozenset[str]:
        return frozenset()


class NoMessenger:
    """For commands that send nothing to Teams: any attempt is a delivery error."""

    async def to_channel(self, channel_id: str, card: Card) -> str:
        raise DeliveryError("this command does not reach Teams")

    async def update(self, conversation_id: str, activity_id: str, card: Card) -> None:
        raise DeliveryError("this command does not reach Teams")

    async def to_person(self, user_id: str, card: Card) -> bool:
        raise DeliveryError("this command does not reach Teams")


def graph_client(node: Node, session: aiohttp.ClientSession) -> GraphClient | None:
    """Microsoft Graph with the bot's own identity (its registration's secret, or the managed
    identity), when configured (NODE_GRAPH_ENABLED)."""
    settings = node.settings
    if not (settings.graph_enabled and settings.app_id and settings.app_tenant_id):
        return None
    base = (settings.graph_login_url or DEFAULT_LOGIN).rstrip("/")
    tokens = AppTokenProvider(
        settings.app_id,
        settings.app_password,
        f"{base}/{settings.app_tenant_id}",
        known_host=not settings.graph_login_url,
        scope=GRAPH_SCOPE,
        managed_identity=settings.uses_managed_identity,
    )
    return GraphClient(tokens, session, settings.graph_url)


async def build_services(
    node: Node,
    messenger: Messenger,
    session: aiohttp.ClientSession | None = None,
    personal: Sequence[PersonalRecords] = (),
    directory: Directory | None = None,
    reachable: Callable[[], Awaitable[Sequence[tuple[str, str]]]] | None = None,
) -> Services:
    """The services; `directory` tells who a responsible person is in Teams (the Teams
    edge's conversation book), `personal` adds the edge's own owners of personal data."""
    settings, store, clock = node.settings, node.store, node.clock
    graph = graph_client(node, session) if session is not None else None
    # Everything the node sends on its own goes through this one outbox (bot/outbox.py).
    outbox = Outbox(store, clock, settings.delivery_claim_s, settings.digest_rate)
    ticket_cards = TicketCards(settings.zone, settings.language)
    routing = RoutingService(
        store, messenger, node.criteria, ticket_cards, clock, outbox,
        settings.escalation_hours, presence=graph.presences if graph else None,
        retention_s=settings.retention_months * MONTH_S,
    )  # fmt: skip
    await routing.prepare()
    digest = DigestService(store, messenger, DigestCards(settings.language), clock, outbox,
                           settings.digest_schedule)  # fmt: skip
    directory = directory or NoDirectory()
    answers, memberships = AnswerLog(store, clock), Memberships(store, clock)
    profiles = Profiles(store)
    sharing = SharingService(store, messenger, node.criteria, clock, outbox,
                             SharedItemCards(settings.language))  # fmt: skip
    regional = RegionalCriteria(store, clock, node.criteria)
    survey = PulseSurvey(store, clock, outbox, messenger, directory, SurveyCards(clock.today),
                         reachable or _nobody)  # fmt: skip
    followups = FollowUpService(
        store, messenger, node.criteria, AgreementCards(), directory, clock, routing,
        sharing, outbox,
    )  # fmt: skip
    return Services(
        node=node,
        outbox=outbox,
        routing=routing,
        sharing=sharing,
        digest=digest,
        followups=followups,
        procurements=ProcurementService(
            store,
            messenger,
            node.criteria,
            ProcurementPresenter(settings.language),
            directory,
            routing,
            clock,
            outbox,
        ),
        links=await LinkSigner.shared(store, clock, settings.link_secret),
        privacy=PersonalData(
            store,
            clock,
            (*personal, outbox, answers, memberships, survey, regional),
            directory.emails_of,
            profiles,
        ),
        graph=graph,
        directory=directory,
        answers=answers,
        memberships=memberships,
        profiles=profiles,
        audit=AuditLog(store, clock),
        data_check=DataCheck(store, record_shapes()),
        statistics=StatisticsService(store, clock, settings.escalation_hours, survey.figures),
        survey=survey,
        gaps=Gaps(store, clock),
        regional=regional,
    )


async def _nobody() -> Sequence[tuple[str, str]]:
    """Who the node can reach 1:1, where nothing can be reached (commands, tests)."""
    return ()


async def load_demo_agreements(services: Services) -> None:
    """`make run`: two agreements with the same supplier and criterion in Lund and Malmö, for
    Alex Wilber and Megan Bowen (the Playground's users), the first follow-up due in ten days,
    and two overlapping planned procurements, unless agreements are already stored."""
    # The Playground's users have no directory to place them: an admin's grant does.
    for who, municipality in (("teams:user-id-0", "Lund"), ("teams:user-id-1", "Malmö")):
        await services.memberships.grant(who, municipality, "demo")
    followups = services.followups
    if await followups.repository.all_agreements():
        return
    today = followups.today()
    start = (today - relativedelta(months=3) + timedelta(days=10)).isoformat()
    end = (today + relativedelta(years=3)).isoformat()
    for municipality, who, name in (("Lund", "teams:user-id-0", "Alex Wilber"),
                                    ("Malmö", "teams:user-id-1", "Megan Bowen")):  # fmt: skip
        await followups.register({
            "municipality": municipality, "title": "Lokalvård skolor 2026",
            "area": "stad-och-kemikalier", "product_group": "Städtjänster",
            "supplier": "Städbolaget Exempel AB", "org_number": "556036-0793",
            "start": start, "end": end, "responsible": who, "responsible_name": name,
            "criteria": "11567, 10855:1", "interval": "kvartal",
        }, "demo")  # fmt: skip
    # Two plans of Lund and Malmö buying the same cleaning services, four months apart, with
    # Lund's announced within ten weeks and no expert yet: the overlap and the nudge show.
    for municipality, who, title, months in (
        ("Lund", "teams:user-id-0", "Lokalvård förskolor", 2),
        ("Malmö", "teams:user-id-1", "Städtjänster stadsdelar", 6),
    ):
        announce = today + relativedelta(months=months)
        await services.procurements.register({
            "municipality": municipality, "title": title, "area": "stad-och-kemikalier",
            "product_group": "Städtjänster", "stage": "marknadsanalys",
            "announce": f"{announce:%Y-%m}",
            "contract_start": (announce + relativedelta(months=6)).replace(day=1).isoformat(),
            "contact": who, "open_to_coordinate": "true",
        }, "demo")  # fmt: skip
    log.info("demo agreements and procurements loaded")


class Background:
    """The background round, owned by the app (started and stopped with it): its jobs, each
    on its own (bot/jobs.py): send what is due in the outbox (ticket messages, escalation
    checks, reminders, nudges, digests), schedule the weekly digest when due, hourly
    housekeeping, a daily check of the client secret's expiry. One instance at a time runs
    the round, by a lease."""

    def __init__(self, services: Services, housekeeping: Sequence[Housekeeping] = ()) -> None:
        node = services.node
        self._services = services
        self._interval = node.settings.routing_interval_s
        holder = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._clock = node.clock
        self._lease = Lease(node.store, "routing", holder, self._interval * 3, node.clock)
        self._housekeeping = (services.routing.forget_origins, services.outbox.prune,
                              services.answers.prune, *housekeeping)  # fmt: skip
        self._task: asyncio.Task[None] | None = None
        self.jobs = JobRunner(node.store, node.clock, background_jobs(
            services, self._digest, self._clean, self._warn_of_secret_expiry))  # fmt: skip

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="background")

    async def _run(self) -> None:
        while True:
            try:
                await self.round()
            except Exception:  # the lease (the store) itself: every job waits a round
                log.exception("background round failed; trying again later")
            await asyncio.sleep(self._interval)

    async def round(self) -> None:
        if await self._lease.acquire():
            await self.jobs.run_due()

    async def _digest(self) -> None:
        digest = self._services.digest
        if await digest.due():
            report = await digest.run()
            figures = {"sent": report.sent, "gone": report.gone, "failed": report.failed}
            log.info("weekly digest", extra={"week": report.week, **figures})

    async def _clean(self) -> None:
        removed = sum([await clean() for clean in self._housekeeping])
        if removed:
            log.info("housekeeping", extra={"pruned": removed})

    async def _warn_of_secret_expiry(self) -> None:
        """From 30 days before the client secret expires: a daily warning to alert on."""
        days = self._services.node.settings.secret_expires_in_days(self._clock.today())
        if days is not None and days <= SECRET_WARNING_DAYS:
            log.warning("client secret expires soon: renew it in Key Vault",
                        extra={"days_left": days})  # fmt: skip

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


def background_jobs(
    services: Services,
    digest: Callable[[], Awaitable[None]],
    clean: Callable[[], Awaitable[None]],
    secret: Callable[[], Awaitable[None]],
) -> list[Job]:
    """The round's jobs in order: the digest is scheduled before the outbox sends."""
    return [
        Job("digest", digest),
        Job("outbox", services.outbox.run),
        Job("housekeeping", clean, _HOUSEKEEPING_INTERVAL_S),
        Job("data-check", services.data_check.run, _DAILY_S, ran_at_start=True),
        Job("secret-expiry", secret, _DAILY_S),
    ]
