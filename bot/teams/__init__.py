"""Everything that knows Teams and botbuilder. The rest of the node does not import it."""

from __future__ import annotations

import aiohttp

from bot import app
from bot.config import Settings
from bot.personal import TableOwner
from bot.storage import Store
from bot.teams._handlers import COMMANDS
from bot.teams._messenger import TeamsMessenger
from bot.teams._references import ConversationBook, InboundLedger
from bot.teams._web import bot_tokens, build_adapter, create_app


def outbound_messenger(
    settings: Settings, store: Store, session: aiohttp.ClientSession
) -> TeamsMessenger:
    """A Messenger for work outside a server (the CLI's digest run)."""
    return TeamsMessenger(
        build_adapter(settings, session, bot_tokens(settings)),
        ConversationBook(store),
        settings.app_id,
    )


# Every table's owner, the Teams edge's own included.
TABLE_OWNERS: tuple[type[TableOwner], ...] = (*app.TABLE_OWNERS, ConversationBook, InboundLedger)


def conversation_book(store: Store) -> ConversationBook:
    """Who the node can reach 1:1 (the CLI's survey round)."""
    return ConversationBook(store)


__all__ = ["COMMANDS", "TABLE_OWNERS", "conversation_book", "create_app", "outbound_messenger"]
