"""Signed links that expire: a download served by the bot (a personal-data export, later a
follow-up plan) without storing files. The token carries what to build and until when,
signed with HMAC-SHA256."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
from typing import Any, ClassVar

from bot.clock import Clock
from bot.storage import AlreadyExistsError, Record, Store

SECRETS = "secrets"
DOWNLOAD_S = 15 * 60  # how long a download link on a card works


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


_B64URL = re.compile(r"[A-Za-z0-9_-]+")


def _unb64(text: str) -> bytes:
    """Strict: unpadded base64url in its one canonical spelling, or ValueError. Lenient
    decoding would let many spellings of one token pass (extra "=", stray characters)."""
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(data) != text:  # unused low bits set: another spelling of the same bytes
        raise ValueError("not canonical base64url")
    return data


class LinkSigner:
    TABLES: ClassVar[dict[str, str]] = {SECRETS: ""}

    def __init__(self, secret: bytes, clock: Clock) -> None:
        self._secret = secret
        self._clock = clock

    @classmethod
    async def shared(cls, store: Store, clock: Clock, configured: str = "") -> LinkSigner:
        """The configured secret, or one generated once and kept in storage, so every
        instance signs and verifies alike."""
        if configured:
            return cls(configured.encode(), clock)
        record = await store.get(SECRETS, "links", "links")
        if record is None:
            try:
                record = await store.insert(
                    SECRETS, Record("links", "links", {"secret": secrets.token_hex(32)})
                )
            except AlreadyExistsError:
                record = await store.get(SECRETS, "links", "links")
                assert record is not None
        return cls(str(record.data["secret"]).encode(), clock)

    def sign(self, payload: dict[str, Any], seconds: float) -> str:
        body = {**payload, "exp": int(self._clock.time() + seconds)}
        encoded = _b64(json.dumps(body, separators=(",", ":")).encode())
        signature = hmac.new(self._secret, encoded.encode(), hashlib.sha256).digest()
        return f"{encoded}.{_b64(signature)}"

    def verify(self, token: str) -> dict[str, Any] | None:
        """The payload of a valid, unexpired token; None otherwise."""
        try:
            encoded, signature = token.split(".", 1)
            expected = hmac.new(self._secret, encoded.encode(), hashlib.sha256).digest()
            if not hmac.compare_digest(expected, _unb64(signature)):
                return None
            payload = json.loads(_unb64(encoded))
        except (ValueError, TypeError, binascii.Error, RecursionError):
            return None
        # Signed by us, but checked all the same: a payload of another shape is refused.
        if not isinstance(payload, dict):
            return None
        expires = payload.get("exp")
        if not isinstance(expires, int) or isinstance(expires, bool):
            return None
        if expires < self._clock.time():
            return None
        return payload
