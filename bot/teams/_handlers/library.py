"""The criteria library from Teams: an admin sends the library's export (CSV or XLSX) in the
1:1 chat, sees the change set (a dry run), and imports it, with or without withdrawing what
the file lacks. The same import as `python -m bot criteria import`, told to those who rely
on what changed."""

from __future__ import annotations

import asyncio
import hashlib

from bot.agreements import FollowUpService
from bot.audit import AuditLog
from bot.commands import Who
from bot.criteria import CriteriaLibrary, FileFormatError, ParsedFile
from bot.criteria.importer import read_content
from bot.i18n import UserError
from bot.links import LinkSigner
from bot.teams._files import FileFetcher
from bot.teams._routes import Handler, Mode, action
from bot.teams._turn import Card, Turn
from cards.library import ApplyImport, import_done_card, import_preview_card

PREVIEW_S = 3600  # how long the preview's buttons work
IMPORT = "criteria-import"


class LibraryHandler(Handler):
    def __init__(
        self,
        library: CriteriaLibrary,
        followups: FollowUpService,
        audit: AuditLog,
        links: LinkSigner,
        fetcher: FileFetcher,
    ) -> None:
        self._library = library
        self._followups = followups
        self._audit = audit
        self._links = links
        self._fetcher = fetcher

    async def received(self, turn: Turn) -> list[Card]:
        """A file in the 1:1 chat: for admins, the library's export, previewed."""
        assert turn.file is not None
        if not turn.party.admin:
            raise UserError("file.admins_only")
        raw = await self._fetcher.fetch(turn.file.url)
        parsed = await _parse(turn.file.name, raw)
        preview = await self._library.import_parsed(parsed, full=True, dry_run=True)
        digest = hashlib.sha256(raw).hexdigest()
        tokens = {full: self._links.sign({"kind": IMPORT, "url": turn.file.url,
                                          "name": turn.file.name, "sha": digest, "full": full},
                                         PREVIEW_S) for full in (False, True)}  # fmt: skip
        return [import_preview_card(turn.texts, turn.file.name, preview, tokens)]

    @action(ApplyImport, who=Who.ADMIN, mode=Mode.IN_PLACE)
    async def apply(self, action: ApplyImport, turn: Turn) -> list[Card]:
        signed = self._links.verify(action.token)
        if signed is None or signed.get("kind") != IMPORT:
            raise UserError("file.expired")
        raw = await self._fetcher.fetch(str(signed["url"]))
        if hashlib.sha256(raw).hexdigest() != signed.get("sha"):
            raise UserError("file.changed")  # not the file that was previewed
        parsed = await _parse(str(signed["name"]), raw)
        report = await self._library.import_parsed(parsed, full=bool(signed.get("full")))
        if report.imported and report.changes:
            name = str(signed["name"])[:80]
            await self._audit.record(turn.aad_id or turn.user_id, "criteria.import", name,
                                     added=report.added, updated=report.updated,
                                     withdrawn=report.withdrawn)  # fmt: skip
            await self._followups.library_changed(report.changes)
        return [import_done_card(turn.texts, report)]


async def _parse(name: str, raw: bytes) -> ParsedFile:
    try:  # off the event loop: a large XLSX takes a while
        return await asyncio.to_thread(read_content, name, raw)
    except FileFormatError as error:
        raise UserError("file.format", {"reason": str(error)[:200]}) from None
