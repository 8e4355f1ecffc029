"""Fetching a file a person sent the bot: only from the configured hosts (Teams' SharePoint
and OneDrive links), over https (http only for a loopback test server), bounded in size
and time, so a forged link reaches nothing else and a large file holds nobody up."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import aiohttp

from bot.i18n import UserError

log = logging.getLogger(__name__)
MAX_FILE_BYTES = 10 * 1024 * 1024  # a full criteria export is about 2 MB
_TIMEOUT = aiohttp.ClientTimeout(total=30)
_LOOPBACK = ("127.0.0.1", "localhost")


class FileFetcher:
    def __init__(self, session: aiohttp.ClientSession, hosts: tuple[str, ...]) -> None:
        self._session = session
        self._hosts = tuple(h.lower().lstrip(".") for h in hosts if h)

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if not any(host == h or host.endswith("." + h) for h in self._hosts):
            return False
        return parts.scheme == "https" or (parts.scheme == "http" and host in _LOOPBACK)

    async def fetch(self, url: str) -> bytes:
        if not self.allowed(url):
            log.warning("file refused: host not allowed")
            raise UserError("file.not_allowed")
        try:
            async with self._session.get(url, timeout=_TIMEOUT, allow_redirects=False) as reply:
                if reply.status != 200:
                    raise UserError("file.unreadable")
                body = await reply.content.read(MAX_FILE_BYTES + 1)
        except (aiohttp.ClientError, TimeoutError):
            log.warning("file download failed")
            raise UserError("file.unreadable") from None
        if len(body) > MAX_FILE_BYTES:
            raise UserError("file.too_large", {"mb": MAX_FILE_BYTES // (1024 * 1024)})
        return body
