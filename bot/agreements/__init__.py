"""Agreements (avtal) and the follow-ups they owe: registering and importing them, what is
due, reminders to the responsible person, results, joint follow-up across municipalities."""

from bot.agreements.model import (
    INTERVALS,
    RESULTS,
    Agreement,
    AgreementCriterion,
    due_dates,
    interval_of,
    org_number,
)
from bot.agreements.repository import AgreementRepository, FollowUp, JointTake, Result
from bot.agreements.service import (
    Directory,
    DueItem,
    FollowUpCards,
    FollowUpService,
)
from bot.forms import FormProblems, Problems
from bot.tabular import ImportReport

__all__ = [
    "INTERVALS",
    "RESULTS",
    "Agreement",
    "AgreementCriterion",
    "AgreementRepository",
    "Directory",
    "DueItem",
    "FollowUp",
    "FollowUpCards",
    "FollowUpService",
    "FormProblems",
    "ImportReport",
    "JointTake",
    "Problems",
    "Result",
    "due_dates",
    "interval_of",
    "org_number",
]
