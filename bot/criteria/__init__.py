"""The criteria library (Upphandlingsmyndighetens kriteriebibliotek, or the bundled sample)
and the Swedish search that answers questions from it. No botbuilder here."""

from bot.criteria.answers import AnswerLog
from bot.criteria.importer import FileFormatError, ParsedFile, RowError, read_file
from bot.criteria.library import (
    Answer,
    CriteriaLibrary,
    DocumentSource,
    Guide,
    ImportReport,
    PublishedAnswer,
)
from bot.criteria.model import (
    AREAS,
    KRAV_BASE,
    KRAV_ID,
    Criterion,
    CriterionType,
    Level,
    split_krav_id,
)
from bot.criteria.search import Document, Hit, SearchIndex

__all__ = [
    "AREAS",
    "KRAV_BASE",
    "KRAV_ID",
    "Answer",
    "AnswerLog",
    "CriteriaLibrary",
    "Criterion",
    "CriterionType",
    "Document",
    "DocumentSource",
    "FileFormatError",
    "Guide",
    "Hit",
    "ImportReport",
    "Level",
    "ParsedFile",
    "PublishedAnswer",
    "RowError",
    "SearchIndex",
    "read_file",
    "split_krav_id",
]
