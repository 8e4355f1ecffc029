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
from datetime import date, timedelta

import aiohttp
from dateutil.relativedelta import relativedelta

from bot.agreements import AgreementRepository, Directory, FollowUpService
from bot.audit import AuditLog
from bot.channels import ChannelSettings
from bot.criteria import CriteriaLibrary
from bot.criteria.learning import LearnedWords
from bot.digest import DigestService
from bot.digest.delivery import DigestSender
from bot.digest.subscriptions import SubscriptionRepository
from bot.links import LinkSigner
from bot.messaging import Card, DeliveryError, Messenger, Person
from bot.node import Node
from bot.people import GraphClient, Profiles
from bot.personal import PersonalRecords, TableOwner
from bot.privacy import PersonalData
from bot.procurements import ProcurementService
from bot.procurements.records import ProcurementRecords
from bot.routing import NetworkRepository, RoutingService
from bot.routing.tickets import TicketRepository
from bot.sharing import SharedItems, SharingService
from bot.stats import ActivityLog
from bot.storage import Lease
from bot.tokens import DEFAULT_LOGIN, GRAPH_SCOPE, AppTokenProvider
from cards import AgreementCards, DigestCards, ProcurementPresenter, TicketCards

SECRET_WARNING_DAYS = 30
log = logging.getLogger(__name__)

# Every table's owner below the Teams edge (bot.teams adds its own): each declares its tables
# and what in them is personal data. A test checks that everything stored has an owner here.
TABLE_OWNERS: tuple[type[TableOwner], ...] = (
    TicketRepository, NetworkRepository, ChannelSettings, SharedItems, CriteriaLibrary,
    AuditLog, Profiles, ActivityLog, SubscriptionRepository, DigestSender, DigestService,
    LinkSigner, Lease, AgreementRepository, ProcurementRecords, LearnedWords,
)  # fmt: skip
_HOUSEKEEPING_INTERVAL_S = 3600
Housekeeping = Callable[[], Awaitable[int]]


@dataclass
class Services:
    node: Node
    routing: RoutingService
    sharing: SharingService
    digest: DigestService
    followups: FollowUpService
    procurements: ProcurementService
    links: LinkSigner
    privacy: PersonalData
    graph: GraphClient | None
    directory: Directory


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
) -> Services:
    """The services; `directory` tells who a responsible person is in Teams (the Teams
    edge's conversation book), `personal` adds the edge's own owners of personal data."""
    settings, store, clock = node.settings, node.store, node.clock
    graph = graph_client(node, session) if session is not None else None
    ticket_cards = TicketCards(settings.zone, settings.language)
    routing = RoutingService(
        store, messenger, node.criteria, ticket_cards, clock,
        settings.escalation_hours, presence=graph.presences if graph else None,
        claim_seconds=settings.delivery_claim_s,
    )  # fmt: skip
    digest = DigestService(
        store, messenger, DigestCards(settings.language), clock, settings.digest_rate,
        settings.digest_schedule, lease_seconds=settings.routing_interval_s * 3,
    )  # fmt: skip
    directory = directory or NoDirectory()
    sharing = SharingService(store, messenger, node.criteria, clock)
    followups = FollowUpService(
        store, messenger, node.criteria, AgreementCards(), directory, clock, routing,
        sharing, claim_seconds=settings.delivery_claim_s,
    )  # fmt: skip
    return Services(
        node=node,
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
        ),
        links=await LinkSigner.shared(store, clock, settings.link_secret),
        privacy=PersonalData(store, clock, personal, directory.emails_of),
        graph=graph,
        directory=directory,
    )


async def load_demo_agreements(services: Services) -> None:
    """`make run`: two agreements with the same supplier and criterion in Lund and Malmö, for
    Alex Wilber and Megan Bowen (the Playground's users), the first follow-up due in ten days,
    and two overlapping planned procurements, unless agreements are already stored."""
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
    """The background round, owned by the app (started and stopped with it): finish pending
    deliveries, escalate unclaimed tickets, send the weekly digest when due, and hourly
    housekeeping (retention, old marks). One instance at a time does this, by a lease."""

    def __init__(self, services: Services, housekeeping: Sequence[Housekeeping] = ()) -> None:
        node = services.node
        self._services = services
        self._interval = node.settings.routing_interval_s
        self._retention_months = node.settings.retention_months
        holder = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._clock = node.clock
        self._lease = Lease(node.store, "routing", holder, self._interval * 3, node.clock)
        self._housekeeping = (services.routing.forget_origins, *housekeeping)
        self._task: asyncio.Task[None] | None = None
        self._cleaned_at = float("-inf")
        self._warned_on: date | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="background")

    async def _run(self) -> None:
        while True:
            try:
                await self.round()
            except Exception:
                log.exception("background round failed; trying again later")
            await asyncio.sleep(self._interval)

    async def round(self) -> None:
        if not await self._lease.acquire():
            return
        services = self._services
        delivered = await services.routing.deliver_pending()
        escalated = await services.routing.escalate_due()
        reminded = await services.followups.remind() + await services.procurements.nudge()
        if delivered or escalated or reminded:
            figures = {"delivered": delivered, "escalated": escalated, "reminded": reminded}
            log.info("background round", extra=figures)
        if await services.digest.due():
            report = await services.digest.run()
            figures = {"sent": report.sent, "gone": report.gone, "failed": report.failed}
            log.info("weekly digest", extra={"week": report.week, **figures})
        now = self._clock.time()
        if not 0 <= now - self._cleaned_at <= _HOUSEKEEPING_INTERVAL_S:
            self._cleaned_at = now
            self._warn_of_secret_expiry()
            removed = sum([await clean() for clean in self._housekeeping])
            anonymised = await services.privacy.apply_retention(self._retention_months)
            if removed or anonymised:
                log.info("housekeeping", extra={"pruned": removed, "anonymised": anonymised})

    def _warn_of_secret_expiry(self) -> None:
        """Once a day from 30 days before the client secret expires: a warning to alert on."""
        today = self._clock.today()
        days = self._services.node.settings.secret_expires_in_days(today)
        if days is not None and days <= SECRET_WARNING_DAYS and self._warned_on != today:
            self._warned_on = today
            log.warning("client secret expires soon: renew it in Key Vault",
                        extra={"days_left": days})  # fmt: skip

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
