"""The pulse survey among the node's users (service) and its form (forms)."""

from bot.survey.forms import SURVEY
from bot.survey.service import ASK, Opened, PulseSurvey, Round, SurveyCards

__all__ = ["ASK", "SURVEY", "Opened", "PulseSurvey", "Round", "SurveyCards"]
