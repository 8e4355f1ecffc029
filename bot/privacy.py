"""What the node holds about a person, and removing it (GDPR: access and erasure), plus the
retention job that anonymises old closed tickets.

Kept on erasure, without the person: published answers (they never carried names), the
statistics fields of tickets (area, municipality, times), and the audit log, which records
who changed what for accountability and is readable by admins only."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from bot.audit import AuditLog
from bot.routing.network import NetworkRepository
from bot.routing.tickets import ANSWERED, Ticket, TicketRepository
from bot.storage import ConcurrencyError, Store

PEOPLE = "people"
CONVERSATIONS = "conversations"
ERASED = "(raderad)"
MONTH_S = 30.44 * 86400


def _anonymised(ticket: Ticket) -> Ticket:
    keep_text = ticket.published  # already public in the knowledge base, without names
    return replace(
        ticket,
        asker_id="",
        asker_name=ERASED,
        question=ticket.question if keep_text else ERASED,
        answer=ticket.answer if keep_text else (ERASED if ticket.answer else ""),
        events=tuple({k: v for k, v in e.items() if k in ("kind", "at")} for e in ticket.events),
    )


class PersonalData:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._tickets = TicketRepository(store)
        self._audit = AuditLog(store)

    async def _expert_ids(self, user_id: str, aad_id: str) -> set[str]:
        network = await NetworkRepository(self._store).load()
        expert = network.expert_for_user(user_id, aad_id)
        return {expert.id} if expert else set()

    async def export(self, user_id: str, aad_id: str) -> dict[str, Any]:
        tickets = await self._tickets.all()
        experts = await self._expert_ids(user_id, aad_id)
        person = await self._store.get(PEOPLE, "ref", user_id)
        return {
            "exported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "person": {
                "teams_id": user_id,
                "aad_object_id": aad_id,
                "name": person.data.get("name", "") if person else "",
                "has_chat_with_bot": person is not None,
            },
            "questions": [
                {
                    "number": t.number,
                    "question": t.question,
                    "area": t.area,
                    "municipality": t.municipality,
                    "state": t.state,
                    "asked_at": t.created_at,
                    "answer": t.answer,
                    "published": t.published,
                }
                for t in tickets
                if t.asker_id == user_id
            ],
            "tickets_as_expert": [
                {"number": t.number, "state": t.state, "claimed_at": t.claimed_at}
                for t in tickets
                if t.assignee in experts
            ],
            "audit_events": [
                {"at": e.at, "action": e.action, "target": e.target}
                for e in await self._audit.of_person(user_id, aad_id, *experts)
            ],
            "subscriptions": [],
            "shared_items": [],
        }

    async def erase(self, user_id: str, aad_id: str) -> int:
        """Anonymise the person's questions and forget their chat; returns tickets changed."""
        changed = 0
        for ticket in await self._tickets.all():
            if ticket.asker_id == user_id and await self._save(_anonymised(ticket)):
                changed += 1
        person = await self._store.get(PEOPLE, "ref", user_id)
        if person is not None:
            conversation = person.data.get("reference", {}).get("conversation", {}).get("id")
            if conversation:
                await self._store.delete(CONVERSATIONS, "ref", conversation)
            await self._store.delete(PEOPLE, "ref", user_id)
        await self._audit.record("privacy", "person.erase", "(raderad)", tickets=changed)
        return changed

    async def apply_retention(self, months: float, now: float | None = None) -> int:
        """Anonymise answered tickets closed more than `months` ago."""
        cutoff = (now or time.time()) - months * MONTH_S
        changed = 0
        for ticket in await self._tickets.all():
            old = ticket.state == ANSWERED and (ticket.answered_at or 0) < cutoff
            if old and ticket.asker_name != ERASED and await self._save(_anonymised(ticket)):
                changed += 1
        return changed

    async def _save(self, ticket: Ticket) -> bool:
        try:
            await self._tickets.save(ticket)
        except ConcurrencyError:
            return False  # changed meanwhile: the next round (or request) tries again
        return True
