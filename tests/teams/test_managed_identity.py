"""No secrets in settings: the bot runs as a user-assigned managed identity, and Storage is
reached with the app's managed identity; both fetch tokens from App Service's identity
endpoint (a local one here)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from bot.config import Settings
from bot.storage._azure import managed_identity
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn
from tests.support.graph import GraphStandIn
from tests.support.identity import ChannelIssuer, ManagedIdentityEndpoint, TokenEndpoint
from tests.teams.test_auth import APP_ID, secured_settings


@pytest.fixture
def identity_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[ManagedIdentityEndpoint]:
    endpoint = ManagedIdentityEndpoint()
    endpoint.start()
    monkeypatch.setenv("IDENTITY_ENDPOINT", endpoint.url)
    monkeypatch.setenv("IDENTITY_HEADER", "local-identity-header")
    for name in ("AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID", "MSI_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    yield endpoint
    endpoint.stop()


async def test_replies_carry_the_managed_identitys_token(
    tmp_path: Path,
    issuer: ChannelIssuer,
    authority: TokenEndpoint,
    identity_endpoint: ManagedIdentityEndpoint,
    connector: ConnectorStandIn,
) -> None:
    settings = secured_settings(
        tmp_path, issuer, authority, app_type="UserAssignedMSI", app_password=""
    )
    server = BotServer(settings)
    await server.start()
    try:
        token = issuer.token(APP_ID, connector.url)
        status, _ = await server.post(
            activities.message(connector.url, "hjälp"),
            headers={"Authorization": f"Bearer {token}"},
        )
        assert status == 200
        (sent,) = connector.sent
        assert sent.authorization.startswith("Bearer msi-token-")
        asked = identity_endpoint.requests[0]
        assert asked["client_id"] == APP_ID
        assert asked["resource"] == "https://api.botframework.com"
        assert authority.requests == []  # no client secret was used
    finally:
        await server.stop()


async def test_storage_gets_its_token_from_the_managed_identity(
    identity_endpoint: ManagedIdentityEndpoint,
) -> None:
    credential = managed_identity()
    try:
        token = await credential.get_token("https://storage.azure.com/.default")
    finally:
        await credential.close()
    assert token.token.startswith("msi-token-")
    assert identity_endpoint.requests[-1]["resource"] == "https://storage.azure.com"


def test_the_secret_expiry_is_known_and_absent_with_a_managed_identity() -> None:
    with_secret = Settings.from_env(
        {"MicrosoftAppId": "x", "MicrosoftAppPassword": "s",
         "MicrosoftAppPasswordExpires": "2027-01-10"}
    )  # fmt: skip
    assert with_secret.secret_expires_in_days(date(2026, 12, 11)) == 30
    managed = Settings.from_env({"MicrosoftAppId": "x", "MicrosoftAppType": "UserAssignedMSI"})
    assert managed.secret_expires_in_days(date(2026, 12, 11)) is None
    with pytest.raises(ValueError, match="soon"):
        Settings.from_env({"MicrosoftAppPassword": "s", "MicrosoftAppPasswordExpires": "soon"})


async def test_graph_is_called_with_the_managed_identitys_token(
    tmp_path: Path,
    issuer: ChannelIssuer,
    authority: TokenEndpoint,
    identity_endpoint: ManagedIdentityEndpoint,
) -> None:
    graph_server = GraphStandIn()
    await graph_server.start()
    settings = secured_settings(
        tmp_path, issuer, authority, app_type="UserAssignedMSI", app_password="",
        graph_enabled=True, graph_url=graph_server.url,
    )  # fmt: skip
    server = BotServer(settings)
    await server.start()
    try:
        graph = server.services.graph
        assert graph is not None
        await graph.profile("aad-someone")
        assert graph_server.tokens_seen[-1].startswith("Bearer msi-token-")
        resources = [r["resource"] for r in identity_endpoint.requests]
        assert "https://graph.microsoft.com" in resources
        assert authority.requests == []  # no client secret anywhere
    finally:
        await server.stop()
        await graph_server.stop()
