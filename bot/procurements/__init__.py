"""Planned procurements: environmental competence early, and municipalities buying the same
thing finding each other."""

from bot.procurements.model import STAGES, VALUE_BANDS, Procurement, overlapping
from bot.procurements.service import ProcurementCards, ProcurementService
from bot.tabular import ImportReport

__all__ = [
    "STAGES",
    "VALUE_BANDS",
    "ImportReport",
    "Procurement",
    "ProcurementCards",
    "ProcurementService",
    "overlapping",
]
