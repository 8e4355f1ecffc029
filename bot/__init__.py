"""Miljökravsnoden: a Teams bot and collaboration node for environmental requirements in
public procurement.

Packages: `bot.config` (settings), `bot.storage` (one record store, SQLite or Azure Tables),
`bot.criteria` (the criteria library and its search), `bot.i18n` (texts per locale) and
`bot.teams` (everything that knows Teams and botbuilder).
"""
