"""How handlers declare what they answer: `@command(Spec(...))` on a method answers a typed
command, `@action(Kind, ...)` a card action anyone (or a role) may send, and
`@action_on(Kind, ACCESS, ...)` one that names a thing (a ticket, a follow-up, a plan): the
dispatcher loads the thing, checks the relation and hands it to the method. Routes refer to
the methods themselves, so mypy checks each method against its action and subject; nothing
is looked up by name.

How an answer is shown (`Mode`), for an Action.Execute:
- IN_PLACE: the first card replaces the one clicked (a form with its problems marked, the
  next page, an updated ticket); any further cards follow as new messages;
- BELOW: every card follows as a new message and the clicked card stays as it is (opening
  the full text of a criterion from an answer).
An Action.Submit from an older card is always answered below.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from bot.commands import Command, Spec, Who
from bot.teams._access import Access
from bot.teams._turn import Card, Turn
from cards.actions import CardAction

A = TypeVar("A", bound=CardAction)
S = TypeVar("S")
H = TypeVar("H", bound="Handler")
Cards = Awaitable[list[Card]]


class Mode(Enum):
    IN_PLACE = "in place"
    BELOW = "below"


@dataclass(frozen=True)
class ActionRoute:
    kind: type[CardAction]
    run: Callable[..., Cards]  # the handler's method, unbound
    who: Who = Who.ANYONE
    access: Access[Any] | None = None
    limit: str = ""  # the per-person limit it counts against (bot/ratelimits.py)
    mode: Mode = Mode.BELOW
    # In place of a form whose handler answers nothing of its own (its answer comes as a
    # message of its own, like a question's receipt): this text.
    done: str = ""


@dataclass(frozen=True)
class CommandRoute:
    spec: Spec
    run: Callable[..., Cards]


def command(spec: Spec) -> Callable[[Callable[[H, Command, Turn], Cards]],
                                    Callable[[H, Command, Turn], Cards]]:  # fmt: skip
    def mark(run: Callable[[H, Command, Turn], Cards]) -> Callable[[H, Command, Turn], Cards]:
        run.__command__ = CommandRoute(spec, run)  # type: ignore[attr-defined]
        return run

    return mark


def action(
    kind: type[A],
    *,
    who: Who = Who.ANYONE,
    limit: str = "",
    mode: Mode = Mode.BELOW,
    done: str = "",
) -> Callable[[Callable[[H, A, Turn], Cards]], Callable[[H, A, Turn], Cards]]:
    def mark(run: Callable[[H, A, Turn], Cards]) -> Callable[[H, A, Turn], Cards]:
        route = ActionRoute(kind, run, who, None, limit, mode, done)
        run.__route__ = route  # type: ignore[attr-defined]
        return run

    return mark


def action_on(
    kind: type[A], access: Access[S], *, limit: str = "", mode: Mode = Mode.BELOW
) -> Callable[[Callable[[H, A, Turn, S], Cards]], Callable[[H, A, Turn, S], Cards]]:
    def mark(run: Callable[[H, A, Turn, S], Cards]) -> Callable[[H, A, Turn, S], Cards]:
        route = ActionRoute(kind, run, Who.ANYONE, access, limit, mode)
        run.__route__ = route  # type: ignore[attr-defined]
        return run

    return mark


class Handler:
    """One job's commands and card actions, given only that job's services."""

    COMMANDS: tuple[CommandRoute, ...] = ()
    ACTIONS: tuple[ActionRoute, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        members = list(vars(cls).values())
        cls.COMMANDS = tuple(m.__command__ for m in members if hasattr(m, "__command__"))
        cls.ACTIONS = tuple(m.__route__ for m in members if hasattr(m, "__route__"))
