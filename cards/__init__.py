"""Adaptive Cards: JSON templates in cards/templates, filled by one renderer (`_render`).

Each card is one pure function of its inputs (data and the viewer's texts) returning the card
as a dict, so it can be snapshot-tested and rendered in the official renderer. This module is
the package's public surface: other packages import from here (and from cards.actions), never
from a private module.
"""

from cards._admin import (
    NodeStatus,
    audit_log_card,
    erase_confirm_card,
    learned_words_card,
    my_data_card,
    status_card,
)
from cards._agreements import (
    AgreementCards,
    agreement_card,
    agreement_form_card,
    agreement_list_card,
    due_list_card,
    followup_card,
)
from cards._basic import gaps_card, help_card, message_card, small_talk_card, welcome_card
from cards._compose import inserted_card, inserted_levels_card, links_only, preview
from cards._criteria import (
    AnswerHit,
    HitBlocks,
    answer_card,
    answer_ids,
    compare_card,
    criterion_card,
    levels_card,
    no_answer_card,
    proposal_card,
    regional_form_card,
)
from cards._digest import DigestCards, digest_card
from cards._procurements import (
    ProcurementPresenter,
    procurement_card,
    procurement_form_card,
    upcoming_card,
)
from cards._render import Card, Markdown, escape_markdown
from cards._sharing import (
    SharedItemCards,
    analysis_form_card,
    followup_form_card,
    followup_summary_text,
    plan_card,
    shared_item_card,
    shared_list_card,
)
from cards._survey import SurveyCards, survey_card
from cards._tickets import (
    ROLE_ASKER,
    ROLE_ASSIGNEE,
    ROLE_EXPERT,
    ROLE_OTHER,
    TONE_COLORS,
    TicketCards,
    answer_notice_card,
    ask_form_card,
    format_moment,
    on_call_card,
    on_call_line,
    receipt_card,
    ticket_card,
    ticket_list_card,
)
from cards.stats import report_card, statistics_card

__all__ = [
    "ROLE_ASKER",
    "ROLE_ASSIGNEE",
    "ROLE_EXPERT",
    "ROLE_OTHER",
    "TONE_COLORS",
    "AgreementCards",
    "AnswerHit",
    "Card",
    "DigestCards",
    "HitBlocks",
    "Markdown",
    "NodeStatus",
    "ProcurementPresenter",
    "SharedItemCards",
    "SurveyCards",
    "TicketCards",
    "agreement_card",
    "agreement_form_card",
    "agreement_list_card",
    "analysis_form_card",
    "answer_card",
    "answer_ids",
    "answer_notice_card",
    "ask_form_card",
    "audit_log_card",
    "compare_card",
    "criterion_card",
    "digest_card",
    "due_list_card",
    "erase_confirm_card",
    "escape_markdown",
    "followup_card",
    "followup_form_card",
    "followup_summary_text",
    "format_moment",
    "gaps_card",
    "help_card",
    "inserted_card",
    "inserted_levels_card",
    "learned_words_card",
    "levels_card",
    "links_only",
    "message_card",
    "my_data_card",
    "no_answer_card",
    "on_call_card",
    "on_call_line",
    "plan_card",
    "preview",
    "procurement_card",
    "procurement_form_card",
    "proposal_card",
    "receipt_card",
    "regional_form_card",
    "report_card",
    "shared_item_card",
    "shared_list_card",
    "small_talk_card",
    "statistics_card",
    "status_card",
    "survey_card",
    "ticket_card",
    "ticket_list_card",
    "upcoming_card",
    "welcome_card",
]
