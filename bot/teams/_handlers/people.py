"""A person's own settings and data (municipality, language, "mina data", erasure) and the
admins' grants of a municipality to people the directory cannot place."""

from __future__ import annotations

from bot.audit import AuditLog
from bot.commands import ONE_TO_ONE, Command, Group, Spec, T, Who
from bot.i18n import UserError, texts_for
from bot.links import DOWNLOAD_S, LinkSigner
from bot.people import AGREEMENT_RULES, Memberships, Profiles, canonical
from bot.privacy import PersonalData
from bot.teams._routes import Handler, Mode, action, command
from bot.teams._turn import Card, Turn
from bot.values import is_address
from cards import erase_confirm_card, escape_markdown, message_card, my_data_card
from cards.actions import ConfirmErase

_LANGUAGE_NAMES = {
    **dict.fromkeys(("svenska", "swedish", "sv", "svensk"), "sv"),
    **dict.fromkeys(("engelska", "english", "en", "engelsk"), "en"),
}
_NOBODY = frozenset({"ingen", "none"})


class PeopleHandler(Handler):
    def __init__(
        self,
        profiles: Profiles,
        privacy: PersonalData,
        memberships: Memberships,
        links: LinkSigner,
        audit: AuditLog,
        public_url: str,
    ) -> None:
        self._profiles = profiles
        self._privacy = privacy
        self._memberships = memberships
        self._links = links
        self._audit = audit
        self._public_url = public_url

    @command(Spec("my_municipality", ("min kommun",), ("my municipality",), Group.DATA,
                  argument=T))  # fmt: skip
    async def my_municipality(self, command: Command, turn: Turn) -> list[Card]:
        """Where forms start from; it opens nothing of that municipality's (access comes
        from the directory or an admin's grant)."""
        municipality = canonical(command.argument)
        if not municipality:
            raise UserError("profile.unknown", {"name": escape_markdown(command.argument[:40])})
        await self._profiles.correct(turn.user_id, municipality)
        return [message_card(turn.texts("profile.set", municipality=municipality))]

    @command(Spec("language", ("språk",), ("language",), Group.DATA, argument=T))
    async def language(self, command: Command, turn: Turn) -> list[Card]:
        wanted = _LANGUAGE_NAMES.get(command.argument.strip().lower())
        if wanted is None:
            raise UserError("language.unknown")
        await self._profiles.set_language(turn.user_id, wanted)
        return [message_card(texts_for(wanted)("language.set"))]

    @command(Spec("my_data", ("mina data",), ("my data",), Group.DATA, menu=ONE_TO_ONE))
    async def my_data(self, command: Command, turn: Turn) -> list[Card]:
        data = await self._privacy.export(turn.user_id, turn.aad_id)
        token = self._links.sign(
            {"kind": "mydata", "user": turn.user_id, "aad": turn.aad_id}, DOWNLOAD_S
        )
        counts = {
            "questions": len(data["questions"]),
            "expert": len(data["tickets_as_expert"]),
            "events": len(data["audit_events"]),
            "shared": len(data["shared_items"]),
        }
        return [my_data_card(turn.texts, counts, f"{self._public_url}/files/{token}")]

    @command(Spec("erase_my_data", ("radera mina data",), ("erase my data",), Group.DATA))
    async def erase_my_data(self, command: Command, turn: Turn) -> list[Card]:
        return [erase_confirm_card(turn.texts)]

    @action(ConfirmErase, mode=Mode.IN_PLACE)
    async def confirm_erase(self, action: ConfirmErase, turn: Turn) -> list[Card]:
        erased = await self._privacy.erase(turn.user_id, turn.aad_id)
        text = turn.texts("privacy.erased", count=erased.questions, shared=erased.shared)
        return [message_card(text)]

    # --- admins: memberships ------------------------------------------------------------------

    @command(Spec("grant_municipality", ("kommunbehörighet",), ("grant municipality",),
                  Group.ADMIN, Who.ADMIN, argument=T))  # fmt: skip
    async def grant_municipality(self, command: Command, turn: Turn) -> list[Card]:
        """`kommunbehörighet anna@lund.se Lund` (or `… ingen` to take it back)."""
        address, _, named = command.argument.strip().partition(" ")
        address = address.lower()
        if not is_address(address):
            raise UserError("grant.usage")
        if named.strip().lower() in _NOBODY:
            removed = await self._memberships.revoke(address)
            await self._audit.record(turn.aad_id or turn.user_id, "grant.revoke", address)
            key = "grant.revoked" if removed else "grant.none"
            return [message_card(turn.texts(key, address=address))]
        municipality = canonical(named)
        if not municipality:
            raise UserError("profile.unknown", {"name": escape_markdown(named[:40] or "?")})
        await self._memberships.grant(address, municipality, turn.aad_id or turn.user_id)
        await self._audit.record(turn.aad_id or turn.user_id, "grant.municipality", address,
                                 municipality=municipality)  # fmt: skip
        return [message_card(turn.texts("grant.done", address=address,
                                        municipality=municipality))]  # fmt: skip

    @command(Spec("coordinator", ("samordnare",), ("coordinator",), Group.ADMIN, Who.ADMIN,
                  argument=T))  # fmt: skip
    async def coordinator(self, command: Command, turn: Turn) -> list[Card]:
        """`samordnare anna@skane.se` (or `… ingen`): the region's coordinator sees the
        statistics, reports and survey results without admin rights."""
        address, _, rest = command.argument.strip().partition(" ")
        address = address.lower()
        if not is_address(address):
            raise UserError("coordinator.usage")
        by = turn.aad_id or turn.user_id
        if rest.strip().lower() in _NOBODY:
            removed = await self._memberships.unmake_coordinator(address)
            await self._audit.record(by, "coordinator.revoke", address)
            key = "coordinator.revoked" if removed else "coordinator.none"
            return [message_card(turn.texts(key, address=address))]
        await self._memberships.make_coordinator(address, by)
        await self._audit.record(by, "coordinator.grant", address)
        return [message_card(turn.texts("coordinator.done", address=address))]

    @command(Spec("agreement_rule", ("avtalsrätt",), ("agreement rule",), Group.ADMIN,
                  Who.ADMIN, argument=T))  # fmt: skip
    async def agreement_rule(self, command: Command, turn: Turn) -> list[Card]:
        """`avtalsrätt Lund ansvarig`: who besides the responsible person acts on the
        municipality's agreements and plans (alla: its members, the default)."""
        named, _, rule = command.argument.strip().rpartition(" ")
        municipality, rule = canonical(named), rule.lower()
        if not municipality or rule not in AGREEMENT_RULES:
            raise UserError("rule.usage")
        await self._memberships.set_agreement_rule(municipality, rule, turn.aad_id or turn.user_id)
        await self._audit.record(turn.aad_id or turn.user_id, "agreement.rule", municipality,
                                 rule=rule)  # fmt: skip
        return [message_card(turn.texts(f"rule.{rule}", municipality=municipality))]
