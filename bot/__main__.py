"""Command line: `python -m bot serve|search|criteria ...`. See README for every command."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from bot import logs
from bot.config import LOOPBACK_HOSTS, Settings

log = logging.getLogger("bot")


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from aiohttp import web

    from bot.node import Node
    from bot.teams import create_app

    if not settings.auth_enabled and args.host not in LOOPBACK_HOSTS:
        print(
            f"Refusing to listen on {args.host}: authentication is off (MicrosoftAppId is "
            "not set), so only loopback (127.0.0.1) is allowed. Set MicrosoftAppId and "
            "MicrosoftAppPassword to serve other hosts.",
            file=sys.stderr,
        )
        return 2
    if not settings.auth_enabled:
        log.warning("authentication is OFF (no MicrosoftAppId): local use on loopback only")

    async def build() -> web.Application:
        node = await Node.open(settings, demo=args.demo)
        return create_app(node)

    log.info(
        "starting",
        extra={
            "host": args.host,
            "port": args.port,
            "storage": "azure-tables" if settings.uses_azure_tables else "sqlite",
            "demo": args.demo,
        },
    )
    web.run_app(build(), host=args.host, port=args.port, print=None, access_log=None)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Miljökravsnoden")
    parser.add_argument("--log-level", default="INFO")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the bot's HTTP server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=3978)
    serve.add_argument("--demo", action="store_true", help="load demo data at start")
    serve.set_defaults(run=_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logs.configure(args.log_level)
    settings = Settings.from_env()
    code: int = args.run(args, settings)
    return code


if __name__ == "__main__":
    sys.exit(main())
