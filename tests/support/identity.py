"""A local identity side for authentication tests.

- `ChannelIssuer`: OpenID metadata and JWKS as the Bot Framework publishes them, with an RSA
  key generated here, and a way to mint channel tokens (good ones and every kind of bad one).
- `TokenEndpoint`: an Entra-like authority over TLS (msal insists on https) that gives the
  bot its outbound token by client credentials.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import ssl
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.support.threaded import ThreadedServer

CHANNEL_ISSUER = "https://api.botframework.com"


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class _LocalJsonServer:
    """A plain-HTTP JSON server on its own thread, answering with `_route`."""

    def __init__(self) -> None:
        self._server = ThreadedServer(self._route)
        self.port = self._server.port

    def start(self) -> None:
        self._server.start()

    def stop(self) -> None:
        self._server.stop()

    def _route(self, path: str, form: dict[str, str]) -> tuple[int, Any]:
        raise NotImplementedError


class ChannelIssuer(_LocalJsonServer):
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "local-key-1"
        super().__init__()

    @property
    def metadata_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1/.well-known/openidconfiguration"

    def _route(self, path: str, form: dict[str, str]) -> tuple[int, Any]:
        if path == "/keys":
            return 200, self._keys()
        return 200, {
            "issuer": CHANNEL_ISSUER,
            "jwks_uri": f"http://127.0.0.1:{self.port}/keys",
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def _keys(self) -> dict[str, Any]:
        numbers = self.key.public_key().public_numbers()
        return {
            "keys": [
                {
                    "kty": "RSA",
                    "use": "sig",
                    "kid": self.kid,
                    "n": _b64(numbers.n),
                    "e": _b64(numbers.e),
                    "endorsements": ["msteams"],
                }
            ]
        }

    def token(
        self,
        audience: str,
        service_url: str,
        *,
        issuer: str = CHANNEL_ISSUER,
        expires_in: int = 3600,
        valid_in: int = -60,
        key: rsa.RSAPrivateKey | None = None,
        without: tuple[str, ...] = (),
        **claims_: str,
    ) -> str:
        """A token as the channel signs it (its times are real ones: a real issuer's, read
        by the JWT library); `without` leaves claims out, `valid_in` sets nbf."""
        now = int(time.time())
        claims = {
            "iss": issuer,
            "aud": audience,
            "serviceurl": service_url,
            "nbf": now + valid_in,
            "iat": now - 60,
            "exp": now + expires_in,
            **claims_,
        }
        for name in without:
            claims.pop(name, None)
        return jwt.encode(claims, key or self.key, algorithm="RS256", headers={"kid": self.kid})


class TokenEndpoint:
    """https://127.0.0.1:PORT/<tenant>: OpenID configuration and a client-credentials token
    endpoint. Its certificate is self-signed; `ca_file` is what clients must trust."""

    def __init__(self, directory: Path) -> None:
        self.requests: list[dict[str, str]] = []
        self.issued: list[str] = []
        self.expires_in = 3600
        self.down = False  # an Entra outage: every request gets 503
        self.ca_file = directory / "local-ca.pem"
        self._server = ThreadedServer(self._route, self._make_certificate(directory))
        self.port = self._server.port

    @property
    def base(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def _make_certificate(self, directory: Path) -> ssl.SSLContext:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
        now = datetime.datetime.now(datetime.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False,
            )
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        self.ca_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        key_file = directory / "local-key.pem"
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.ca_file, key_file)
        return context

    def start(self) -> None:
        self._server.start()

    def stop(self) -> None:
        self._server.stop()

    def _route(self, path: str, form: dict[str, str]) -> tuple[int, Any]:
        if self.down:
            return 503, {"error": "temporarily_unavailable"}
        tenant = path.strip("/").split("/")[0]
        if path.endswith("/oauth2/v2.0/token"):
            return self._token(form)
        return 200, {
            "issuer": f"{self.base}/{tenant}/v2.0",
            "authorization_endpoint": f"{self.base}/{tenant}/oauth2/v2.0/authorize",
            "token_endpoint": f"{self.base}/{tenant}/oauth2/v2.0/token",
        }

    def _token(self, form: dict[str, str]) -> tuple[int, Any]:
        self.requests.append(form)
        if form.get("client_secret") != "local-secret":
            return 401, {"error": "invalid_client", "error_description": "bad secret"}
        token = "local-token-" + uuid.uuid4().hex
        self.issued.append(token)
        return 200, {"token_type": "Bearer", "expires_in": self.expires_in, "access_token": token}


class ManagedIdentityEndpoint(_LocalJsonServer):
    """App Service's managed-identity endpoint (IDENTITY_ENDPOINT, IDENTITY_HEADER): a GET with
    `resource` and `client_id` answers a token for that resource."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        super().__init__()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/msi/token"

    def _route(self, path: str, form: dict[str, str]) -> tuple[int, Any]:
        query = dict(parse_qsl(urlsplit(path).query))
        self.requests.append(query)
        token = "msi-token-" + uuid.uuid4().hex
        return 200, {"access_token": token, "expires_on": str(int(time.time()) + 3600),
                     "resource": query.get("resource", ""), "token_type": "Bearer"}  # fmt: skip
