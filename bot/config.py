"""Settings, read once from the environment.

Bot Framework settings keep the names the SDK samples use (MicrosoftAppId, ...); the node's
own settings are prefixed NODE_. `.env.example` documents every one.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.clock import Clock, parse_instant

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _split(value: str) -> frozenset[str]:
    return frozenset(part.strip() for part in value.replace(";", ",").split(",") if part.strip())


@dataclass(frozen=True)
class Schedule:
    """When the weekly digest goes out (local time in the node's zone)."""

    weekday: int = 0  # Monday
    hour: int = 8
    minute: int = 0


@dataclass(frozen=True)
class Settings:
    app_id: str = ""
    app_password: str = field(default="", repr=False)
    # Settings whose Key Vault reference App Service could not resolve (their names only).
    unresolved: tuple[str, ...] = ()
    # Azure creates single-tenant bots only (the region's host tenant, see docs/deploy.md).
    app_type: str = "SingleTenant"
    app_tenant_id: str = ""
    secret_expires: str = ""  # YYYY-MM-DD: when the client secret stops working
    storage_account_url: str = ""  # Azure Tables through the managed identity, no key
    storage_connection_string: str = field(default="", repr=False)
    table_prefix: str = "mkn"
    data_dir: Path = Path("data")
    allowed_tenants: frozenset[str] = frozenset()
    admin_ids: frozenset[str] = frozenset()
    # Where a file sent to the bot may be downloaded from (Teams hands out SharePoint/OneDrive
    # links): hosts, each matching itself and its subdomains. Nothing else is fetched.
    file_hosts: tuple[str, ...] = ("sharepoint.com",)
    time_zone: str = "Europe/Stockholm"
    language: str = "sv"  # the node's language: channel posts (people get their own)
    max_body_bytes: int = 256 * 1024
    # Working hours a routed question may stay unclaimed before it escalates.
    escalation_hours: float = 4.0
    # How often the background round (pending deliveries, escalations) runs.
    routing_interval_s: float = 60.0
    # How long a claimed delivery (a channel post, a 1:1) may take before another round
    # takes it over; longer than any send lasts (the HTTP client gives up after 30 s).
    delivery_claim_s: float = 90.0
    # Closed tickets older than this are anonymised.
    retention_months: float = 24.0
    # Where people reach the bot's own pages (download links): https://<host> in production.
    public_url: str = "http://127.0.0.1:3978"
    # Signs download links; empty: a secret generated once and kept in storage.
    link_secret: str = field(default="", repr=False)
    # The weekly digest: requests per second to Teams, when it goes out, and the secret a
    # timer must send to POST /api/digest/run (empty: that endpoint is off).
    digest_rate: float = 40.0
    digest_weekday: int = 0
    digest_time: str = "08:00"
    digest_secret: str = field(default="", repr=False)
    telemetry_connection: str = field(default="", repr=False)
    # Microsoft Graph (profiles, presence) with the bot's own app registration; off by default.
    graph_enabled: bool = False
    graph_url: str = "https://graph.microsoft.com"
    graph_login_url: str = ""
    # Where inbound channel tokens' signing keys are published; tests point it at a local server.
    openid_metadata_url: str = ""
    # Where the bot gets its own outbound token (an Entra authority URL); empty: Entra's own.
    login_url: str = ""
    # Tests and demos only: the node's clock starts at this ISO instant and runs on from there.
    test_now: str = ""

    @property
    def auth_enabled(self) -> bool:
        return bool(self.app_id)

    @property
    def uses_managed_identity(self) -> bool:
        """The bot runs as a user-assigned managed identity: no client secret."""
        return self.app_type == "UserAssignedMSI"

    def secret_expires_in_days(self, today: date) -> int | None:
        """Days until the client secret expires (MicrosoftAppPasswordExpires); None when
        there is no secret or its expiry is not configured."""
        if self.uses_managed_identity or not self.app_password or not self.secret_expires:
            return None
        return (date.fromisoformat(self.secret_expires) - today).days

    @property
    def public_url_is_loopback(self) -> bool:
        return (urlsplit(self.public_url).hostname or "") in LOOPBACK_HOSTS

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def clock(self) -> Clock:
        """The node's clock: the wall clock, or from NODE_TEST_NOW on (tests, demos)."""
        return Clock.starting_at(self.zone, self.test_now)

    @property
    def uses_azure_tables(self) -> bool:
        return bool(self.storage_connection_string or self.storage_account_url)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        settings = cls(
            unresolved=unresolved_references(env),
            app_id=env.get("MicrosoftAppId", "").strip(),
            app_password=env.get("MicrosoftAppPassword", ""),
            app_type=env.get("MicrosoftAppType", "").strip() or "SingleTenant",
            app_tenant_id=env.get("MicrosoftAppTenantId", "").strip(),
            secret_expires=env.get("MicrosoftAppPasswordExpires", "").strip()[:10],
            storage_account_url=env.get("NODE_STORAGE_ACCOUNT_URL", "").strip(),
            storage_connection_string=env.get("NODE_STORAGE_CONNECTION_STRING", "").strip(),
            table_prefix=env.get("NODE_TABLE_PREFIX", "mkn").strip() or "mkn",
            data_dir=Path(env.get("NODE_DATA_DIR", "data")),
            allowed_tenants=_split(env.get("NODE_ALLOWED_TENANTS", "")),
            admin_ids=_split(env.get("NODE_ADMIN_IDS", "")),
            file_hosts=tuple(sorted(_split(env.get("NODE_FILE_HOSTS", "sharepoint.com")))),
            time_zone=env.get("NODE_TIME_ZONE", "Europe/Stockholm").strip() or "Europe/Stockholm",
            language=_language(env.get("NODE_LANGUAGE", "")),
            max_body_bytes=int(env.get("NODE_MAX_BODY_BYTES", str(256 * 1024))),
            escalation_hours=float(env.get("NODE_ESCALATION_HOURS", "4")),
            routing_interval_s=float(env.get("NODE_ROUTING_INTERVAL_S", "60")),
            delivery_claim_s=float(env.get("NODE_DELIVERY_CLAIM_S", "90")),
            retention_months=float(env.get("NODE_RETENTION_MONTHS", "24")),
            public_url=_public_url(env),
            link_secret=env.get("NODE_LINK_SECRET", ""),
            digest_rate=float(env.get("NODE_DIGEST_RATE", "40")),
            digest_weekday=int(env.get("NODE_DIGEST_WEEKDAY", "0")),
            digest_time=env.get("NODE_DIGEST_TIME", "08:00").strip() or "08:00",
            digest_secret=env.get("NODE_DIGEST_SECRET", ""),
            telemetry_connection=env.get("APPLICATIONINSIGHTS_CONNECTION_STRING", "").strip(),
            graph_enabled=env.get("NODE_GRAPH_ENABLED", "").lower() in ("1", "true", "ja", "yes"),
            graph_url=env.get("NODE_GRAPH_URL", "").strip() or "https://graph.microsoft.com",
            graph_login_url=env.get("NODE_GRAPH_LOGIN_URL", "").strip(),
            openid_metadata_url=env.get("TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL", "").strip(),
            login_url=env.get("TO_CHANNEL_FROM_BOT_LOGIN_URL", "").strip(),
            test_now=env.get("NODE_TEST_NOW", "").strip(),
        )
        # Fail at start, not at the first digest or warning, on a bad zone, date or instant.
        settings.zone  # noqa: B018
        if settings.test_now:
            parse_instant(settings.test_now, settings.zone)
        if settings.secret_expires:
            date.fromisoformat(settings.secret_expires)
        settings.digest_schedule  # noqa: B018 - likewise for a bad digest time
        return settings

    @property
    def digest_schedule(self) -> Schedule:
        hour, _, minute = self.digest_time.partition(":")
        if not 0 <= self.digest_weekday <= 6:
            raise ValueError("NODE_DIGEST_WEEKDAY must be 0 (Monday) to 6 (Sunday)")
        return Schedule(self.digest_weekday, int(hour), int(minute or 0))


# App Service puts a Key Vault reference's own text in the setting when it cannot read the
# secret (the identity's permission not yet there, a wrong name): the node would then sign
# links and guard the digest with "@Microsoft.KeyVault(SecretUri=…)", a guessable value.
KEY_VAULT_REFERENCE = "@Microsoft.KeyVault("


def unresolved_references(env: Mapping[str, str]) -> tuple[str, ...]:
    """The names of settings still holding a Key Vault reference's text."""
    return tuple(sorted(name for name, value in env.items()
                        if value.strip().startswith(KEY_VAULT_REFERENCE)))  # fmt: skip


def _language(value: str) -> str:
    """NODE_LANGUAGE: "sv" (the default) or "en"; anything else stops the start."""
    language = value.strip().lower() or "sv"
    if language not in ("sv", "en"):
        raise ValueError("NODE_LANGUAGE must be sv or en")
    return language


def _public_url(env: Mapping[str, str]) -> str:
    """Where people's browsers reach the node ("mina data", plan downloads): NODE_PUBLIC_URL,
    else App Service's own host name, else the local address."""
    explicit = env.get("NODE_PUBLIC_URL", "").strip()
    if explicit:
        return explicit.rstrip("/")
    host = env.get("WEBSITE_HOSTNAME", "").strip()
    return f"https://{host}" if host else "http://127.0.0.1:3978"


def environment(dotenv: Path = Path(".env")) -> dict[str, str]:
    """The process environment over a `.env` file's values: the environment wins."""
    from dotenv import dotenv_values

    values = {k: v for k, v in dotenv_values(dotenv).items() if v is not None}
    return {**values, **os.environ}
