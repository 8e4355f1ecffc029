"""The weekly digest to subscribed channels. No botbuilder here."""

from bot.config import Schedule
from bot.digest.content import WeekContent, iso_week, week_content
from bot.digest.delivery import DELIVERIES, DigestSender, RunReport
from bot.digest.service import DigestService
from bot.digest.subscriptions import Subscription, SubscriptionRepository

__all__ = [
    "DELIVERIES",
    "DigestSender",
    "DigestService",
    "RunReport",
    "Schedule",
    "Subscription",
    "SubscriptionRepository",
    "WeekContent",
    "iso_week",
    "week_content",
]
