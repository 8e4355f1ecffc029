"""Test helpers: real local stand-ins for what the bot talks to (Azurite, the Bot Connector,
an OpenID issuer), never replacements for the node's own components."""
