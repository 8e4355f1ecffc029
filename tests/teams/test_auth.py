"""Authentication with an app id set: channel tokens checked against a local OpenID issuer,
the bot's own outbound token fetched by msal from a local authority."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.__main__ import main
from bot.config import Settings
from tests.conftest import local_settings
from tests.support import activities
from tests.support.botserver import BotServer
from tests.support.connector import ConnectorStandIn, card_text
from tests.support.identity import ChannelIssuer, TokenEndpoint

APP_ID = "11111111-2222-3333-4444-555555555555"


def secured_settings(
    tmp_path: Path, issuer: ChannelIssuer, authority: TokenEndpoint, **overrides: object
) -> Settings:
    """Authentication on: channel tokens from `issuer`, the bot's own from `authority`."""
    values: dict[str, object] = {
        "app_id": APP_ID,
        "app_password": "local-secret",
        "app_type": "SingleTenant",
        "app_tenant_id": "tenant-skane",
        "openid_metadata_url": issuer.metadata_url,
        "login_url": authority.base,
        "public_url": "https://miljokrav.example.se",
    }
    return local_settings(tmp_path, **{**values, **overrides})


@pytest.fixture
async def secured_bot(
    tmp_path: Path, issuer: ChannelIssuer, authority: TokenEndpoint
) -> AsyncIterator[BotServer]:
    server = BotServer(secured_settings(tmp_path, issuer, authority))
    await server.start()
    yield server
    await server.stop()


async def test_a_valid_channel_token_is_accepted_and_replies_carry_the_bots_token(
    secured_bot: BotServer,
    issuer: ChannelIssuer,
    authority: TokenEndpoint,
    connector: ConnectorStandIn,
) -> None:
    token = issuer.token(APP_ID, connector.url)
    status, _ = await secured_bot.post(
        activities.message(connector.url, "hjälp"), headers={"Authorization": f"Bearer {token}"}
    )
    assert status == 200
    (sent,) = connector.sent
    assert "Det här kan jag" in card_text(sent.card)
    assert sent.authorization == f"Bearer {authority.issued[0]}"
    assert authority.requests[0]["client_id"] == APP_ID
    assert authority.requests[0]["grant_type"] == "client_credentials"


async def test_the_bots_token_is_fetched_once_and_reused(
    secured_bot: BotServer,
    issuer: ChannelIssuer,
    authority: TokenEndpoint,
    connector: ConnectorStandIn,
) -> None:
    for _ in range(3):
        token = issuer.token(APP_ID, connector.url)
        await secured_bot.post(
            activities.message(connector.url, "hjälp"),
            headers={"Authorization": f"Bearer {token}"},
        )
    assert len(connector.sent) == 3
    assert len(authority.issued) == 1


def _forged(issuer: ChannelIssuer, url: str) -> str:
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return issuer.token(APP_ID, url, key=other_key)


@pytest.mark.parametrize(
    "make_header",
    [
        pytest.param(lambda i, url: f"Bearer {_forged(i, url)}", id="forged-signature"),
        pytest.param(lambda i, url: f"Bearer {i.token('another-app', url)}", id="wrong-audience"),
        pytest.param(
            lambda i, url: f"Bearer {i.token(APP_ID, url, issuer='https://evil.example')}",
            id="wrong-issuer",
        ),
        pytest.param(
            lambda i, url: f"Bearer {i.token(APP_ID, url, expires_in=-3600)}", id="expired"
        ),
        pytest.param(
            lambda i, url: f"Bearer {i.token(APP_ID, 'https://other.example/')}",
            id="wrong-service-url",
        ),
        pytest.param(
            lambda i, url: f"Bearer {i.token(APP_ID, url, without=('exp',))}", id="without-exp"
        ),
        pytest.param(
            lambda i, url: f"Bearer {i.token(APP_ID, url, valid_in=3600)}", id="not-yet-valid"
        ),
        pytest.param(lambda i, url: "", id="missing-header"),
    ],
)
async def test_bad_tokens_are_refused_with_401_and_nothing_is_processed_or_stored(
    secured_bot: BotServer,
    issuer: ChannelIssuer,
    connector: ConnectorStandIn,
    make_header: object,
) -> None:
    header = make_header(issuer, connector.url)  # type: ignore[operator]
    headers = {"Authorization": header} if header else {}
    status, _ = await secured_bot.post(activities.message(connector.url, "hjälp"), headers=headers)
    assert status == 401
    assert connector.sent == []
    assert secured_bot.node is not None
    for table in ("conversations", "people", "inbound"):
        assert await secured_bot.node.store.query(table) == []


async def test_a_tenant_outside_the_allow_list_is_refused(
    tmp_path: Path, connector: ConnectorStandIn
) -> None:
    server = BotServer(local_settings(tmp_path, allowed_tenants=frozenset({"tenant-skane"})))
    await server.start()
    try:
        status, _ = await server.post(
            activities.message(connector.url, "hjälp", tenant="tenant-elsewhere")
        )
        assert status == 403
        assert connector.sent == []
        assert server.node is not None
        assert await server.node.store.query("conversations") == []
        ok, _ = await server.post(activities.message(connector.url, "hjälp"))
        assert ok == 200
        assert len(connector.sent) == 1
    finally:
        await server.stop()


def test_without_an_app_id_the_server_refuses_to_listen_beyond_loopback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MicrosoftAppId", raising=False)
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    assert "authentication is off" in capsys.readouterr().err


async def test_an_emulator_token_is_refused_even_with_the_bots_app_id(
    secured_bot: BotServer, issuer: ChannelIssuer, connector: ConnectorStandIn
) -> None:
    """The SDK accepts Emulator tokens without checking their audience; Teams never sends
    them, so the node refuses them outright."""
    emulator = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"
    for audience in ("another-bot", APP_ID):
        token = issuer.token(audience, connector.url, issuer=emulator, ver="1.0", appid=APP_ID)
        status, _ = await secured_bot.post(
            activities.message(connector.url, "hjälp"),
            headers={"Authorization": f"Bearer {token}"},
        )
        assert status == 401
    assert connector.sent == []
