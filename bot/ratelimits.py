"""Per-person limits on what writes to the store or reaches others: new questions to the
experts, "Hjälpte det?" feedback and shared items. A person at their limit is told to wait;
nothing they already stored is touched.

Counted in this process's memory (the `limits` package, moving windows): with several
instances a person gets the limit once per instance, which still bounds a runaway client.
"""

from __future__ import annotations

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

# What a person may do, per kind of action: generous for people, tight for scripts.
DEFAULT_RULES: dict[str, tuple[str, ...]] = {
    "ticket": ("10/hour", "30/day"),
    "feedback": ("60/hour",),
    "share": ("20/hour",),
}


class PersonLimits:
    def __init__(self, rules: dict[str, tuple[str, ...]] | None = None) -> None:
        chosen = DEFAULT_RULES if rules is None else rules
        self._rules: dict[str, tuple[RateLimitItem, ...]] = {
            kind: tuple(parse(rule) for rule in limits) for kind, limits in chosen.items()
        }
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    async def allow(self, kind: str, person: str) -> bool:
        """Count one `kind` action by `person`; False when it would pass one of the limits
        (then nothing is counted)."""
        items = self._rules.get(kind, ())
        for item in items:
            if not await self._limiter.test(item, kind, person):
                return False
        for item in items:
            await self._limiter.hit(item, kind, person)
        return True
