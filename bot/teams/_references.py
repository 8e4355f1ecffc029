"""Conversation references, kept so the node can write to people and channels later
(proactive messages), and the inbound de-duplication marks."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import Any, ClassVar

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from bot.clock import Clock
from bot.messaging import Person
from bot.people import Profiles
from bot.personal import PersonRef
from bot.storage import AlreadyExistsError, Record, Store

CONVERSATIONS = "conversations"
PEOPLE = "people"
INBOUND = "inbound"

log = logging.getLogger(__name__)


class ConversationBook:
    """Stores the reference of each conversation and of each person's 1:1 chat.

    Every turn refreshes them, but a write happens only when what would be stored changed
    (the last written value is remembered), which keeps a store round trip off most turns.
    """

    TABLES: ClassVar[dict[str, str]] = {
        CONVERSATIONS: "how to reach a conversation (ids, the last sender's name)",
        PEOPLE: "a person's name, Entra id, e-mail, language and how to reach them 1:1",
    }

    def __init__(self, store: Store) -> None:
        self._store = store
        self._written: dict[tuple[str, str], dict[str, Any]] = {}
        self._seen: dict[str, tuple[str | None, ...]] = {}
        self._profiles = Profiles(store)
        self._wake: Callable[[Iterable[str]], Awaitable[int]] | None = None

    def wakes(self, wake: Callable[[Iterable[str]], Awaitable[int]]) -> None:
        """What to call with a person's addresses when the node can first write to them
        (the outbox's messages waiting for their first contact)."""
        self._wake = wake

    async def export_person(self, person: PersonRef) -> dict[str, Any]:
        record = await self._store.get(PEOPLE, "ref", person.user_id)
        name = record.data.get("name", "") if record else ""
        return {"person": {"name": name, "has_chat_with_bot": record is not None}}

    async def erase_person(self, person: PersonRef) -> int:
        """Forget the person's 1:1 chat: the bot can no longer write to them."""
        record = await self._store.get(PEOPLE, "ref", person.user_id)
        if record is None:
            return 0
        conversation = record.data.get("reference", {}).get("conversation", {}).get("id")
        if conversation:
            await self._store.delete(CONVERSATIONS, "ref", conversation)
            self._seen.pop(conversation, None)
        await self._store.delete(PEOPLE, "ref", person.user_id)
        address = record.data.get("email", "")
        if address:
            await self._store.delete(PEOPLE, "ref", f"email:{address}")
        self._written = {k: v for k, v in self._written.items() if k[1] != person.user_id}
        return 1

    async def remember(
        self, activity: Activity, email: Callable[[], Awaitable[str]] | None = None
    ) -> None:
        """Keep the references current; `email` (the person's sign-in address, from their
        Teams profile) is asked for only when the person's own record is written."""
        conversation = activity.conversation
        user = activity.from_property
        # What a reference is made of; when none of it changed, there is nothing to write and
        # no need to build and serialize the reference at all.
        fingerprint = (
            activity.service_url,
            activity.channel_id,
            conversation.conversation_type,
            conversation.tenant_id,
            activity.recipient.id if activity.recipient else None,
            user.id if user else None,
            user.name if user else None,
            activity.locale,
        )
        if self._seen.get(conversation.id) == fingerprint:
            return
        reference = TurnContext.get_conversation_reference(activity).serialize()
        await self._write(CONVERSATIONS, conversation.id, {"reference": reference})
        root = conversation.id.split(";")[0]
        if root != conversation.id:  # a thread: the channel itself is reachable the same way
            await self._write(CONVERSATIONS, root, {"reference": reference})
        if user is not None and user.id and conversation.conversation_type == "personal":
            address = (await email()).strip().lower() if email is not None else ""
            person = {
                "name": user.name or "",
                "aad_object_id": user.aad_object_id or "",
                "reference": reference,
                "email": address,
                "locale": activity.locale or "",
            }
            await self._write(PEOPLE, user.id, person)
            if address:
                await self._write(PEOPLE, f"email:{address}", {"user_id": user.id})
            if self._wake is not None:  # reachable now: what waited for them goes out
                await self._wake([f"teams:{user.id}", *([address] if address else [])])
        self._seen[conversation.id] = fingerprint

    async def _write(self, table: str, key: str, data: dict[str, Any]) -> None:
        if self._written.get((table, key)) == data:
            return
        await self._store.upsert(table, Record("ref", key, data))
        self._written[(table, key)] = data

    async def reference(self, conversation_id: str) -> dict[str, Any] | None:
        """The stored reference of a conversation; a channel thread falls back to the channel
        (Teams writes "19:...@thread.tacv2;messageid=..." for replies in a thread)."""
        for key in dict.fromkeys((conversation_id, conversation_id.split(";")[0])):
            record = await self._store.get(CONVERSATIONS, "ref", key)
            if record is not None:
                return dict(record.data["reference"])
        return None

    async def person(self, who: str) -> Person | None:
        """The Directory of the follow-ups: a person by e-mail or "teams:<id>", when they
        have a 1:1 chat with the bot."""
        user_id = who.removeprefix("teams:") if who.startswith("teams:") else ""
        if not user_id and who:
            index = await self._store.get(PEOPLE, "ref", f"email:{who.lower()}")
            user_id = str(index.data["user_id"]) if index else ""
        record = await self._store.get(PEOPLE, "ref", user_id) if user_id else None
        if record is None:
            return None
        data = record.data
        # The language they use with the node, else their client's.
        language = await self._profiles.language(user_id, fresh=True)
        locale = {"sv": "sv-SE", "en": "en-US"}.get(language) or data.get("locale") or "sv-SE"
        return Person(user_id, data.get("aad_object_id", ""), data.get("name", ""), locale)

    async def reachable(self) -> list[tuple[str, str]]:
        """Everyone with a 1:1 chat with the bot (the survey's reach): Teams and Entra ids."""
        return [(r.key, str(r.data.get("aad_object_id", "")))
                for r in await self._store.query(PEOPLE, "ref")
                if not r.key.startswith("email:")]  # fmt: skip

    async def emails_of(self, user_id: str) -> frozenset[str]:
        record = await self._store.get(PEOPLE, "ref", user_id)
        address = record.data.get("email", "") if record else ""
        return frozenset({address} if address else ())

    async def person_reference(self, user_id: str) -> dict[str, Any] | None:
        """The reference of a person's 1:1 chat with the bot, when they have one."""
        record = await self._store.get(PEOPLE, "ref", user_id)
        return None if record is None else dict(record.data["reference"])


class InboundLedger:
    """Marks activities as taken, so a delivery Teams retries is not processed twice.

    A mark is written when a turn starts and marked done when it ends. A retry of a finished
    turn is dropped; a retry of one still running in this process too. A mark left unfinished
    (the process died mid-turn, or another instance is still at it) does not block the retry:
    it is processed, and what it does is safe to do twice (a ticket is found again by the
    activity that asked, every message it sends is claimed first).

    Marks are partitioned by UTC day so old ones can be dropped a day at a time; a retry that
    crosses midnight is caught by also looking in the previous day during the first minutes.
    """

    # Conversation and activity ids, no names, deleted after two days: nothing to export.
    TABLES: ClassVar[dict[str, str]] = {INBOUND: ""}
    KEEP_DAYS = 2
    _MIDNIGHT_WINDOW_S = 15 * 60
    _OPEN, _DONE = "open", "done"

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._running: dict[str, str] = {}  # key -> the day partition its mark is in

    async def take(self, conversation_id: str, activity_id: str) -> bool:
        """True when the activity is to be processed: the first time it is seen, or again
        after a turn that never finished."""
        now = self._clock.time()
        key = f"{conversation_id}|{activity_id}"
        if key in self._running:
            return False  # a repeat while this process is still at it
        days = [_day(now)]
        if now % 86400 < self._MIDNIGHT_WINDOW_S:
            days.append(_day(now - 86400))
        for day in days[1:]:
            earlier = await self._store.get(INBOUND, day, key)
            if earlier is not None:
                return self._retake(key, day, earlier.data)
        try:
            await self._store.insert(
                INBOUND, Record(days[0], key, {"at": now, "state": self._OPEN})
            )
        except AlreadyExistsError:
            found = await self._store.get(INBOUND, days[0], key)
            return found is None or self._retake(key, days[0], found.data)
        self._running[key] = days[0]
        return True

    def _retake(self, key: str, day: str, mark: dict[str, Any]) -> bool:
        # Marks from before turns were marked done count as done.
        if mark.get("state", self._DONE) == self._DONE:
            return False
        log.info("retry of a turn that did not finish: processing it")
        self._running[key] = day
        return True

    async def finish(self, conversation_id: str, activity_id: str) -> None:
        """The turn ended: its retries are dropped from now on."""
        key = f"{conversation_id}|{activity_id}"
        day = self._running.pop(key, None)
        if day is not None:
            await self._store.upsert(
                INBOUND, Record(day, key, {"at": self._clock.time(), "state": self._DONE})
            )

    async def release(self, conversation_id: str, activity_id: str) -> None:
        """Forget a mark when processing failed, so Teams' retry is processed after all."""
        key = f"{conversation_id}|{activity_id}"
        day = self._running.pop(key, None)
        if day is not None:
            await self._store.delete(INBOUND, day, key)

    async def prune(self) -> int:
        """Drop the marks of days older than KEEP_DAYS; returns how many went."""
        now = self._clock.time()
        removed = 0
        for back in range(self.KEEP_DAYS, self.KEEP_DAYS + 7):
            day = _day(now - back * 86400)
            for record in await self._store.query(INBOUND, day):
                removed += await self._store.delete(INBOUND, day, record.key)
        return removed


def _day(epoch: float) -> str:
    return f"{datetime.fromtimestamp(epoch, UTC):%Y-%m-%d}"
