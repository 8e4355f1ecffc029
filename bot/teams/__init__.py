"""Everything that knows Teams and botbuilder. The rest of the node does not import it."""

from bot.teams._web import create_app

__all__ = ["create_app"]
