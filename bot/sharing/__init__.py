"""Shared work between municipalities: market analyses, completed follow-ups, and follow-up
plans generated from chosen criteria. No botbuilder here."""

from bot.forms import FormProblems, Problems
from bot.sharing.models import (
    METHODS,
    RESULTS,
    FollowUpCheck,
    FollowUpReport,
    MarketAnalysis,
)
from bot.sharing.plan import plan_rows, plan_xlsx
from bot.sharing.repository import SharedItem, SharedItems
from bot.sharing.service import FollowUpSummary, SharingService

__all__ = [
    "METHODS",
    "RESULTS",
    "FollowUpCheck",
    "FollowUpReport",
    "FollowUpSummary",
    "FormProblems",
    "MarketAnalysis",
    "Problems",
    "SharedItem",
    "SharedItems",
    "SharingService",
    "plan_rows",
    "plan_xlsx",
]
