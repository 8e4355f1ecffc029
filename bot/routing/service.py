"""Expert routing: ask, deliver, claim, release, reassign, answer, publish, escalate.

Every state change is stored first (conditional on the version read), then the cards and
notifications follow; those can fail and be retried without changing what was decided.
Teams is reached only through the `Messenger` protocol.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.audit import AuditLog
from bot.criteria import AREAS, CriteriaLibrary, PublishedAnswer
from bot.i18n import Texts, UserError, texts_for
from bot.messaging import Card, Messenger, Person, PresenceLookup
from bot.places import MUNICIPALITIES
from bot.routing.network import Expert, Network, NetworkRepository
from bot.routing.tickets import ANSWERED, CLAIMED, OPEN, Ticket, TicketRepository
from bot.routing.workhours import add_working_hours
from bot.storage import ConcurrencyError, Store
from cards import message_card
from cards._tickets import (
    ROLE_ASKER,
    ROLE_ASSIGNEE,
    ROLE_EXPERT,
    ROLE_OTHER,
    answer_notice_card,
    ticket_card,
)

log = logging.getLogger(__name__)

MIN_QUESTION, MAX_QUESTION, MAX_ANSWER = 10, 2000, 8000
_NETWORK_TTL_S = 5.0


@dataclass(frozen=True)
class Outcome:
    """What an action did, for the person who did it."""

    ticket: Ticket
    notice: str | None = None
    notice_color: str = "Good"
    draft: str = ""


class RoutingService:
    def __init__(
        self,
        store: Store,
        messenger: Messenger,
        library: CriteriaLibrary,
        zone: ZoneInfo,
        escalation_hours: float = 4.0,
        clock: Callable[[], float] = time.time,
        presence: PresenceLookup | None = None,
    ) -> None:
        self._tickets = TicketRepository(store)
        self._network_store = NetworkRepository(store)
        self._messenger = messenger
        self._library = library
        self._zone = zone
        self._hours = escalation_hours
        self._clock = clock
        self._network: Network | None = None
        self._network_at = float("-inf")
        self._audit = AuditLog(store)
        self._presence = presence

    # --- the network ----------------------------------------------------------------------

    async def network(self) -> Network:
        if self._network is None or self._clock() - self._network_at > _NETWORK_TTL_S:
            self._network = await self._network_store.load()
            self._network_at = self._clock()
        return self._network

    def forget_network(self) -> None:
        self._network = None

    async def experts_channel(self) -> str:
        return await self._network_store.channel("experts_channel")

    async def set_experts_channel(self, conversation_id: str, by: str = "") -> None:
        channel = await self._network_store.set_channel("experts_channel", conversation_id)
        await self._audit.record(by or "system", "experts_channel.set", channel)

    async def expert(self, person: Person) -> Expert | None:
        return (await self.network()).expert_for_user(person.user_id, person.aad_id)

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), self._zone)

    def _deadline(self, start: float) -> float:
        moment = datetime.fromtimestamp(start, self._zone)
        return add_working_hours(moment, self._hours, self._zone).timestamp()

    # --- asking ---------------------------------------------------------------------------

    def validate_question(self, question: str, area: str, municipality: str) -> str | None:
        """The text key of what is wrong with an ask form, or None."""
        if not MIN_QUESTION <= len(question.strip()) <= MAX_QUESTION:
            return "ask.error.question"
        if area not in AREAS:
            return "ask.error.area"
        if municipality not in MUNICIPALITIES:
            return "ask.error.municipality"
        return None

    async def last_municipality(self, person: Person) -> str:
        mine = [t for t in await self._tickets.all() if t.asker_id == person.user_id]
        return mine[-1].municipality if mine else ""

    async def ask(
        self, person: Person, question: str, area: str, municipality: str, consent: bool
    ) -> tuple[Ticket, list[Expert]]:
        problem = self.validate_question(question, area, municipality)
        if problem:
            raise UserError(problem)
        now = self._clock()
        ticket = Ticket(
            number=await self._tickets.next_number(),
            question=question.strip(),
            area=area,
            municipality=municipality,
            asker_id=person.user_id,
            asker_name=person.name,
            asker_locale=person.locale,
            consent_publish=consent,
            created_at=now,
            deadline=self._deadline(now),
        ).with_event("asked", now)
        ticket = await self._tickets.add(ticket)  # stored first: nothing is lost after this
        log.info("ticket stored", extra={"ticket": ticket.number, "area": area})
        try:
            ticket = await self.deliver(ticket)
        except Exception:
            # The background round delivers it; the asker still gets a receipt.
            log.exception(
                "delivery failed; left for the next round", extra={"ticket": ticket.number}
            )
        network = await self.network()
        experts = [e for e in network.experts.values() if e.id in ticket.notified]
        return ticket, experts

    async def _at_work(self, experts: list[Expert]) -> list[Expert]:
        """The experts at work, in order, by Graph presence; all of them when Graph is off,
        cannot say, or says nobody is (routing never waits on it)."""
        if self._presence is None or not experts:
            return experts
        presences = await self._presence([e.aad_id for e in experts if e.aad_id])
        if not presences:
            return experts
        at_work = [e for e in experts if e.aad_id not in presences or presences[e.aad_id].available]
        return at_work or experts

    async def deliver(self, ticket: Ticket) -> Ticket:
        """Post to the experts' channel and tell the on-call expert; idempotent per step."""
        network = await self.network()
        on_call = network.on_call(ticket.area, self._now(), self._zone)
        if not ticket.posted and not ticket.notified:
            at_work = await self._at_work(on_call)
            if at_work and at_work[0] is not on_call[0]:
                # Those ahead of the chosen expert in the rota were passed over: the card says so.
                passed = on_call[: on_call.index(at_work[0])]
                ticket = replace(ticket, skipped=tuple(e.id for e in passed))
            on_call = at_work
        first = on_call[:1]
        if not ticket.posted:
            channel = await self.experts_channel()
            activity_id = ""
            if channel:
                card = self.channel_card(ticket, network, on_call=first[0] if first else None)
                activity_id = await self._messenger.to_channel(channel, card)
            ticket = replace(
                ticket, posted=True, channel_id=channel, channel_activity_id=activity_id
            )
            ticket = await self._save_retrying(ticket)
        missing = [e for e in first if e.id not in ticket.notified]
        for expert in missing:
            await self._notify_expert(ticket, expert, "notice.new_ticket")
        if missing:
            ticket = replace(ticket, notified=(*ticket.notified, *(e.id for e in missing)))
            ticket = await self._save_retrying(ticket)
        return ticket

    async def deliver_pending(self) -> int:
        """Deliver tickets stored but never posted (the process stopped in between)."""
        delivered = 0
        for ticket in await self._tickets.all():
            if not ticket.posted and ticket.state == OPEN:
                try:
                    await self.deliver(ticket)
                    delivered += 1
                except Exception:
                    log.exception(
                        "delivery failed; trying again later", extra={"ticket": ticket.number}
                    )
        return delivered

    async def _save_retrying(self, ticket: Ticket) -> Ticket:
        """Save delivery bookkeeping; a concurrent change (a claim) wins and we merge into it."""
        try:
            return await self._tickets.save(ticket)
        except ConcurrencyError:
            current = await self._tickets.get(ticket.number)
            assert current is not None
            merged = replace(
                current,
                posted=current.posted or ticket.posted,
                channel_id=current.channel_id or ticket.channel_id,
                channel_activity_id=current.channel_activity_id or ticket.channel_activity_id,
                notified=tuple(dict.fromkeys((*current.notified, *ticket.notified))),
            )
            return await self._save_retrying(merged)

    async def _notify_expert(self, ticket: Ticket, expert: Expert, key: str, **values: Any) -> None:
        texts = texts_for("sv")
        notice = texts(
            key, area=AREAS.get(ticket.area, ticket.area), number=ticket.number, **values
        )
        card = ticket_card(
            ticket, ROLE_EXPERT, texts, self._zone, expert_of=(await self.network()).experts.get,
            notice=notice, notice_color="Accent",
        )  # fmt: skip
        if expert.teams_id and not await self._tell(expert.teams_id, card):
            log.info("expert not reached 1:1", extra={"expert": expert.id})

    async def _tell(self, user_id: str, card: Card) -> bool:
        """A 1:1 notification after a decision is stored: its failure never undoes the
        decision, it is logged (the channel card and lists still show the state)."""
        try:
            return await self._messenger.to_person(user_id, card)
        except Exception:
            log.exception("1:1 notification failed")
            return False

    # --- views ----------------------------------------------------------------------------

    def role(self, ticket: Ticket, person: Person, network: Network) -> str:
        expert = network.expert_for_user(person.user_id, person.aad_id)
        if expert is not None and expert.id == ticket.assignee:
            return ROLE_ASSIGNEE
        if expert is not None:
            return ROLE_EXPERT
        if person.user_id == ticket.asker_id:
            return ROLE_ASKER
        return ROLE_OTHER

    def channel_card(self, ticket: Ticket, network: Network, on_call: Expert | None = None) -> Card:
        """The message everyone sees; the people named in its refresh get their own view."""
        return ticket_card(
            ticket, ROLE_OTHER, texts_for("sv"), self._zone, expert_of=network.experts.get,
            area_experts=network.on_call(ticket.area, self._now(), self._zone), on_call=on_call,
        )  # fmt: skip

    async def view(self, ticket: Ticket, person: Person, outcome: Outcome | None = None) -> Card:
        network = await self.network()
        return ticket_card(
            ticket, self.role(ticket, person, network), person.texts, self._zone,
            expert_of=network.experts.get,
            area_experts=network.on_call(ticket.area, self._now(), self._zone),
            notice=outcome.notice if outcome else None,
            notice_color=outcome.notice_color if outcome else "Good",
            draft=outcome.draft if outcome else "",
        )  # fmt: skip

    async def _refresh_channel(self, ticket: Ticket) -> None:
        if not (ticket.channel_id and ticket.channel_activity_id):
            return
        try:
            card = self.channel_card(ticket, await self.network())
            await self._messenger.update(ticket.channel_id, ticket.channel_activity_id, card)
        except Exception:
            log.exception("channel card not updated", extra={"ticket": ticket.number})

    async def get(self, number: int) -> Ticket:
        ticket = await self._tickets.get(number)
        if ticket is None:
            raise UserError("ticket.not_found", {"number": number})
        return ticket

    # --- expert actions -------------------------------------------------------------------

    async def claim(self, number: int, person: Person) -> Outcome:
        texts = person.texts
        expert = await self.expert(person)
        ticket = await self.get(number)
        if expert is None:
            return Outcome(ticket, texts("ticket.not_expert"), "Attention")
        if ticket.state == ANSWERED:
            return Outcome(ticket, texts("ticket.closed"), "Attention")
        if ticket.state == CLAIMED:
            return self._taken(ticket, texts, await self.network())
        now = self._clock()
        claimed = replace(ticket, state=CLAIMED, assignee=expert.id, claimed_at=now).with_event(
            "claimed", now, by=expert.id
        )
        try:
            claimed = await self._tickets.save(claimed)
        except ConcurrencyError:  # someone else's claim landed first
            current = await self.get(number)
            return self._taken(current, texts, await self.network())
        log.info("ticket claimed", extra={"ticket": number, "expert": expert.id})
        await self._audit.record(expert.id, "ticket.claim", f"#{number}")
        await self._refresh_channel(claimed)
        asker_texts = texts_for(claimed.asker_locale)
        notice = asker_texts(
            "notice.claimed", name=expert.name, municipality=expert.municipality, number=number
        )
        await self._tell(claimed.asker_id, message_card(notice))
        return Outcome(claimed, texts("ticket.claimed_by_you"), "Good")

    def _taken(self, ticket: Ticket, texts: Texts, network: Network) -> Outcome:
        holder = network.experts.get(ticket.assignee)
        name = holder.name if holder else "?"
        municipality = holder.municipality if holder else ""
        return Outcome(
            ticket, texts("ticket.taken", name=name, municipality=municipality), "Warning"
        )

    async def _own(self, number: int, person: Person) -> tuple[Ticket, Expert]:
        expert = await self.expert(person)
        ticket = await self.get(number)
        if ticket.state == ANSWERED:
            raise UserError("ticket.closed")
        if expert is None or ticket.assignee != expert.id:
            raise UserError("ticket.not_yours")
        return ticket, expert

    async def release(self, number: int, person: Person) -> Outcome:
        ticket, expert = await self._own(number, person)
        now = self._clock()
        released = replace(ticket, state=OPEN, assignee="", claimed_at=None).with_event(
            "released", now, by=expert.id
        )
        released = await self._tickets.save(released)
        await self._audit.record(expert.id, "ticket.release", f"#{number}")
        await self._refresh_channel(released)
        return Outcome(released, person.texts("ticket.released"))

    async def reassign(self, number: int, person: Person, to_expert: str) -> Outcome:
        ticket, expert = await self._own(number, person)
        target = (await self.network()).experts.get(to_expert)
        if target is None or not target.covers(ticket.area) or target.id == expert.id:
            return Outcome(ticket, person.texts("ticket.unknown_expert"), "Attention")
        now = self._clock()
        moved = replace(ticket, assignee=target.id, claimed_at=now).with_event(
            "reassigned", now, by=expert.id, to=target.id
        )
        moved = await self._tickets.save(moved)
        await self._audit.record(expert.id, "ticket.reassign", f"#{number}", to=target.id)
        await self._refresh_channel(moved)
        await self._notify_expert(moved, target, "notice.reassigned", name=expert.name)
        return Outcome(moved, person.texts("ticket.reassigned", name=target.name))

    async def answer(self, number: int, person: Person, text: str, publish: bool) -> Outcome:
        ticket, expert = await self._own(number, person)
        texts = person.texts
        if not text.strip():
            return Outcome(ticket, texts("ticket.answer_empty"), "Attention", draft=text)
        if len(text) > MAX_ANSWER:
            return Outcome(
                ticket, texts("ticket.answer_too_long"), "Attention", draft=text[:MAX_ANSWER]
            )
        now = self._clock()
        publish = publish and ticket.consent_publish
        answered = replace(
            ticket, state=ANSWERED, answer=text.strip(), answered_at=now, published=publish
        ).with_event("answered", now, by=expert.id, published=publish)
        answered = await self._tickets.save(answered)
        log.info("ticket answered", extra={"ticket": number, "published": publish})
        await self._audit.record(expert.id, "ticket.answer", f"#{number}", published=publish)
        if publish:
            await self._audit.record(expert.id, "knowledge.publish", f"T{number}")
            await self._library.publish_answer(
                PublishedAnswer(
                    id=f"T{number}",
                    question=answered.question,
                    answer=answered.answer,
                    area=answered.area,
                    published_at=datetime.fromtimestamp(now, self._zone).date().isoformat(),
                )
            )
        await self._refresh_channel(answered)
        asker_texts = texts_for(answered.asker_locale)
        await self._tell(answered.asker_id, answer_notice_card(answered, expert, asker_texts))
        return Outcome(answered, texts("ticket.answered"))

    # --- escalation -----------------------------------------------------------------------

    async def escalate_due(self) -> int:
        """Tickets unclaimed past their deadline go to the next expert, then to all."""
        now = self._clock()
        escalated = 0
        network = await self.network()
        for ticket in await self._tickets.all():
            if ticket.state != OPEN or not ticket.posted or ticket.deadline > now:
                continue
            if ticket.escalation >= 2:
                continue
            candidates = network.on_call(ticket.area, self._now(), self._zone)
            fresh = [e for e in candidates if e.id not in ticket.notified]
            # The next one in line should be at work too (all of them when Graph cannot say).
            fresh = await self._at_work(fresh)
            level = ticket.escalation + 1
            targets = fresh[:1] if level == 1 and fresh else fresh
            if level == 1 and not fresh:
                level = 2
            updated = replace(
                ticket,
                escalation=level,
                deadline=self._deadline(now),
                notified=(*ticket.notified, *(e.id for e in targets)),
            ).with_event("escalated", now, level=level)
            try:
                updated = await self._tickets.save(updated)
            except ConcurrencyError:
                continue  # claimed or changed meanwhile: look again next round
            escalated += 1
            log.info("ticket escalated", extra={"ticket": ticket.number, "level": level})
            for expert in targets:
                await self._notify_expert(updated, expert, "notice.new_ticket")
            await self._refresh_channel(updated)
        return escalated

    # --- lists ----------------------------------------------------------------------------

    async def asked_by(self, person: Person) -> list[Ticket]:
        return [t for t in await self._tickets.all() if t.asker_id == person.user_id][::-1]

    async def open_for(self, person: Person) -> list[Ticket]:
        expert = await self.expert(person)
        if expert is None:
            raise UserError("ticket.not_expert")
        return [t for t in await self._tickets.all() if t.state == OPEN and expert.covers(t.area)]

    async def assigned_to(self, person: Person) -> list[Ticket]:
        expert = await self.expert(person)
        if expert is None:
            raise UserError("ticket.not_expert")
        return [
            t for t in await self._tickets.all() if t.state == CLAIMED and t.assignee == expert.id
        ]
