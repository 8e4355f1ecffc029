"""Maps what a user typed or clicked to a use case, and the result to cards.

No botbuilder here: the handler gives a `Turn` (who, where, what) and sends back the cards.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.audit import AuditLog
from bot.criteria import AREAS, Answer, Criterion
from bot.digest import DigestService, Subscription
from bot.i18n import Texts, UserError, texts_for
from bot.links import LinkSigner
from bot.messaging import Messenger
from bot.node import Node
from bot.people import GraphClient, Profiles, canonical, from_address, from_profile
from bot.privacy import PersonalData
from bot.routing import Outcome, Person, RoutingService
from bot.sharing import FormProblems, SharingService
from bot.stats import compute
from bot.teams._commands import Command, closest_command, parse
from cards import (
    AnswerHit,
    Markdown,
    answer_card,
    compare_card,
    criterion_card,
    escape_markdown,
    help_card,
    levels_card,
    message_card,
    no_answer_card,
    render,
    welcome_card,
)
from cards._digest import digest_card, statistics_card
from cards._sharing import (
    analysis_form_card,
    followup_form_card,
    followup_summary_text,
    plan_card,
    shared_item_card,
    shared_list_card,
)
from cards._tickets import ask_form_card, format_moment, receipt_card, ticket_list_card
from cards.actions import (
    Action,
    AnswerTicket,
    AskExpert,
    ClaimTicket,
    Compare,
    ConfirmErase,
    CreateTicket,
    Feedback,
    MakePlan,
    ReassignTicket,
    RefreshTicket,
    ReleaseTicket,
    ShareAnalysis,
    ShareFollowUp,
    ShowCriterion,
    ShowLevels,
    ShowTicket,
    parse_action,
)
from cards.actions import payload as payload_of

log = logging.getLogger(__name__)

Card = dict[str, Any]
MAX_COMPARE = 3
ROUTING_COMMANDS = frozenset(
    {"ask_expert", "on_call", "experts_channel", "my_questions", "open_tickets", "my_tickets"}
)
PRIVACY_COMMANDS = frozenset({"my_data", "erase_my_data", "audit_log"})
DIGEST_COMMANDS = frozenset({"subscribe", "unsubscribe", "preview_digest", "statistics"})
PROFILE_COMMANDS = frozenset({"my_municipality", "status"})
SHARING_COMMANDS = frozenset(
    {
        "share_analysis",
        "share_followup",
        "sharing_channel",
        "list_analyses",
        "list_followups",
        "plan",
    }
)
DOWNLOAD_SECONDS = 15 * 60


@dataclass(frozen=True)
class Turn:
    texts: Texts
    user_id: str  # the Teams user id
    user_name: str
    conversation_id: str
    conversation_type: str  # personal, channel or groupChat
    text: str = ""
    value: dict[str, Any] | None = None
    aad_id: str = ""
    locale: str = "sv-SE"
    team_id: str = ""
    # The person's e-mail/UPN from their Teams member profile, fetched only when asked for.
    member_email: Callable[[], Awaitable[str]] | None = None

    @property
    def person(self) -> Person:
        return Person(self.user_id, self.aad_id, self.user_name, self.locale)


class Resolver:
    def __init__(
        self,
        node: Node,
        routing: RoutingService,
        sharing: SharingService,
        links: LinkSigner,
        digest: DigestService,
        messenger: Messenger,
        graph: GraphClient | None = None,
    ) -> None:
        self._node = node
        self._criteria = node.criteria
        self._routing = routing
        self._sharing = sharing
        self._links = links
        self._digest = digest
        self._messenger = messenger
        self._graph = graph
        self._profiles = Profiles(node.store)
        self._privacy = PersonalData(node.store)

    async def welcome(self, turn: Turn) -> list[Card]:
        # Demo (make run): the first channel the bot joins becomes the experts' channel, so
        # the whole expert flow can be tried alone in the Playground.
        if (
            self._node.demo
            and turn.conversation_type == "channel"
            and not await self._routing.experts_channel()
        ):
            await self._routing.set_experts_channel(turn.conversation_id)
        if turn.team_id:  # back in a team it was removed from: its subscriptions resume
            await self._digest.subscriptions.resume_team(turn.team_id)
        return [welcome_card(turn.texts)]

    async def removed(self, turn: Turn) -> None:
        if turn.team_id:
            paused = await self._digest.subscriptions.pause_team(turn.team_id, "removed")
            log.info("bot removed from a team", extra={"paused_subscriptions": paused})

    async def on_text(self, turn: Turn) -> list[Card]:
        command = parse(turn.text)
        return await self._guarded(turn, command.name, lambda: self._run(command, turn))

    async def on_action(self, turn: Turn) -> list[Card]:
        value = turn.value or {}
        verb = str(value.get("verb", ""))[:40]

        async def run() -> list[Card]:
            return await self._act(parse_action(value), turn)

        return await self._guarded(turn, verb, run)

    async def _guarded(self, turn: Turn, what: str, run: Any) -> list[Card]:
        try:
            cards: list[Card] = await run()
        except UserError as error:
            log.info("user error %s", error.key, extra={"command": what})
            return [message_card(Markdown(error.message(turn.texts)))]
        return cards

    # --- typed commands -------------------------------------------------------------------

    async def _run(self, command: Command, turn: Turn) -> list[Card]:
        await self._criteria.refresh_if_changed()
        if command.name == "help":
            return [help_card(turn.texts)]
        if command.name == "criterion":
            return await self._show_criterion(command.argument, turn.texts)
        if command.name == "levels":
            return [levels_card(self._levels(command.argument), turn.texts)]
        if command.name == "compare":
            return self._compare_ids(command.argument.replace(",", " ").split(), turn.texts)
        if command.name in ROUTING_COMMANDS:
            return await self._routing_command(command, turn)
        if command.name in PRIVACY_COMMANDS:
            return await self._privacy_command(command, turn)
        if command.name in SHARING_COMMANDS:
            return await self._sharing_command(command, turn)
        if command.name in DIGEST_COMMANDS:
            return await self._digest_command(command, turn)
        if command.name in PROFILE_COMMANDS:
            return await self._profile_command(command, turn)
        if not command.text:
            return [help_card(turn.texts)]
        return self._question(command, turn)

    def _question(self, command: Command, turn: Turn) -> list[Card]:
        answer = self._criteria.answer(command.text)
        if answer.confidence == "none":
            guess = closest_command(command.text.split(" ")[0])
            if guess and " " not in command.text:
                return self._not_understood(command, guess, turn)
            return [no_answer_card(command.text, turn.texts, answer.area)]
        return [self._answer_card(answer, turn.texts)]

    def _answer_card(self, answer: Answer, texts: Texts) -> Card:
        hits: list[AnswerHit] = []
        for hit in answer.hits:
            document = hit.document
            entry: Any
            if document.kind == "criterion":
                entry = self._criteria.criterion(document.id)
            elif document.kind == "answer":
                entry = self._criteria.published_answer(document.id.split("/", 1)[1])
            elif document.kind in ("analysis", "followup"):
                entry = self._criteria.shared_item(document.id.split("/", 1)[1])
            else:
                entry = self._criteria.guide(document.id.split("/", 1)[1])
            if entry is not None:
                hits.append(AnswerHit(entry, hit.other_levels))
        filters = ", ".join(
            texts(key)
            for key in (
                f"level.{answer.level}" if answer.level else "",
                f"type.{answer.type}" if answer.type else "",
            )
            if key
        )
        return answer_card(
            answer.question,
            hits,
            texts,
            area=answer.area,
            filters=filters,
            weak=answer.confidence == "weak",
        )

    def _not_understood(self, command: Command, guess: str, turn: Turn) -> list[Card]:
        # The user's words sit inside the node's own (markdown) sentence, so escape them first.
        text = turn.texts("unknown.text", text=escape_markdown(command.text[:80]))
        text += " " + turn.texts("unknown.suggest", command=guess)
        return [message_card(Markdown(text))]

    def _levels(self, krav_id: str) -> list[Criterion]:
        levels = self._criteria.levels_of(krav_id.strip())
        if not levels:
            raise UserError("criterion.not_found", {"id": escape_markdown(krav_id.strip()[:40])})
        return levels

    async def _show_criterion(self, krav_id: str, texts: Texts) -> list[Card]:
        levels = self._levels(krav_id)
        if len(levels) == 1:
            return [await self._criterion_card(levels[0], texts)]
        return [levels_card(levels, texts)]

    async def _criterion_card(self, criterion: Criterion, texts: Texts) -> Card:
        summary = await self._sharing.followups_for(criterion.krav_id)
        return criterion_card(criterion, texts, followed_up=followup_summary_text(summary, texts))

    # --- shared work ----------------------------------------------------------------------

    async def _share(self, action: ShareAnalysis | ShareFollowUp, turn: Turn) -> list[Card]:
        texts = turn.texts
        try:
            if isinstance(action, ShareAnalysis):
                item: Any = await self._sharing.share_analysis(turn.person, action.values)
            else:
                item = await self._sharing.share_followup(
                    turn.person, action.values, ShareFollowUp.ROWS
                )
        except FormProblems as problems:  # the form again, with every problem marked
            form = analysis_form_card if isinstance(action, ShareAnalysis) else followup_form_card
            return [form(texts, action.values, problems.problems.fields)]
        await self._sharing.post(shared_item_card(item, texts_for("sv")))
        return [message_card(texts("share.shared")), shared_item_card(item, texts)]

    def _plan(self, criteria: list[Criterion], texts: Texts) -> Card:
        if not criteria:
            raise UserError("plan.pick")
        token = self._links.sign(
            {"kind": "plan", "keys": [c.key for c in criteria]}, DOWNLOAD_SECONDS
        )
        return plan_card(criteria, texts, f"{self._node.settings.public_url}/files/{token}")

    async def _sharing_command(self, command: Command, turn: Turn) -> list[Card]:
        texts = turn.texts
        if command.name == "share_analysis":
            return [analysis_form_card(texts)]
        if command.name == "share_followup":
            return [followup_form_card(texts)]
        if command.name == "plan":
            ids = command.argument.replace(",", " ").split()
            return [self._plan([self._levels(i)[0] for i in ids], texts)]
        if command.name == "sharing_channel":
            if not self._is_admin(turn):
                raise UserError("admin.only")
            if turn.conversation_type != "channel":
                raise UserError("admin.channel_only")
            await self._sharing.set_sharing_channel(turn.conversation_id, by=turn.aad_id)
            return [message_card(texts("share.channel_set"))]
        area = _area_in(command.argument)
        if command.name == "list_analyses":
            analyses = await self._sharing.analyses(area=area)
            return [shared_list_card(texts("list.analyses"), analyses, texts)]
        followups = await self._sharing.followups(area=area)
        return [shared_list_card(texts("list.followups"), followups, texts)]

    def _compare_ids(self, ids: list[str], texts: Texts) -> list[Card]:
        if len(ids) == 1:  # one criterion: compare its levels
            return self._compare(self._levels(ids[0]), texts)
        return self._compare([self._levels(i)[0] for i in ids], texts)

    def _compare(self, criteria: list[Criterion], texts: Texts) -> list[Card]:
        if not 2 <= len(criteria) <= MAX_COMPARE:
            raise UserError("compare.too_many")
        return [compare_card(criteria, texts)]

    # --- card actions ---------------------------------------------------------------------

    async def _act(self, action: Action, turn: Turn) -> list[Card]:
        texts = turn.texts
        if isinstance(action, ShowCriterion):
            criterion = self._criteria.criterion(action.key)
            if criterion is None:
                raise UserError("criterion.not_found", {"id": action.key.split("/")[0]})
            return [await self._criterion_card(criterion, texts)]
        if isinstance(action, ShareAnalysis | ShareFollowUp):
            return await self._share(action, turn)
        if isinstance(action, MakePlan):
            found = [self._criteria.criterion(key) for key in action.keys]
            return [self._plan([c for c in found if c is not None], texts)]
        if isinstance(action, ShowLevels):
            return [levels_card(self._levels(action.krav_id), texts)]
        if isinstance(action, Compare):
            found = [self._criteria.criterion(key) for key in action.keys]
            return self._compare([c for c in found if c is not None], texts)
        if isinstance(action, Feedback):
            await self._criteria.record_feedback(action.question, action.helpful, list(action.ids))
            return [message_card(texts("feedback.thanks"))]
        if isinstance(action, AskExpert):
            return [await self._ask_form(turn, action.question, action.area)]
        if isinstance(action, ConfirmErase):
            count = await self._privacy.erase(turn.user_id, turn.aad_id)
            return [message_card(texts("privacy.erased", count=count))]
        if isinstance(action, CreateTicket):
            return await self._create_ticket(action, turn)
        if isinstance(action, ShowTicket):
            ticket = await self._routing.get(action.number)
            return [await self._routing.view(ticket, turn.person)]
        # Universal Actions sent as a plain submit (an old client): answer with the card.
        return [await self.on_execute(turn, payload_of(action))]

    # --- expert routing -------------------------------------------------------------------

    async def _municipality(self, turn: Turn) -> str:
        """Where the asker works: their correction, Graph, their address, their last ticket."""
        corrected = await self._profiles.correction(turn.user_id)
        if corrected:
            return corrected
        if self._graph is not None and turn.aad_id:
            profile = await self._graph.profile(turn.aad_id) or {}
            address = profile.get("mail") or profile.get("userPrincipalName") or ""
            found = from_profile(profile) or from_address(address)
            if found:
                return found
        if turn.member_email is not None:
            found = from_address(await turn.member_email())
            if found:
                return found
        return await self._routing.last_municipality(turn.person)

    async def _ask_form(self, turn: Turn, question: str = "", area: str = "") -> Card:
        municipality = await self._municipality(turn)
        return ask_form_card(turn.texts, question=question, area=area, municipality=municipality)

    async def _create_ticket(self, action: CreateTicket, turn: Turn) -> list[Card]:
        try:
            ticket, experts = await self._routing.ask(
                turn.person, action.question, action.area, action.municipality, action.consent
            )
        except UserError as error:  # re-show the form, with what the user wrote
            return [
                ask_form_card(
                    turn.texts,
                    question=action.question,
                    area=action.area,
                    municipality=action.municipality,
                    consent=action.consent,
                    error=error.message(turn.texts),
                )
            ]
        return [receipt_card(ticket, experts, turn.texts, self._node.settings.zone)]

    async def on_execute(self, turn: Turn, value: dict[str, Any]) -> Card:
        """Action.Execute from a ticket card: the answer is that viewer's updated card."""
        try:
            action = parse_action(value)
            person = turn.person
            if isinstance(action, ClaimTicket):
                outcome = await self._routing.claim(action.number, person)
            elif isinstance(action, ReleaseTicket):
                outcome = await self._routing.release(action.number, person)
            elif isinstance(action, ReassignTicket):
                outcome = await self._routing.reassign(action.number, person, action.expert)
            elif isinstance(action, AnswerTicket):
                outcome = await self._routing.answer(
                    action.number, person, action.answer, action.publish
                )
            elif isinstance(action, RefreshTicket):
                outcome = Outcome(await self._routing.get(action.number))
            else:
                raise UserError("error.bad_action")
        except UserError as error:
            log.info("user error %s", error.key, extra={"command": str(value.get("verb"))[:40]})
            return message_card(Markdown(error.message(turn.texts)))
        return await self._routing.view(outcome.ticket, turn.person, outcome)

    async def _routing_command(self, command: Command, turn: Turn) -> list[Card]:
        texts, person = turn.texts, turn.person
        zone = self._node.settings.zone
        if command.name == "ask_expert":
            return [await self._ask_form(turn, command.argument)]
        if command.name == "on_call":
            return [await self._on_call_card(texts)]
        if command.name == "experts_channel":
            if not self._is_admin(turn):
                raise UserError("admin.only")
            if turn.conversation_type != "channel":
                raise UserError("admin.channel_only")
            await self._routing.set_experts_channel(turn.conversation_id, by=turn.aad_id)
            return [message_card(texts("admin.experts_channel_set"))]
        network = await self._routing.network()
        if command.name == "my_questions":
            tickets = await self._routing.asked_by(person)
            title = texts("list.mine")
        elif command.name == "open_tickets":
            tickets = await self._routing.open_for(person)
            title = texts("list.open")
        else:
            tickets = await self._routing.assigned_to(person)
            title = texts("list.assigned")
        return [ticket_list_card(title, tickets[:20], texts, zone, network.experts.get)]

    async def _on_call_card(self, texts: Texts) -> Card:
        network = await self._routing.network()
        if not network.experts:
            return message_card(texts("network.empty"))
        zone = self._node.settings.zone
        now = datetime.now(zone)
        lines = []
        for slug, name in AREAS.items():
            experts = network.on_call(slug, now, zone)
            who = (
                f"{experts[0].name} ({experts[0].municipality})"
                if experts
                else texts("network.none")
            )
            lines.append({"title": name, "text": who})
        return render("criterion", {"name": texts("network.title"), "facts": [], "sections": lines})

    async def _privacy_command(self, command: Command, turn: Turn) -> list[Card]:
        texts = turn.texts
        if command.name == "my_data":
            data = await self._privacy.export(turn.user_id, turn.aad_id)
            token = self._links.sign(
                {"kind": "mydata", "user": turn.user_id, "aad": turn.aad_id}, DOWNLOAD_SECONDS
            )
            summary = texts(
                "privacy.summary",
                questions=len(data["questions"]),
                expert=len(data["tickets_as_expert"]),
                events=len(data["audit_events"]),
            )
            return [
                render(
                    "criterion",
                    {
                        "name": texts("privacy.title"),
                        "facts": [],
                        "sections": [
                            {"title": "", "text": summary},
                            {"title": "", "text": Markdown(texts("privacy.erase_hint"))},
                        ],
                        "link": f"{self._node.settings.public_url}/files/{token}",
                        "link_title": texts("privacy.download"),
                    },
                )
            ]
        if command.name == "erase_my_data":
            return [
                render(
                    "criterion",
                    {
                        "name": texts("privacy.confirm_title"),
                        "facts": [],
                        "sections": [{"title": "", "text": texts("privacy.confirm_text")}],
                        "actions": [
                            {"title": texts("privacy.confirm"), "data": payload_of(ConfirmErase())}
                        ],
                    },
                )
            ]
        if not self._is_admin(turn):
            raise UserError("admin.only")
        events = await AuditLog(self._node.store).recent(30)
        zone = self._node.settings.zone
        lines = [
            {
                "title": format_moment(e.at, zone, texts.language),
                "text": f"{e.who} · {e.action} · {e.target}",
            }
            for e in events
        ]
        return [
            render(
                "criterion",
                {
                    "name": texts("audit.title", count=len(events)),
                    "facts": [],
                    "sections": lines or [{"title": "", "text": texts("audit.empty")}],
                },
            )
        ]

    async def _digest_command(self, command: Command, turn: Turn) -> list[Card]:
        texts = turn.texts
        if command.name == "statistics":
            if not self._is_admin(turn):
                raise UserError("admin.only")
            settings = self._node.settings
            stats = await compute(self._node.store, settings.zone, settings.escalation_hours)
            return [statistics_card(stats, texts)]
        if turn.conversation_type != "channel":
            raise UserError("admin.channel_only")
        subscriptions = self._digest.subscriptions
        if command.name == "preview_digest":
            content = await self._digest.content()
            current = await subscriptions.get(turn.conversation_id.split(";")[0])
            areas = current.areas if current else ()
            card = digest_card(content.for_areas(areas), texts)
            sent = await self._messenger.to_person(turn.user_id, card)
            return [
                message_card(texts("digest.preview_sent" if sent else "digest.preview_no_chat"))
            ]
        # Team owners cannot be told from the Bot Framework alone; admins manage subscriptions.
        if not self._is_admin(turn):
            raise UserError("admin.only")
        channel = turn.conversation_id.split(";")[0]
        if command.name == "unsubscribe":
            removed = await subscriptions.remove(channel)
            return [
                message_card(texts("digest.unsubscribed" if removed else "digest.not_subscribed"))
            ]
        words = command.argument.lower().split()
        areas = tuple(dict.fromkeys(a for w in words if (a := _area_in(w))))
        await subscriptions.save(
            Subscription(
                channel, turn.team_id, areas, skip_quiet="tyst" in words or "quiet" in words
            )
        )
        named = (
            texts("digest.subscribed_areas", areas=", ".join(AREAS[a] for a in areas))
            if areas
            else ""
        )
        return [message_card(texts("digest.subscribed", areas=named))]

    async def _profile_command(self, command: Command, turn: Turn) -> list[Card]:
        texts = turn.texts
        if command.name == "my_municipality":
            municipality = canonical(command.argument)
            if not municipality:
                raise UserError("profile.unknown", {"name": escape_markdown(command.argument[:40])})
            await self._profiles.correct(turn.user_id, municipality)
            return [message_card(texts("profile.set", municipality=municipality))]
        if not self._is_admin(turn):
            raise UserError("admin.only")
        try:
            await self._node.store.ping()
            storage = "ok"
        except Exception:
            storage = "?"
        graph = "off" if self._graph is None else ("ok" if await self._graph.reachable() else "!")
        network = await self._routing.network()
        line = texts(
            "status.line",
            storage=storage,
            graph=graph,
            criteria=self._criteria.size,
            sample=" (exempel)" if self._criteria.is_sample else "",
            experts=len(network.experts),
            subscriptions=len(await self._digest.subscriptions.all()),
        )
        return [message_card(line, title=texts("status.title"))]

    def _is_admin(self, turn: Turn) -> bool:
        admins = self._node.settings.admin_ids
        return bool(admins) and (turn.aad_id in admins or turn.user_id in admins)


def _area_in(text: str) -> str:
    """An area named in a list command ("marknadsanalyser fordon"), or "" for all."""
    words = text.lower()
    if not words:
        return ""
    for slug, name in AREAS.items():
        if words in slug or words in name.lower() or slug.split("-")[0] in words:
            return slug
    return ""
