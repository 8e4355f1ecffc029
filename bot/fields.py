"""Length limits of the texts people write, declared once: the form's input (maxLength), the
card-payload parser and the domain's validation all read them here."""

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
        """What the payload parser lets through: a text over `max` still reaches the domain,
        which shows the form again with the text and the problem marked; only an absurd
        size is refused as a malformed payload."""
        return self.max * 4


QUESTION = Limit(10, 2000)  # a question to the experts
ANSWER = Limit(1, 4000)  # an expert's answer: with the question, a card within Teams' 28 KB
FEEDBACK_QUESTION = Limit(0, 500)  # the question a "Hjälpte det?" click is about
SHARED_SHORT = Limit(1, 200)  # a shared item's title, contact, agreement, supplier
SHARED_TEXT = Limit(1, 4000)  # a shared item's summary and findings
