"""Where each card action goes: declared once per action type (the payloads themselves, with
their verbs and parsing, are in cards/actions.py). Dispatch is a lookup in ACTION_ROUTES; a
test fails when an action has no route or its handler is missing."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import Who
from cards.actions import (
    AgreementForm,
    AnswerTicket,
    AskExpert,
    BookEarly,
    CardAction,
    ClaimTicket,
    Compare,
    ConfirmErase,
    Coordinate,
    CreateAgreement,
    CreateProcurement,
    CreateTicket,
    ExpertSupport,
    Feedback,
    HandOver,
    MakePlan,
    MoreHits,
    PostponeFollowUp,
    ProcurementToAgreement,
    ReassignTicket,
    RecordResult,
    RefreshTicket,
    ReleaseJoint,
    ReleaseTicket,
    ShareAnalysis,
    ShareFollowUp,
    ShowCriterion,
    ShowFollowUp,
    ShowLevels,
    ShowProcurement,
    ShowTicket,
    TakeJoint,
    UpdateProcurement,
)


@dataclass(frozen=True)
class ActionRoute:
    """Where a card action goes: its handler (a Resolver method), who may send it, the
    per-person limit it counts against, and how it is sent:
    - `universal`: an Action.Execute on a ticket card; the handler's Outcome comes back as
      that viewer's updated ticket card (see on_execute);
    - `in_place`: an Action.Execute whose handler's first card replaces the card clicked
      (forms show their errors in place, "Fler träffar" pages); any further cards follow
      as new messages;
    - neither: an Action.Submit, answered with new messages below the card."""

    handler: str = ""
    who: Who = Who.ANYONE
    limit: str = ""
    universal: bool = False
    in_place: bool = False
    sent: str = "form.sent"  # in place of a form whose handler answers nothing of its own


ACTION_ROUTES: dict[type[CardAction], ActionRoute] = {
    ShowCriterion: ActionRoute("act_show_criterion"),
    ShowLevels: ActionRoute("act_show_levels"),
    Compare: ActionRoute("act_compare"),
    MakePlan: ActionRoute("act_make_plan"),
    Feedback: ActionRoute("act_feedback", limit="feedback"),
    MoreHits: ActionRoute("act_more_hits", in_place=True),
    AskExpert: ActionRoute("act_ask_expert"),
    CreateTicket: ActionRoute("act_create_ticket", in_place=True, sent="ask.sent"),
    ShowTicket: ActionRoute("act_show_ticket"),
    ConfirmErase: ActionRoute("act_confirm_erase"),
    ShareAnalysis: ActionRoute("act_share", limit="share", in_place=True),
    ShareFollowUp: ActionRoute("act_share", limit="share", in_place=True),
    ClaimTicket: ActionRoute("exec_claim", universal=True),
    ReleaseTicket: ActionRoute("exec_release", universal=True),
    ReassignTicket: ActionRoute("exec_reassign", universal=True),
    AnswerTicket: ActionRoute("exec_answer", universal=True),
    RefreshTicket: ActionRoute("exec_refresh", universal=True),
    AgreementForm: ActionRoute("act_agreement_form"),
    CreateAgreement: ActionRoute("act_create_agreement", in_place=True),
    ShowFollowUp: ActionRoute("act_show_followup"),
    RecordResult: ActionRoute("act_record_result", limit="share", in_place=True),
    PostponeFollowUp: ActionRoute("act_postpone", in_place=True),
    HandOver: ActionRoute("act_hand_over", in_place=True),
    ExpertSupport: ActionRoute("act_expert_support", in_place=True),
    TakeJoint: ActionRoute("act_take_joint"),
    ReleaseJoint: ActionRoute("act_release_joint"),
    CreateProcurement: ActionRoute("act_create_procurement", in_place=True),
    ShowProcurement: ActionRoute("act_show_procurement"),
    Coordinate: ActionRoute("act_coordinate"),
    BookEarly: ActionRoute("act_book_early", limit="ticket"),
    UpdateProcurement: ActionRoute("act_update_procurement"),
    ProcurementToAgreement: ActionRoute("act_procurement_agreement"),
}
