"""Length limits of the texts people write, declared once: a form's input (maxLength), the
card-payload reader and the domain's check all read them here (bot/forms.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    min: int
    max: int

    def fits(self, text: str) -> bool:
        return self.min <= len(text.strip()) <= self.max

    @property
    def cap(self) -> int:
        """What the payload reader lets through: a text over `max` still reaches the check,
        which shows the form again with the text and the problem marked; only an absurd
        size is refused as a malformed payload."""
        return self.max * 4


QUESTION = Limit(10, 2000)  # a question to the experts
ANSWER = Limit(1, 4000)  # an expert's answer: with the question, a card within Teams' 28 KB
FEEDBACK_QUESTION = Limit(0, 500)  # the question a "Hjälpte det?" click is about
SHORT = Limit(1, 200)  # a title, a name, a supplier, a product group
TEXT = Limit(1, 4000)  # a summary, findings, a finding
NOTE = Limit(1, 2000)  # what was checked, the action taken
REASON = Limit(1, 500)  # why a follow-up is postponed
LINK = Limit(1, 500)  # a link to a document
ADDRESS = Limit(1, 254)  # an e-mail address (RFC 5321's longest path)
ORG_NUMBER = Limit(1, 20)  # "556036-0793"
KRAV = Limit(1, 20)  # one Krav ID, "10699:2"
KRAV_LIST = Limit(1, 500)  # "11567, 10699:2 avancerad"
MONTH = Limit(7, 10)  # "2027-03"
COMMENT = Limit(0, 500)  # a survey's optional comment
SHARED_SHORT, SHARED_TEXT = SHORT, TEXT  # shared items' fields
