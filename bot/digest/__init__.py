"""The weekly digest to subscribed channels. No botbuilder here."""

from bot.config import Schedule
from bot.digest.content import WeekContent, iso_week, week_content
from bot.digest.service import DIGEST, DigestService, RunReport
from bot.digest.subscriptions import Subscription, SubscriptionRepository

__all__ = [
    "DIGEST",
    "DigestService",
    "RunReport",
    "Schedule",
    "Subscription",
    "SubscriptionRepository",
    "WeekContent",
    "iso_week",
    "week_content",
]
