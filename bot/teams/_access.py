"""Who may do what: the roles a command or action needs (`Who`) and the relations an action
needs to the thing it names (`Access`): its subject is loaded and the relation checked before
the handler runs, so a handler only ever sees what its person may touch.

Every refusal of a relation is the answer for an id never given out ("Jag hittar inget …"):
trying numbers or keys tells nothing. Membership of a municipality comes from the directory
or an admin's grant (Party.municipalities), never from what the person stated.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from bot.agreements import Agreement, DueItem, FollowUpService
from bot.agreements.forms import AGREEMENT
from bot.agreements.model import agreement_key
from bot.commands import Who
from bot.i18n import UserError
from bot.people import RESPONSIBLE_ONLY, Memberships
from bot.procurements import Procurement, ProcurementService
from bot.procurements.forms import PROCUREMENT
from bot.routing import RoutingService, Ticket
from bot.teams._turn import Party

log = logging.getLogger(__name__)
S = TypeVar("S")

# What a person is told when a command or action is not for their role.
ROLE_REFUSALS = {
    Who.ADMIN: "admin.only",
    Who.OWNER: "digest.owner_only",
    Who.EXPERT: "ticket.not_expert",
    Who.COORDINATOR: "coordinator.only",
}


async def plays(party: Party, who: Who) -> bool:
    if who is Who.ANYONE:
        return True
    if who is Who.ADMIN:
        return party.admin
    if who is Who.OWNER:
        return await party.owns_team()
    if who is Who.COORDINATOR:
        return party.admin or await party.coordinator()
    return await party.expert() is not None


@dataclass(frozen=True)
class Subjects:
    """Where the things actions name are loaded from."""

    routing: RoutingService
    followups: FollowUpService
    procurements: ProcurementService
    memberships: Memberships


class Missing(Exception):
    """The action's subject does not exist (refused exactly like one not theirs)."""


@dataclass(frozen=True)
class Access(Generic[S]):
    """A relation an action needs to its subject: how the subject is loaded from the action,
    whether the party has the relation, and the refusal (the answer for an unknown id)."""

    name: str
    load: Callable[[Subjects, Any], Awaitable[S]]
    allows: Callable[[Party, S, Subjects], Awaitable[bool]]
    refusal: Callable[[Any], UserError]
    # Those who may see the subject but not do this are told who may (it tells them
    # nothing they cannot see): the relation that shows it, and what they are told.
    sees: Callable[[Party, S, Subjects], Awaitable[bool]] | None = None
    not_theirs: str = ""

    async def check(self, party: Party, action: Any, subjects: Subjects) -> S:
        """The subject, when the party has the relation; else the refusal."""
        try:
            subject = await self.load(subjects, action)
        except Missing:
            raise self.refusal(action) from None
        if not await self.allows(party, subject, subjects):
            log.info("action refused", extra={"access": self.name})
            if self.sees is not None and await self.sees(party, subject, subjects):
                raise UserError(self.not_theirs)
            raise self.refusal(action)
        return subject


# --- tickets ----------------------------------------------------------------------------------


async def _ticket(subjects: Subjects, action: Any) -> Ticket:
    ticket = await subjects.routing.find(action.number)
    if ticket is None:
        raise Missing
    return ticket


async def _ticket_party(party: Party, ticket: Ticket, subjects: Subjects) -> bool:
    """The asker, the holder, the experts who may take it (its area's, those it was sent
    to), and admins."""
    return await subjects.routing.may_see(ticket, party.person, party.admin)


TICKET = Access[Ticket](
    "ticket", _ticket, _ticket_party,
    lambda action: UserError("ticket.not_found", {"number": action.number}),
)  # fmt: skip


# --- agreements and follow-ups ------------------------------------------------------------


async def _acts_for(party: Party, agreement: Agreement, subjects: Subjects) -> bool:
    """The agreement's responsible person, admins, and its municipality's members unless
    the municipality keeps that to the responsible person."""
    if party.admin or agreement.responsible in await party.names():
        return True
    if not await party.member_of(agreement.municipality):
        return False
    return await subjects.memberships.agreement_rule(agreement.municipality) != RESPONSIBLE_ONLY


async def _sees_agreement(party: Party, agreement: Agreement, subjects: Subjects) -> bool:
    """Shared agreements for all; the others for those who act on them and their
    municipality's members."""
    if agreement.shared or await party.member_of(agreement.municipality):
        return True
    return await _acts_for(party, agreement, subjects)


async def _agreement(subjects: Subjects, action: Any) -> Agreement:
    agreement = await subjects.followups.agreement(action.agreement)
    if agreement is None:
        raise Missing
    return agreement


async def _followup(subjects: Subjects, action: Any) -> DueItem:
    try:
        return await subjects.followups.item(action.agreement, action.base)
    except UserError:
        raise Missing from None


async def _sees_followup(party: Party, item: DueItem, subjects: Subjects) -> bool:
    return await _acts_on_followup(party, item, subjects) or await _sees_agreement(
        party, item.agreement, subjects
    )


async def _acts_on_followup(party: Party, item: DueItem, subjects: Subjects) -> bool:
    """Those who act for the agreement, and the one who took its joint follow-up."""
    joint = item.joint
    if joint is not None and joint.taker in await party.names():
        return True
    return await _acts_for(party, item.agreement, subjects)


async def _takes_joint(party: Party, item: DueItem, subjects: Subjects) -> bool:
    """A joint follow-up is taken by someone who acts for one of its agreements (the one
    whose card they click): never by a bystander of a shared agreement."""
    return bool(item.joint_with) and await _acts_for(party, item.agreement, subjects)


def _followup_refusal(action: Any) -> UserError:
    return UserError("followup.not_found")


AGREEMENT_VIEW = Access[Agreement]("agreement.view", _agreement, _sees_agreement, _followup_refusal)
FOLLOWUP_VIEW = Access[DueItem]("followup.view", _followup, _sees_followup, _followup_refusal)
FOLLOWUP_ACT = Access[DueItem]("followup.act", _followup, _acts_on_followup, _followup_refusal,
                               _sees_followup, "followup.not_yours")  # fmt: skip
JOINT = Access[DueItem]("followup.joint", _followup, _takes_joint, _followup_refusal,
                        _sees_followup, "followup.not_yours")  # fmt: skip


# --- planned procurements ---------------------------------------------------------------------


async def _plan(subjects: Subjects, action: Any) -> Procurement:
    plan = await subjects.procurements.get(action.key)
    if plan is None:
        raise Missing
    return plan


async def _sees_plan(party: Party, plan: Procurement, subjects: Subjects) -> bool:
    if plan.shared or party.admin or await party.member_of(plan.municipality):
        return True
    return plan.contact in await party.names()


async def _changes_plan(party: Party, plan: Procurement, subjects: Subjects) -> bool:
    """The contact, the expert linked to it, admins, and the municipality's members unless
    it keeps that to the responsible people."""
    if party.admin or plan.contact in await party.names():
        return True
    expert = await party.expert()
    if expert is not None and plan.expert == expert.id:
        return True
    if not await party.member_of(plan.municipality):
        return False
    return await subjects.memberships.agreement_rule(plan.municipality) != RESPONSIBLE_ONLY


def _plan_refusal(action: Any) -> UserError:
    return UserError("procurement.not_found")


PLAN_VIEW = Access[Procurement]("plan.view", _plan, _sees_plan, _plan_refusal)
PLAN_EDIT = Access[Procurement]("plan.edit", _plan, _changes_plan, _plan_refusal, _sees_plan,
                                 "procurement.not_yours")  # fmt: skip


# --- creating: with the key of an existing item it is an edit ---------------------------------


@dataclass(frozen=True)
class Registering:
    """What a form's submit would overwrite (None: something new) and the plan it names."""

    existing: Agreement | Procurement | None
    plan: Procurement | None = None


async def _registering_agreement(subjects: Subjects, action: Any) -> Registering:
    values = AGREEMENT.clean(action.values)
    existing = None
    if values.get("municipality") and values.get("title"):
        key = agreement_key(values["municipality"], values["title"])
        existing = await subjects.followups.agreement(key)
    plan = await subjects.procurements.get(action.procurement) if action.procurement else None
    if action.procurement and plan is None:
        raise Missing
    return Registering(existing, plan)


async def _registering_plan(subjects: Subjects, action: Any) -> Registering:
    values = PROCUREMENT.clean(action.values)
    existing = None
    if values.get("municipality") and values.get("title"):
        existing = await subjects.procurements.get(
            agreement_key(values["municipality"], values["title"])
        )
    return Registering(existing)


async def _may_register(party: Party, registering: Registering, subjects: Subjects) -> bool:
    existing, plan = registering.existing, registering.plan
    if isinstance(existing, Agreement) and not await _acts_for(party, existing, subjects):
        return False
    if isinstance(existing, Procurement) and not await _changes_plan(party, existing, subjects):
        return False
    return plan is None or await _changes_plan(party, plan, subjects)


def _register_refusal(action: Any) -> UserError:
    return UserError("register.not_yours")


REGISTER_AGREEMENT = Access[Registering](
    "agreement.register", _registering_agreement, _may_register, _register_refusal
)
REGISTER_PLAN = Access[Registering](
    "plan.register", _registering_plan, _may_register, _register_refusal
)
