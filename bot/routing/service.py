"""Expert routing: ask, route, claim, release, reassign, answer, publish, escalate.

Every state change is a conditional write of the ticket (re-decided on the fresh ticket when
another change landed in between) that appends an event to its history. What a change makes
the node say (the channel post, an expert's 1:1, the asker's receipt and notices, the channel
card's update, the next escalation check) is scheduled in the one outbox *before* the change
is written, keyed by the ticket, the event's place in the history and what it says. A message
is sent once (the outbox's claim and key), and only when the change it is about was stored:
the message finds its event in the history when it is sent, and builds its card from the
ticket as it then is. So a change that lost its race, or a process that died between
scheduling and writing, says nothing; nothing that was stored goes unsaid.

Teams is reached only through the `Messenger` protocol, cards only through `TicketCards`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot import telemetry
from bot.audit import AuditLog
from bot.channels import ChannelSettings
from bot.clock import Clock
from bot.criteria import AREAS, CriteriaLibrary, PublishedAnswer
from bot.fields import ANSWER, QUESTION
from bot.forms import Context
from bot.i18n import Notice, UserError
from bot.messaging import Messenger, Person, PresenceLookup
from bot.outbox import SKIPPED, Kind, Message, Outbox, Result, Retry, Sent, Skip
from bot.routing.forms import ASK
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
RETENTION_S = 24 * 30.44 * 86400  # answered tickets lose their asker after this (default)

# Who sees a ticket, and how.
ROLE_ASKER, ROLE_ASSIGNEE, ROLE_EXPERT, ROLE_OTHER = "asker", "assignee", "expert", "other"
_NUMBER_TRIES = 3  # a counter found behind catches up at once; the next number is free

# The kinds of message a ticket causes (each a declaration in the outbox), in the order they
# go out after one change.
ROUTE, POST, EXPERT, RECEIPT, CHANNEL, ASKER, ESCALATE, RETAIN = (
    "ticket.route", "ticket.post", "ticket.expert", "ticket.receipt", "ticket.channel",
    "ticket.asker", "ticket.escalate", "ticket.retention",
)  # fmt: skip
_ORDER = {kind: n for n, kind in enumerate((ROUTE, POST, EXPERT, RECEIPT, CHANNEL, ASKER,
                                            ESCALATE, RETAIN))}  # fmt: skip
# The events that tell experts about a ticket (and so may carry expert notices).
_TELLING = ("routed", "escalated", "reassigned")


@dataclass(frozen=True)
class Outcome:
    """What an action did, for the person who did it."""

    ticket: Ticket
    notice: Notice | None = None
    draft: str = ""


@dataclass
class Planned:
    """A message a change will cause, scheduled before the change is written."""

    kind: str
    name: str = ""  # tells apart two of a kind after one change (two experts told)
    data: dict[str, Any] = field(default_factory=dict)
    due: float | None = None


@dataclass
class _Change:
    """A change to make: the ticket as it will be stored, and what it makes the node say."""

    ticket: Ticket
    messages: list[Planned] = field(default_factory=list)


def _group(message: Message) -> str:
    return f"ticket:{message.data.get('ticket')}"


class RoutingService:
    def __init__(
        self,
        store: Store,
        messenger: Messenger,
        library: CriteriaLibrary,
        cards: TicketCards,
        clock: Clock,
        outbox: Outbox,
        escalation_hours: float = 4.0,
        presence: PresenceLookup | None = None,
        retention_s: float = RETENTION_S,
    ) -> None:
        self._tickets = TicketRepository(store)
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
        self._outbox = outbox
        self._retention_s = retention_s
        senders = {ROUTE: self._send_route, POST: self._send_post, EXPERT: self._send_expert,
                   RECEIPT: self._send_receipt, CHANNEL: self._send_channel,
                   ASKER: self._send_asker, ESCALATE: self._send_escalate,
                   RETAIN: self._send_retention}  # fmt: skip
        for name, send in senders.items():
            outbox.declare(Kind(name, send, group=_group))

    @property
    def tickets(self) -> TicketRepository:
        return self._tickets

    async def prepare(self) -> None:
        """At start: index tickets stored before the index existed (once)."""
        indexed = await self._tickets.build_index()
        if indexed:
            log.info("ticket index built", extra={"tickets": indexed})

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

    def validate_question(
        self, question: str, area: str, municipality: str, about: dict[str, str] | None = None
    ) -> UserError | None:
        """What is wrong with a question (as the ask form checks it), or None; one about a
        follow-up or a plan may leave the words to what it is about."""
        values = {"question": question or ("-" * QUESTION.min if about else ""), "area": area,
                  "municipality": municipality}  # fmt: skip
        problems = ASK.check(values, Context(self._clock.today()))
        for name in ("question", "area", "municipality"):
            if name in problems.fields:
                limits = {"min": QUESTION.min, "max": QUESTION.max,
                          "length": len(question.strip())}  # fmt: skip
                return UserError(problems.fields[name], limits)
        return None

    async def last_municipality(self, person: Person) -> str:
        mine = await self.asked_by(person)
        return mine[0].municipality if mine else ""

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
        about: dict[str, str] | None = None,
    ) -> tuple[Ticket, list[Expert]]:
        """Store the question as a ticket, then route and deliver it. `origin` names the
        activity that asked: asked again (a retried delivery), it finds the same ticket and
        only finishes what is left of its delivery. `asked_in` is where the receipt goes;
        `about`, what a follow-up's or a plan's question is about (keys and values)."""
        problem = self.validate_question(question, area, municipality, about)
        if problem:
            raise problem
        ticket = await self._existing(origin) if origin else None
        if ticket is not None:  # asked again: what is left of its delivery goes out now
            route = await self._schedule(ticket, 0, Planned(ROUTE))
        else:
            now = self._clock.time()
            ticket, route = await self._store_new(
                Ticket(
                    number=0, question=question.strip(), area=area, municipality=municipality,
                    asker_id=person.user_id, asker_name=person.name, asker_locale=person.locale,
                    consent_publish=consent, created_at=now, deadline=self._deadline(now, hours),
                    asked_in=asked_in, origin=origin, kind=kind, about=dict(about or {}),
                ).with_event("asked", now)
            )  # fmt: skip
        try:
            await self._outbox.send_now([route])
        except Exception:
            # The next round routes and delivers it; the asker's receipt is one of its messages.
            log.exception("delivery failed; left for the next round",
                          extra={"ticket": ticket.number})  # fmt: skip
        ticket = await self.get(ticket.number)
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

    async def _store_new(self, new: Ticket) -> tuple[Ticket, Message]:
        """Store a new ticket under the next number (the number its activity already
        reserved, when it was asked before), its routing scheduled first. A number already
        another ticket's means the counter fell behind (a restore from a backup cut before
        its last tickets): the counter catches up and the ticket takes the next one."""
        for _ in range(_NUMBER_TRIES):
            number = await self._tickets.next_number()
            if new.origin:  # the activity takes its number first: a retry finds it
                number = await self._tickets.reserve(new.origin, number, new.created_at)
            ticket = replace(new, number=number)
            route = await self._schedule(ticket, 0, Planned(ROUTE))
            try:
                ticket = await self._tickets.add(ticket)  # stored: nothing is lost after this
            except AlreadyExistsError:
                existing = await self.get(number)
                if new.origin and existing.origin == new.origin:
                    return existing, route  # the same activity, handled at once elsewhere
                log.warning("ticket number taken: the counter was behind; catching up",
                            extra={"ticket": number})  # fmt: skip
                await self._tickets.repair_counter()
                if new.origin:
                    await self._tickets.forget_origin(new.origin)
                continue
            log.info("ticket stored", extra={"ticket": ticket.number, "area": ticket.area})
            telemetry.count("tickets", area=ticket.area)
            return ticket, route
        raise RuntimeError("no free ticket number")  # the counter could not catch up

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

    # --- changes and the messages they cause ----------------------------------------------

    async def _schedule(self, ticket: Ticket, event: int, planned: Planned) -> Message:
        order = _ORDER[planned.kind]
        key = f"{ticket.number:07d}:{event:03d}:{order}:{planned.name}"
        data = {"ticket": ticket.number, "event": event, **planned.data}
        # Due now: the request (or the round's job) that causes it sends it at once.
        return await self._outbox.schedule(planned.kind, key, data, due=planned.due,
                                           hold=planned.due is None)  # fmt: skip

    async def _change(
        self, number: int, change: Callable[[Ticket], _Change | None]
    ) -> tuple[Ticket, bool, list[Message]]:
        """Apply `change` to the stored ticket and store it, conditionally, its messages
        scheduled first; when another write landed first, decide again on the fresh ticket.
        Returns the ticket as stored, whether `change` changed it (it returns None to leave
        it as it is) and the messages scheduled, to send now."""
        for _ in range(_MAX_WRITES):
            current = await self.get(number)
            decided = change(current)
            if decided is None:
                return current, False, []
            # The messages are about the change's last event (or the last there is).
            event = max(len(decided.ticket.events) - 1, 0)
            scheduled = [await self._schedule(current, event, p) for p in decided.messages]
            try:
                saved = await self._tickets.save(decided.ticket, before=current)
            except ConcurrencyError:
                continue
            return saved, True, scheduled
        raise ConcurrencyError(f"ticket {number} kept changing")

    async def _changed(
        self, number: int, change: Callable[[Ticket], _Change | None]
    ) -> tuple[Ticket, bool]:
        """`_change`, then its messages sent at once (a round takes what fails)."""
        ticket, changed, scheduled = await self._change(number, change)
        if scheduled:
            await self._outbox.send_now(scheduled)
            ticket = await self.get(number)
        return ticket, changed

    def _telling(self, experts: Sequence[Expert], key: str, **values: Any) -> list[Planned]:
        return [Planned(EXPERT, e.id, {"expert": e.id, "key": key, "values": values})
                for e in experts]  # fmt: skip

    async def _valid(self, message: Message) -> Ticket | Result:
        """The ticket a message is about, if the change that caused it was stored; else why
        the message is not sent (yet)."""
        ticket = await self._tickets.get(int(message.data["ticket"]))
        if ticket is None:
            return Retry("ticket not stored yet", give_up_as=SKIPPED)
        event = int(message.data.get("event", 0))
        if len(ticket.events) <= event:
            return Retry("change not stored yet", give_up_as=SKIPPED)
        expects = message.data.get("expects")
        if expects and ticket.events[event].get("kind") not in expects:
            return Skip("another change came first")
        return ticket

    # --- routing: choosing who is told ----------------------------------------------------

    async def _send_route(self, message: Message) -> Result:
        """Choose who is told: the on-call expert at work (Graph presence), once; then the
        post, their 1:1, the asker's receipt and the escalation check follow."""
        ticket = await self._valid(message)
        if not isinstance(ticket, Ticket):
            return ticket
        if ticket.routed:
            return Skip("routed already")
        network = await self.network()
        on_call = self.area_experts(ticket, network)
        at_work = await self._at_work(on_call)
        skipped: tuple[str, ...] = ()
        if at_work and at_work[0] is not on_call[0]:
            # Those ahead of the chosen expert in the rota were passed over: the card says so.
            skipped = tuple(e.id for e in on_call[: on_call.index(at_work[0])])
        first = at_work[:1]
        now = self._clock.time()

        def route(current: Ticket) -> _Change | None:
            if current.routed:
                return None
            told = tuple(e.id for e in first)
            routed = replace(current, routed=True, skipped=skipped, notified=told)
            routed = routed.with_event("routed", now, told=list(told),
                                       on_call=first[0].id if first else "")  # fmt: skip
            messages = [Planned(POST, data={"expects": ["routed"]}),
                        *self._telling(first, "notice.new_ticket")]  # fmt: skip
            if current.asked_in:
                messages.append(Planned(RECEIPT, data={"expects": ["routed"]}))
            messages.append(self._escalation_check(routed))
            return _Change(routed, messages)

        await self._changed(ticket.number, route)
        return Sent()

    def _escalation_check(self, ticket: Ticket) -> Planned:
        return Planned(ESCALATE, str(ticket.escalation), {"level": ticket.escalation},
                       due=ticket.deadline)  # fmt: skip

    # --- the messages ---------------------------------------------------------------------

    async def _send_post(self, message: Message) -> Result:
        ticket = await self._valid(message)
        if not isinstance(ticket, Ticket):
            return ticket
        if ticket.posted:
            return Skip("posted already")
        channel = await self.experts_channel()
        if not channel:
            await self._record(ticket.number, posted=True)
            return Skip("no experts' channel")
        network = await self.network()
        on_call = network.experts.get(ticket.events[message.data["event"]].get("on_call", ""))
        card = self._cards.channel(ticket, network, self.area_experts(ticket, network), on_call)
        activity_id = await self._messenger.to_channel(channel, card)
        await self._record(ticket.number, posted=True, channel_id=channel,
                           channel_activity_id=activity_id)  # fmt: skip
        return Sent()

    async def _record(self, number: int, **values: Any) -> None:
        """Fields a message records on its ticket (no event: they change no state)."""

        def record(current: Ticket) -> _Change | None:
            return _Change(replace(current, **values))

        await self._change(number, record)

    async def _send_channel(self, message: Message) -> Result:
        """The channel card brought up to date: rendered from the ticket as it is, and again
        if the ticket changed while it was being sent."""
        ticket = await self._valid(message)
        if not isinstance(ticket, Ticket):
            return ticket
        for _ in range(3):
            if not (ticket.channel_id and ticket.channel_activity_id):
                return Skip("not in the channel (yet)")
            network = await self.network()
            card = self._cards.channel(ticket, network, self.area_experts(ticket, network))
            await self._messenger.update(ticket.channel_id, ticket.channel_activity_id, card)
            fresh = await self.get(ticket.number)
            if len(fresh.events) == len(ticket.events):
                break
            ticket = fresh
        return Sent()

    async def _send_receipt(self, message: Message) -> Result:
        ticket = await self._valid(message)
        if not isinstance(ticket, Ticket):
            return ticket
        network = await self.network()
        experts = [network.experts[i] for i in ticket.notified if i in network.experts]
        await self._messenger.to_channel(ticket.asked_in, self._cards.receipt(ticket, experts))
        return Sent()

    async def _send_expert(self, message: Message) -> Result:
        ticket = await self._valid(message)
        if not isinstance(ticket, Ticket):
            return ticket
        event = ticket.events[int(message.data["event"])]
        if event.get("kind") not in _TELLING or message.data["expert"] not in event.get("told", ()):
            return Skip("another change came first")
        network = await self.network()
        expert = network.experts.get(message.data["expert"])
        if expert is None or not expert.teams_id:
            return Skip("expert not in the network")
        values = {"area": AREAS.get(ticket.area, ticket.area), "number": ticket.number}
        notice = Notice(message.data["key"], {**values, **message.data.get("values", {})})
        card = self._cards.expert_notice(ticket, network, self.area_experts(ticket, network),
                                         notice)  # fmt: skip
        if not await self._messenger.to_person(expert.teams_id, card):
            # The ticket is in the experts' channel; a 1:1 days later would be stale.
            log.info("expert not reached 1:1", extra={"expert": expert.id})
            return Skip("expert has no chat with the bot")
        return Sent()

    async def _send_asker(self, message: Message) -> Result:
        ticket = await self._valid(message)
        if not isinstance(ticket, Ticket):
            return ticket
        if not ticket.asker_id:
            return Skip("the asker is erased")
        if message.data["key"] == "answer":
            expert = (await self.network()).experts.get(ticket.assignee)
            if expert is None:
                return Skip("the expert left the network")
            card = self._cards.answer(ticket, expert)
        else:
            notice = Notice(message.data["key"], message.data.get("values", {}))
            card = self._cards.asker_notice(ticket, notice)
        if await self._messenger.to_person(ticket.asker_id, card):
            return Sent()
        # A shared-channel member of another tenant has no 1:1 chat with the bot: the answer
        # comes where they asked.
        if ticket.asked_in and await self._messenger.to_channel(ticket.asked_in, card):
            return Sent()
        log.info("asker not reached", extra={"ticket": ticket.number})
        return Skip("asker has no chat with the bot")

    async def _send_retention(self, message: Message) -> Result:
        """An answered ticket loses its asker when its retention period has passed."""
        ticket = await self._valid(message)
        if not isinstance(ticket, Ticket):
            return ticket
        if not await self._tickets.anonymise(ticket.number):
            return Retry("changed meanwhile")
        return Sent()

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

    async def find(self, number: int) -> Ticket | None:
        return await self._tickets.get(number)

    async def get(self, number: int) -> Ticket:
        ticket = await self._tickets.get(number)
        if ticket is None:
            raise UserError("ticket.not_found", {"number": number})
        return ticket

    async def may_see(self, ticket: Ticket, person: Person, admin: bool = False) -> bool:
        """The asker, the holder, the experts of its area (and those it was sent to), and
        admins. Anyone else is told it does not exist, exactly as for a number never given
        out (bot/teams/_access.py)."""
        if admin or person.user_id == ticket.asker_id:
            return True
        return self.role(ticket, person, await self.network()) in (ROLE_ASSIGNEE, ROLE_EXPERT)

    # --- expert actions -------------------------------------------------------------------

    async def claim(self, number: int, person: Person) -> Outcome:
        expert = await self.expert(person)
        ticket = await self.get(number)
        if expert is None:
            return Outcome(ticket, Notice("ticket.not_expert", tone="attention"))
        if not self._may_take(expert, ticket):
            return Outcome(ticket, Notice("ticket.not_your_area", tone="attention"))
        now = self._clock.time()

        def take(current: Ticket) -> _Change | None:
            if current.state != OPEN:
                return None
            claimed = replace(current, state=CLAIMED, assignee=expert.id, claimed_at=now)
            claimed = claimed.with_event("claimed", now, by=expert.id)
            notice = {"name": expert.name, "municipality": expert.municipality, "number": number}
            return _Change(claimed, [
                Planned(ASKER, data={"expects": ["claimed"], "key": "notice.claimed",
                                     "values": notice}),
                Planned(CHANNEL),
            ])  # fmt: skip

        claimed, won = await self._changed(number, take)
        if not won:
            if claimed.state == ANSWERED:
                return Outcome(claimed, Notice("ticket.closed", tone="attention"))
            return self._taken(claimed, await self.network())
        log.info("ticket claimed", extra={"ticket": number, "expert": expert.id})
        await self._audit.record(expert.id, "ticket.claim", f"#{number}")
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
        change: Callable[[Ticket, Expert], _Change | None],
    ) -> tuple[Ticket, Expert, bool]:
        """A change only the ticket's holder may make, decided on the stored ticket."""
        expert = await self.expert(person)

        def held(current: Ticket) -> _Change | None:
            if current.state != CLAIMED or expert is None or current.assignee != expert.id:
                return None
            return change(current, expert)

        ticket, changed = await self._changed(number, held)
        if not changed:
            if ticket.state == ANSWERED:
                raise UserError("ticket.closed")
            raise UserError("ticket.not_yours")
        assert expert is not None
        return ticket, expert, changed

    async def release(self, number: int, person: Person) -> Outcome:
        now = self._clock.time()

        def release(current: Ticket, expert: Expert) -> _Change:
            released = replace(current, state=OPEN, assignee="", claimed_at=None)
            released = released.with_event("released", now, by=expert.id)
            # Unclaimed again: the escalation check looks again at its deadline.
            check = replace(self._escalation_check(released), due=max(released.deadline, now))
            return _Change(released, [Planned(CHANNEL), check])

        released, expert, _ = await self._held_change(number, person, release)
        await self._audit.record(expert.id, "ticket.release", f"#{number}")
        return Outcome(released, Notice("ticket.released"))

    async def reassign(self, number: int, person: Person, to_expert: str) -> Outcome:
        network = await self.network()
        target = network.experts.get(to_expert)
        now = self._clock.time()

        def move(current: Ticket, expert: Expert) -> _Change | None:
            if target is None or not target.covers(current.area) or target.id == expert.id:
                return None
            moved = replace(current, assignee=target.id, claimed_at=now)
            moved = moved.with_event("reassigned", now, by=expert.id, to=target.id,
                                     told=[target.id])  # fmt: skip
            return _Change(moved, [*self._telling([target], "notice.reassigned", name=expert.name),
                                   Planned(CHANNEL)])  # fmt: skip

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
        return Outcome(moved, Notice("ticket.reassigned", {"name": target.name}))

    async def answer(self, number: int, person: Person, text: str, publish: bool) -> Outcome:
        if not ANSWER.fits(text):
            ticket = await self.get(number)
            key = "ticket.answer_too_long" if text.strip() else "ticket.answer_empty"
            values = {"max": ANSWER.max, "length": len(text)}
            return Outcome(ticket, Notice(key, values, tone="attention"), draft=text)
        now = self._clock.time()

        def answer(current: Ticket, expert: Expert) -> _Change:
            published = publish and current.consent_publish
            answered = replace(current, state=ANSWERED, answer=text.strip(), answered_at=now,
                               published=published)  # fmt: skip
            answered = answered.with_event("answered", now, by=expert.id, published=published)
            return _Change(answered, [
                Planned(ASKER, data={"expects": ["answered"], "key": "answer"}),
                Planned(CHANNEL),
                Planned(RETAIN, data={"expects": ["answered"]}, due=now + self._retention_s),
            ])  # fmt: skip

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
        return Outcome(answered, Notice("ticket.answered"))

    # --- escalation -----------------------------------------------------------------------

    async def _send_escalate(self, message: Message) -> Result:
        """Unclaimed past its deadline: the next expert in the rotation, then every expert of
        the area; each time the next check is scheduled at the new deadline."""
        ticket = await self._valid(message)
        if not isinstance(ticket, Ticket):
            return ticket
        level = int(message.data.get("level", 0))
        if ticket.state != OPEN or ticket.escalation != level or level >= 2:
            return Skip("claimed, answered or escalated meanwhile")
        now = self._clock.time()
        if ticket.deadline > now:
            return Skip("deadline moved")  # its own check was scheduled with the move
        network = await self.network()
        candidates = self.area_experts(ticket, network)
        fresh = await self._at_work([e for e in candidates if e.id not in ticket.notified])

        def escalate(current: Ticket) -> _Change | None:
            if current.state != OPEN or current.escalation != level:
                return None
            to = level + 1
            targets = fresh[:1] if to == 1 and fresh else fresh
            if to == 1 and not fresh:
                to = 2
            told = [e.id for e in targets]
            updated = replace(current, escalation=to, deadline=self._deadline(now),
                              notified=(*current.notified, *told))  # fmt: skip
            updated = updated.with_event("escalated", now, level=to, told=told)
            messages = [*self._telling(targets, "notice.new_ticket"), Planned(CHANNEL)]
            if to < 2:
                messages.append(self._escalation_check(updated))
            return _Change(updated, messages)

        escalated, changed = await self._changed(ticket.number, escalate)
        if changed:
            log.info("ticket escalated",
                     extra={"ticket": ticket.number, "level": escalated.escalation})  # fmt: skip
        return Sent()

    # --- lists ----------------------------------------------------------------------------

    async def asked_by(self, person: Person) -> list[Ticket]:
        """The person's questions, newest first."""
        return (await self._tickets.indexed(f"asker:{person.user_id}"))[::-1]

    async def open_for(self, person: Person) -> list[Ticket]:
        expert = await self.expert(person)
        if expert is None:
            raise UserError("ticket.not_expert")
        return [t for t in await self._tickets.indexed("open") if expert.covers(t.area)]

    async def assigned_to(self, person: Person) -> list[Ticket]:
        expert = await self.expert(person)
        if expert is None:
            raise UserError("ticket.not_expert")
        return await self._tickets.indexed(f"holder:{expert.id}")

    async def forget_origins(self, days: float = 2.0) -> int:
        return await self._tickets.forget_origins(self._clock.time() - days * 86400)
