"""What the node holds about a person, and removing it (GDPR: access and erasure). (Old closed
tickets are anonymised by the retention message each answered ticket schedules, routing.)

Every table owner that holds personal data takes part (bot/personal.py): this module asks
them all, so a new table is covered by declaring it with its owner. Kept on erasure, without
the person: published answers (they never carried names), the statistics fields of tickets
(area, municipality, times), shared items (without who shared them), the experts' network
(maintained by admins) and the audit log, which records who changed what for accountability
and is readable by admins only."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.agreements import AgreementRepository
from bot.audit import AuditLog
from bot.clock import Clock
from bot.criteria.learning import LearnedWords
from bot.people import Profiles
from bot.personal import PersonalRecords, PersonRef
from bot.procurements.records import ProcurementRecords
from bot.routing.network import NetworkRepository
from bot.routing.tickets import ERASED, TicketRepository
from bot.sharing import SharedItems
from bot.stats import ActivityLog
from bot.storage import Store

MONTH_S = 30.44 * 86400
__all__ = ["ERASED", "Erasure", "PersonalData"]


@dataclass(frozen=True)
class Erasure:
    questions: int  # tickets anonymised
    shared: int  # shared items that no longer name the person
    other: int  # everything else removed


class PersonalData:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        extra: Sequence[PersonalRecords] = (),
        emails_of: Callable[[str], Awaitable[frozenset[str]]] | None = None,
        profiles: Profiles | None = None,
    ) -> None:
        """The domain's owners of personal data, and `extra` ones of the outer layers (the
        Teams conversation references); `emails_of` gives a person's sign-in addresses;
        `profiles`, the one whose cache the turns read (erased, it forgets at once)."""
        self._emails_of = emails_of
        self._clock = clock
        self._tickets = TicketRepository(store)
        self._shared = SharedItems(store)
        self._network = NetworkRepository(store)
        self._audit = AuditLog(store, clock)
        self.owners: tuple[PersonalRecords, ...] = (
            self._tickets, self._shared, self._network, self._audit,
            profiles or Profiles(store), ActivityLog(store, clock), AgreementRepository(store),
            ProcurementRecords(store), LearnedWords(store), *extra,
        )  # fmt: skip

    async def _person(self, user_id: str, aad_id: str) -> PersonRef:
        expert = (await self._network.load()).expert_for_user(user_id, aad_id)
        emails = await self._emails_of(user_id) if self._emails_of else frozenset()
        experts = frozenset({expert.id}) if expert else frozenset()
        return PersonRef(user_id, aad_id, experts, emails)

    async def export(self, user_id: str, aad_id: str) -> dict[str, Any]:
        person = await self._person(user_id, aad_id)
        data: dict[str, Any] = {
            "exported_at": self._clock.now().isoformat(timespec="seconds"),
            "person": {"teams_id": user_id, "aad_object_id": aad_id},
        }
        for owner in self.owners:
            for section, value in (await owner.export_person(person)).items():
                if isinstance(value, dict) and isinstance(data.get(section), dict):
                    data[section] = {**data[section], **value}
                else:
                    data[section] = value
        return data

    async def erase(self, user_id: str, aad_id: str) -> Erasure:
        """Ask every owner to remove or anonymise what it holds about the person."""
        person = await self._person(user_id, aad_id)
        counts = {type(owner): await owner.erase_person(person) for owner in self.owners}
        questions = counts.pop(TicketRepository, 0)
        shared = counts.pop(SharedItems, 0)
        await self._audit.record("privacy", "person.erase", ERASED, tickets=questions)
        return Erasure(questions, shared, sum(counts.values()))
