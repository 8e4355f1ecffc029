"""The node's own statistics for evaluating the platform: the study's indicators per
municipality and for the region, the trend per month and the pulse survey, as one typed tree
(model), counted from what the owners store (compute), shown by the `statistik` card, the
CLI and the steering group's workbook (workbook)."""

from bot.stats.activity import ACTIVITY, ActivityLog, person_key
from bot.stats.compute import StatisticsService, compute
from bot.stats.model import (
    BASELINE,
    Baseline,
    FollowUps,
    Month,
    Municipality,
    Period,
    Procurements,
    Questions,
    Share,
    Statistics,
    Survey,
)
from bot.stats.workbook import report_xlsx

__all__ = [
    "ACTIVITY",
    "BASELINE",
    "ActivityLog",
    "Baseline",
    "FollowUps",
    "Month",
    "Municipality",
    "Period",
    "Procurements",
    "Questions",
    "Share",
    "Statistics",
    "StatisticsService",
    "Survey",
    "compute",
    "person_key",
    "report_xlsx",
]
