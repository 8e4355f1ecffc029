"""Expert routing: ask, deliver, claim, release, reassign, answer, publish, escalate.

Every state change is stored first (conditional on the version read, re-decided on the fresh
version when another change landed in between), then the messages follow as delivery steps
(bot/routing/steps.py), each claimed before it is sent and recorded after. Teams is reached
only through the `Messenger` protocol, cards only through the `TicketCards` port.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot import telemetry
from bot.audit import AuditLog
from bot.channels import ChannelSettings
from bot.clock import Clock
from bot.criteria import AREAS, CriteriaLibrary, PublishedAnswer
from bot.fields import ANSWER, QUESTION
from bot.i18n import Notice, UserError
from bot.messaging import Gone, Messenger, Person, PresenceLookup
from bot.places import MUNICIPALITIES
from bot.routing import steps
from bot.routing.network import Expert, Network, NetworkRepository
from bot.routing.ports import TicketCards
from bot.routing.tickets import ANSWERED, CLAIMED, OPEN, Ticket, TicketRepository
from bot.routing.workhours import add_working_hours
from bot.storage import AlreadyExistsError, ConcurrencyError, Store

log = logging.getLogger(__name__)

_NETWORK_TTL_S = 5.0
# A conditional write that keeps losing is given up after this many tries (never seen: each
# try re-reads the ticket, and people click at human speed).
_MAX_WRITES = 20

# Who sees a ticket, and how.
ROLE_ASKER, ROLE_ASSIGNEE, ROLE_EXPERT, ROLE_OTHER = "asker", "assignee", "expert", "other"


@dataclass(frozen=True)
class Outcome:
    """What an action did, for the person who did it."""

    ticket: Ticket
    notice: Notice | None = None
    draft: str = ""


class RoutingService:
    def __init__(
        self,
        store: Store,
        messenger: Messenger,
        library: CriteriaLibrary,
        cards: TicketCards,
        clock: Clock,
        escalation_hours: float = 4.0,
        presence: PresenceLookup | None = None,
        claim_seconds: float = steps.CLAIM_SECONDS,
    ) -> None:
        self._tickets = TicketRepository(store)
        self._claim_seconds = claim_seconds
        self._network_store = NetworkRepository(store)
        self._channels = ChannelSettings(store)
        self._messenger = messenger
        self._library = library
        self._cards = cards
        self._zone = clock.zone
        self._hours = escalation_hours
        self._clock = clock
        self._network: Network | None = None
        self._network_at = float("-inf")
        self._audit = AuditLog(store, clock)
        self._presence = presence

    # --- the network ----------------------------------------------------------------------

    async def network(self) -> Network:
        now = self._clock.time()
        if self._network is None or not 0 <= now - self._network_at <= _NETWORK_TTL_S:
            self._network = await self._network_store.load()
            self._network_at = now
        return self._network

    def forget_network(self) -> None:
        self._network = None

    async def experts_channel(self) -> str:
        return await self._channels.get("experts_channel")

    async def set_experts_channel(self, conversation_id: str, by: str = "") -> None:
        channel = await self._channels.set("experts_channel", conversation_id)
        await self._audit.record(by or "system", "experts_channel.set", channel)

    async def expert(self, person: Person) -> Expert | None:
        return (await self.network()).expert_for_user(person.user_id, person.aad_id)

    def _now(self) -> datetime:
        return self._clock.now()

    def area_experts(self, ticket: Ticket, network: Network) -> list[Expert]:
        return network.on_call(ticket.area, self._now(), self._zone)

    def _deadline(self, start: float, hours: float | None = None) -> float:
        moment = datetime.fromtimestamp(start, self._zone)
        return add_working_hours(moment, hours or self._hours, self._zone).timestamp()

    # --- asking ---------------------------------------------------------------------------

    def validate_question(self, question: str, area: str, municipality: str) -> UserError | None:
        """What is wrong with an ask form, or None."""
        if not QUESTION.fits(question):
            limits = {"min": QUESTION.min, "max": QUESTION.max, "length": len(question.strip())}
            return UserError("ask.error.question", limits)
        if area not in AREAS:
            return UserError("ask.error.area")
        if municipality not in MUNICIPALITIES:
            return UserError("ask.error.municipality")
        return None

    async def last_municipality(self, person: Person) -> str:
        mine = [t for t in await self._tickets.all() if t.asker_id == person.user_id]
        return mine[-1].municipality if mine else ""

    async def ask(
        self,
        person: Person,
        question: str,
        area: str,
        municipality: str,
        consent: bool,
        *,
        origin: str = "",
        asked_in: str = "",
        kind: str = "question",
        hours: float | None = None,
    ) -> tuple[Ticket, list[Expert]]:
        """Store the question as a ticket, then deliver it. `origin` names the activity that
        asked: asked again (a retried delivery), it finds the same ticket and only finishes
        what is left of its delivery. `asked_in` is where the receipt goes."""
        problem = self.validate_question(question, area, municipality)
        if problem:
            raise problem
        ticket = await self._existing(origin) if origin else None
        if ticket is None:
            now = self._clock.time()
            ticket = await self._store_new(
                Ticket(
                    number=0, question=question.strip(), area=area, municipality=municipality,
                    asker_id=person.user_id, asker_name=person.name, asker_locale=person.locale,
                    consent_publish=consent, created_at=now, deadline=self._deadline(now, hours),
                    asked_in=asked_in, origin=origin, kind=kind,
                ).with_event("asked", now)
            )  # fmt: skip
        try:
            ticket = await self.deliver(ticket)
        except Exception:
            # The background round delivers it; the asker's receipt is a step of its own.
            log.exception(
                "delivery failed; left for the next round", extra={"ticket": ticket.number}
            )
        network = await self.network()
        return ticket, [network.experts[i] for i in ticket.notified if i in network.experts]

    async def _existing(self, origin: str) -> Ticket | None:
        number = await self._tickets.number_for(origin)
        if number is None:
            return None
        ticket = await self._tickets.get(number)
        if ticket is not None:
            log.info("question asked again (a retried delivery)", extra={"ticket": number})
        return ticket

    async def _store_new(self, new: Ticket) -> Ticket:
        """Store a new ticket under the next number (the number its activity already
        reserved, when it was asked before)."""
        number = await self._tickets.next_number()
        if new.origin:  # the activity takes its number first: a retry finds it
            number = await self._tickets.reserve(new.origin, number, new.created_at)
        ticket = replace(new, number=number)
        try:
            ticket = await self._tickets.add(ticket)  # stored first: nothing is lost after this
        except AlreadyExistsError:  # the same activity, handled at the same moment elsewhere
            return await self.get(number)
        log.info("ticket stored", extra={"ticket": ticket.number, "area": ticket.area})
        telemetry.count("tickets", area=ticket.area)
        return ticket

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
        """Route a new ticket (choose the expert), then take every delivery step that is due."""
        if not ticket.routed:
            ticket = await self._route(ticket)
        return await self._run_steps(ticket)

    async def _route(self, ticket: Ticket) -> Ticket:
        """Choose who is told: the on-call expert at work (Graph presence), once."""
        network = await self.network()
        on_call = self.area_experts(ticket, network)
        at_work = await self._at_work(on_call)
        skipped: tuple[str, ...] = ()
        if at_work and at_work[0] is not on_call[0]:
            # Those ahead of the chosen expert in the rota were passed over: the card says so.
            skipped = tuple(e.id for e in on_call[: on_call.index(at_work[0])])
        first = at_work[:1]

        def route(current: Ticket) -> Ticket | None:
            if current.routed:
                return None
            routed = replace(current, routed=True, skipped=skipped,
                             notified=tuple(e.id for e in first))  # fmt: skip
            routed = steps.add(routed, steps.POST, on_call=first[0].id if first else "")
            for expert in first:
                routed = steps.add(
                    routed, steps.expert_step(expert.id, routed), expert=expert.id,
                    key="notice.new_ticket",
                )  # fmt: skip
            if current.asked_in:  # last: it says whether the post went through
                routed = steps.add(routed, steps.RECEIPT)
            return routed

        ticket, _ = await self._change(ticket.number, route)
        return ticket

    async def forget_origins(self, days: float = 2.0) -> int:
        return await self._tickets.forget_origins(self._clock.time() - days * 86400)

    async def deliver_pending(self) -> int:
        """Finish what was left: tickets never routed, and steps whose time has come (a failed
        send's retry) or whose claim expired (the process died while sending)."""
        delivered = 0
        now = self._clock.time()
        for ticket in await self._tickets.all():
            if ticket.routed and not steps.has_due(ticket, now):
                continue
            try:
                await self.deliver(ticket)
                delivered += 1
            except Exception:
                log.exception(
                    "delivery failed; trying again later", extra={"ticket": ticket.number}
                )
        return delivered

    async def _run_steps(self, ticket: Ticket) -> Ticket:
        for name in steps.due(ticket, self._clock.time()):
            ticket = await self._take_step(ticket.number, name)
        return ticket

    async def _take_step(self, number: int, name: str) -> Ticket:
        """Claim one step, send it, record it; a step claimed elsewhere is left alone."""
        token = ""

        def take(current: Ticket) -> Ticket | None:
            nonlocal token
            claimed = steps.claim(current, name, self._clock.time(), self._claim_seconds)
            if claimed is None:
                return None
            current, token = claimed
            return current

        ticket, taken = await self._change(number, take)
        if not taken or not token:
            return ticket
        extra: dict[str, Any] = {}
        state = steps.DONE
        try:
            extra = await self._send_step(ticket, name)
        except Gone:
            log.info("recipient gone; not sent", extra={"ticket": number, "step": name})
            state = steps.GONE
        except Exception:
            log.exception("send failed; trying again later", extra={"ticket": number, "step": name})
            ticket, _ = await self._change(
                number, lambda t: steps.retry_later(t, name, token, self._clock.time())
            )
            return ticket

        def done(current: Ticket) -> Ticket | None:
            recorded = steps.record(current, name, token, state)
            return None if recorded is None else replace(recorded, **extra)

        ticket, _ = await self._change(number, done)
        return ticket

    async def _send_step(self, ticket: Ticket, name: str) -> dict[str, Any]:
        """Send one step's message; returns what to store with its record."""
        network = await self.network()
        step = ticket.steps[name]
        area_experts = self.area_experts(ticket, network)
        if name == steps.POST:
            channel = await self.experts_channel()
            if not channel:
                return {"posted": True}
            on_call = network.experts.get(step.get("on_call", ""))
            card = self._cards.channel(ticket, network, area_experts, on_call)
            activity_id = await self._messenger.to_channel(channel, card)
            return {"posted": True, "channel_id": channel, "channel_activity_id": activity_id}
        if name == steps.CHANNEL:
            if ticket.channel_id and ticket.channel_activity_id:
                card = self._cards.channel(ticket, network, area_experts)
                await self._messenger.update(ticket.channel_id, ticket.channel_activity_id, card)
            return {}
        if name == steps.RECEIPT:
            experts = [network.experts[i] for i in ticket.notified if i in network.experts]
            await self._messenger.to_channel(ticket.asked_in, self._cards.receipt(ticket, experts))
            return {}
        if name.startswith("expert:"):
            expert = network.experts.get(step["expert"])
            if expert is None or not expert.teams_id:
                return {}
            values = {"area": AREAS.get(ticket.area, ticket.area), "number": ticket.number}
            notice = Notice(step["key"], {**values, **step.get("values", {})})
            card = self._cards.expert_notice(ticket, network, area_experts, notice)
            if not await self._messenger.to_person(expert.teams_id, card):
                log.info("expert not reached 1:1", extra={"expert": expert.id})
            return {}
        if name.startswith("asker:") and ticket.asker_id:
            if step["key"] == "answer":
                expert = network.experts.get(ticket.assignee)
                if expert is None:
                    return {}
                card = self._cards.answer(ticket, expert)
            else:
                card = self._cards.asker_notice(ticket, Notice(step["key"], step["values"]))
            if not await self._messenger.to_person(ticket.asker_id, card):
                log.info("asker not reached 1:1", extra={"ticket": ticket.number})
        return {}

    async def _change(
        self, number: int, change: Callable[[Ticket], Ticket | None]
    ) -> tuple[Ticket, bool]:
        """Apply `change` to the stored ticket and store it, conditionally; when another write
        landed first, decide again on the fresh ticket. Returns the ticket as stored, and
        whether `change` changed it (it returns None to leave the ticket as it is)."""
        for _ in range(_MAX_WRITES):
            current = await self.get(number)
            updated = change(current)
            if updated is None:
                return current, False
            try:
                return await self._tickets.save(updated), True
            except ConcurrencyError:
                continue
        raise ConcurrencyError(f"ticket {number} kept changing")

    # --- who sees what --------------------------------------------------------------------

    def role(self, ticket: Ticket, person: Person, network: Network) -> str:
        expert = network.expert_for_user(person.user_id, person.aad_id)
        if expert is not None and expert.id == ticket.assignee:
            return ROLE_ASSIGNEE
        if expert is not None and self._may_take(expert, ticket):
            return ROLE_EXPERT
        if person.user_id == ticket.asker_id:
            return ROLE_ASKER
        return ROLE_OTHER

    @staticmethod
    def _may_take(expert: Expert, ticket: Ticket) -> bool:
        """An expert takes the tickets of the areas they cover, and those sent to them."""
        return expert.covers(ticket.area) or expert.id in ticket.notified

    async def get(self, number: int) -> Ticket:
        ticket = await self._tickets.get(number)
        if ticket is None:
            raise UserError("ticket.not_found", {"number": number})
        return ticket

    async def visible(self, number: int, person: Person, admin: bool = False) -> Ticket:
        """A ticket for those who may see it: the asker, the holder, the experts of its area
        (and those it was sent to), and admins. Anyone else is told it does not exist, exactly
        as for a number never given out."""
        ticket = await self.get(number)
        if admin or person.user_id == ticket.asker_id:
            return ticket
        if self.role(ticket, person, await self.network()) in (ROLE_ASSIGNEE, ROLE_EXPERT):
            return ticket
        log.info("ticket refused to someone not involved", extra={"ticket": number})
        raise UserError("ticket.not_found", {"number": number})

    # --- expert actions -------------------------------------------------------------------

    async def claim(self, number: int, person: Person) -> Outcome:
        expert = await self.expert(person)
        ticket = await self.get(number)
        if expert is None:
            return Outcome(ticket, Notice("ticket.not_expert", tone="attention"))
        if not self._may_take(expert, ticket):
            return Outcome(ticket, Notice("ticket.not_your_area", tone="attention"))
        now = self._clock.time()

        def take(current: Ticket) -> Ticket | None:
            if current.state != OPEN:
                return None
            claimed = replace(current, state=CLAIMED, assignee=expert.id, claimed_at=now)
            claimed = claimed.with_event("claimed", now, by=expert.id)
            notice = {"name": expert.name, "municipality": expert.municipality, "number": number}
            claimed = steps.add(claimed, steps.asker_step("claimed", claimed),
                                key="notice.claimed", values=notice)  # fmt: skip
            return steps.add(claimed, steps.CHANNEL)

        claimed, won = await self._change(number, take)
        if not won:
            if claimed.state == ANSWERED:
                return Outcome(claimed, Notice("ticket.closed", tone="attention"))
            return self._taken(claimed, await self.network())
        log.info("ticket claimed", extra={"ticket": number, "expert": expert.id})
        await self._audit.record(expert.id, "ticket.claim", f"#{number}")
        claimed = await self._run_steps(claimed)
        return Outcome(claimed, Notice("ticket.claimed_by_you"))

    def _taken(self, ticket: Ticket, network: Network) -> Outcome:
        holder = network.experts.get(ticket.assignee)
        values = {"name": holder.name if holder else "?",
                  "municipality": holder.municipality if holder else ""}  # fmt: skip
        return Outcome(ticket, Notice("ticket.taken", values, tone="warning"))

    async def _held_change(
        self,
        number: int,
        person: Person,
        change: Callable[[Ticket, Expert], Ticket | None],
    ) -> tuple[Ticket, Expert, bool]:
        """A change only the ticket's holder may make, decided on the stored ticket."""
        expert = await self.expert(person)

        def held(current: Ticket) -> Ticket | None:
            if current.state != CLAIMED or expert is None or current.assignee != expert.id:
                return None
            return change(current, expert)

        ticket, changed = await self._change(number, held)
        if not changed:
            if ticket.state == ANSWERED:
                raise UserError("ticket.closed")
            raise UserError("ticket.not_yours")
        assert expert is not None
        return ticket, expert, changed

    async def release(self, number: int, person: Person) -> Outcome:
        now = self._clock.time()

        def release(current: Ticket, expert: Expert) -> Ticket:
            released = replace(current, state=OPEN, assignee="", claimed_at=None)
            return steps.add(released.with_event("released", now, by=expert.id), steps.CHANNEL)

        released, expert, _ = await self._held_change(number, person, release)
        await self._audit.record(expert.id, "ticket.release", f"#{number}")
        released = await self._run_steps(released)
        return Outcome(released, Notice("ticket.released"))

    async def reassign(self, number: int, person: Person, to_expert: str) -> Outcome:
        network = await self.network()
        target = network.experts.get(to_expert)
        now = self._clock.time()

        def move(current: Ticket, expert: Expert) -> Ticket | None:
            if target is None or not target.covers(current.area) or target.id == expert.id:
                return None
            moved = replace(current, assignee=target.id, claimed_at=now)
            moved = moved.with_event("reassigned", now, by=expert.id, to=target.id)
            moved = steps.add(moved, steps.expert_step(target.id, moved), expert=target.id,
                              key="notice.reassigned", values={"name": expert.name})  # fmt: skip
            return steps.add(moved, steps.CHANNEL)

        if target is None:
            ticket = await self.get(number)
            return Outcome(ticket, Notice("ticket.unknown_expert", tone="attention"))
        try:
            moved, expert, _ = await self._held_change(number, person, move)
        except UserError:
            current = await self.get(number)
            holder = await self.expert(person)
            if current.state == CLAIMED and holder is not None and current.assignee == holder.id:
                # Held, but the choice was refused: an expert outside the area, or oneself.
                return Outcome(current, Notice("ticket.unknown_expert", tone="attention"))
            raise
        await self._audit.record(expert.id, "ticket.reassign", f"#{number}", to=target.id)
        moved = await self._run_steps(moved)
        return Outcome(moved, Notice("ticket.reassigned", {"name": target.name}))

    async def answer(self, number: int, person: Person, text: str, publish: bool) -> Outcome:
        if not ANSWER.fits(text):
            ticket = await self.get(number)
            key = "ticket.answer_too_long" if text.strip() else "ticket.answer_empty"
            values = {"max": ANSWER.max, "length": len(text)}
            return Outcome(ticket, Notice(key, values, tone="attention"), draft=text)
        now = self._clock.time()

        def answer(current: Ticket, expert: Expert) -> Ticket:
            published = publish and current.consent_publish
            answered = replace(current, state=ANSWERED, answer=text.strip(), answered_at=now,
                               published=published)  # fmt: skip
            answered = answered.with_event("answered", now, by=expert.id, published=published)
            answered = steps.add(answered, steps.asker_step("answered", answered), key="answer")
            return steps.add(answered, steps.CHANNEL)

        try:
            answered, expert, _ = await self._held_change(number, person, answer)
        except UserError as refused:
            current = await self.get(number)
            holder = await self.expert(person)
            if current.state == ANSWERED and holder is not None and current.assignee == holder.id:
                # A second click on "Skicka svar": the answer is already on its way.
                return Outcome(current, Notice("ticket.answered"))
            raise refused
        log.info("ticket answered", extra={"ticket": number, "published": answered.published})
        await self._audit.record(
            expert.id, "ticket.answer", f"#{number}", published=answered.published
        )
        if answered.published:
            await self._audit.record(expert.id, "knowledge.publish", f"T{number}")
            await self._library.publish_answer(
                PublishedAnswer(
                    id=f"T{number}",
                    question=answered.question,
                    answer=answered.answer,
                    area=answered.area,
                    published_at=self._clock.local(now).date().isoformat(),
                )
            )
            # Its Krav IDs teach the search the question's words (criteria/learning.py).
            await self._library.learn_from_answer(answered.question, answered.answer)
        answered = await self._run_steps(answered)
        return Outcome(answered, Notice("ticket.answered"))

    # --- escalation -----------------------------------------------------------------------

    async def escalate_due(self) -> int:
        """Tickets unclaimed past their deadline go to the next expert, then to all."""
        now = self._clock.time()
        escalated = 0
        network = await self.network()
        for ticket in await self._tickets.all():
            if ticket.state != OPEN or not ticket.posted or ticket.deadline > now:
                continue
            if ticket.escalation >= 2:
                continue
            candidates = self.area_experts(ticket, network)
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
            for expert in targets:
                updated = steps.add(updated, steps.expert_step(expert.id, updated),
                                    expert=expert.id, key="notice.new_ticket")  # fmt: skip
            updated = steps.add(updated, steps.CHANNEL)
            try:
                updated = await self._tickets.save(updated)
            except ConcurrencyError:
                continue  # claimed or changed meanwhile: look again next round
            escalated += 1
            log.info("ticket escalated", extra={"ticket": ticket.number, "level": level})
            await self._run_steps(updated)
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
