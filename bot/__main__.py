"""Command line: `python -m bot serve|search|criteria ...`. See README for every command."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import logging
import sys
from collections.abc import AsyncIterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from bot import logs, telemetry
from bot.app import NoMessenger, Services, build_services
from bot.audit import AuditLog
from bot.config import LOOPBACK_HOSTS, Settings, environment
from bot.i18n import UserError, texts_for
from bot.node import Node
from bot.stats import Period, Share, Statistics, StatisticsService, report_xlsx
from bot.storage import Store, open_store

log = logging.getLogger("bot")


@contextlib.asynccontextmanager
async def _opened_store(settings: Settings) -> AsyncIterator[Store]:
    """The configured store for one CLI command, closed afterwards."""
    store = open_store(settings)
    try:
        yield store
    finally:
        await store.close()


@contextlib.asynccontextmanager
async def _opened_node(settings: Settings) -> AsyncIterator[Node]:
    """The node as the server opens it (the library with every search source), closed after."""
    node = await Node.open(settings)
    try:
        yield node
    finally:
        await node.close()


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from aiohttp import web

    from bot.teams import create_app

    if not settings.auth_enabled and args.host not in LOOPBACK_HOSTS:
        print(
            f"Refusing to listen on {args.host}: authentication is off (MicrosoftAppId is "
            "not set), so only loopback (127.0.0.1) is allowed. Set MicrosoftAppId and "
            "MicrosoftAppPassword to serve other hosts.",
            file=sys.stderr,
        )
        return 2
    if settings.unresolved:
        print(
            "Refusing to start: App Service could not resolve the Key Vault reference in "
            f"{', '.join(settings.unresolved)} (the setting holds the reference's text, not "
            "the secret). Check that the node's identity may read the vault's secrets, then "
            "make App Service fetch the references again (docs/deploy.md, step 3).",
            file=sys.stderr,
        )
        return 2
    if settings.auth_enabled and settings.public_url_is_loopback:
        print(
            f"Refusing to start: NODE_PUBLIC_URL is {settings.public_url}, a loopback address, "
            'while authentication is on (production). People\'s links ("mina data", '
            "follow-up plans) would point at their own machine. Set NODE_PUBLIC_URL to the "
            "node's public https address (on App Service it defaults to WEBSITE_HOSTNAME).",
            file=sys.stderr,
        )
        return 2
    if not settings.auth_enabled:
        log.warning("authentication is OFF (no MicrosoftAppId): local use on loopback only")

    telemetry.configure(settings.telemetry_connection)

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


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    from bot.routing.tickets import COUNTERS
    from bot.storage.backup import backup

    async def run() -> None:
        async with _opened_store(settings) as store:
            # Counters after what they count: a restored counter is never behind.
            counts = await backup(store, args.directory, settings.clock(), read_last=[COUNTERS])
        for count in counts:
            print(f"{count.table}: {count.records}")
        print(f"Backup written to {args.directory} ({sum(c.records for c in counts)} records).")

    asyncio.run(run())
    return 0


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import record_shapes
    from bot.routing.tickets import TicketRepository
    from bot.storage.backup import RestoreRefused, restore

    async def run() -> int:
        async with _opened_store(settings) as store:
            try:
                counts = await restore(store, args.directory, args.force, record_shapes())
                # A backup from before counters were read last: the counter catches up.
                await TicketRepository(store).repair_counter()
            except RestoreRefused as refused:
                print(f"Restore refused: {refused}. Nothing was written.", file=sys.stderr)
                if "already holds" in str(refused):
                    print("Restore into an empty store, or add --force.", file=sys.stderr)
                return 2
        print(f"Restored {sum(c.records for c in counts)} records in {len(counts)} tables.")
        return 0

    return asyncio.run(run())


def _search(args: argparse.Namespace, settings: Settings) -> int:
    async def run() -> None:
        async with _opened_node(settings) as node:
            library = node.criteria
            questions = sys.stdin if args.stdin else [args.question or ""]
            for question in questions:
                hits = [library.describe(h) for h in library.search(question.strip(), args.limit)]
                if args.json:
                    print(json.dumps(hits, ensure_ascii=False), flush=True)
                else:
                    for hit in hits:
                        print(
                            f"{hit['score']:7.2f}  {hit['id']:<12} {hit['area']:<22} {hit['name']}"
                        )
                    print(flush=True)

    if not args.stdin and not args.question:
        print("Give a question, or --stdin to read one per line.", file=sys.stderr)
        return 2
    asyncio.run(run())
    return 0


def _criteria_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.criteria import CriteriaLibrary, FileFormatError

    async def run() -> int:
        async with _offline_services(settings) as services:
            library: CriteriaLibrary = services.node.criteria
            report = await library.import_file(args.file, skip_bad_rows=args.skip_bad_rows,
                                               full=args.full, dry_run=args.dry_run)  # fmt: skip
            if report.imported and not args.dry_run and report.changes:
                await services.audit.record(
                    "cli", "criteria.import", args.file.name, added=report.added,
                    updated=report.updated, withdrawn=report.withdrawn, rejected=report.rejected,
                )  # fmt: skip
                # Told through the outbox: the running bot's next round sends it.
                await services.followups.library_changed(report.changes)
        for error in report.errors:
            print(error, file=sys.stderr)
        if not report.imported:
            print(
                f"Nothing imported: {report.rejected} bad row(s). Fix them, or give "
                "--skip-bad-rows to import the good rows.",
                file=sys.stderr,
            )
            return 1
        if args.json:
            print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
            return 0
        for change in report.changes:
            how = f" ({', '.join(change.fields)})" if change.fields else ""
            print(f"{change.kind:<9} {change.key}{how}")
        done = "Would import" if args.dry_run else "Imported"
        print(
            f"{done}: {report.added} new, {report.updated} updated, {report.withdrawn} "
            f"withdrawn, {report.unchanged} unchanged, {report.older_skipped} older than "
            f"stored, {report.rejected} skipped."
        )
        return 0

    if not args.file.is_file():
        print(f"No such file: {args.file}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(run())
    except FileFormatError as error:
        print(f"Cannot import {args.file}: {error}", file=sys.stderr)
        return 1


def _network_import(args: argparse.Namespace, settings: Settings) -> int:
    from bot.routing import NetworkFileError, NetworkRepository, read_network_file

    if not args.file.is_file():
        print(f"No such file: {args.file}", file=sys.stderr)
        return 2
    try:
        network = read_network_file(args.file, settings.zone, settings.clock().today())
    except NetworkFileError as error:
        print(f"Cannot import {args.file}: {error}", file=sys.stderr)
        return 1

    async def run() -> None:
        async with _opened_store(settings) as store:
            await NetworkRepository(store).save(network)
            await AuditLog(store, settings.clock()).record(
                "cli", "network.import", str(args.file.name), experts=len(network.experts)
            )

    asyncio.run(run())
    print(
        f"Imported {len(network.experts)} experts, {len(network.rotations)} rotations, "
        f"{len(network.overrides)} overrides."
    )
    return 0


def _network_show(args: argparse.Namespace, settings: Settings) -> int:
    from bot.criteria import AREAS
    from bot.routing import NetworkRepository

    async def run() -> int:
        async with _opened_store(settings) as store:
            network = await NetworkRepository(store).load()
        if not network.experts:
            print("No expert network stored. Import one with: python -m bot network import FILE")
            return 1
        now = settings.clock().now()
        print(f"On call {now:%Y-%m-%d %H:%M} ({settings.time_zone}):")
        for slug, name in AREAS.items():
            experts = network.on_call(slug, now, settings.zone)
            first = f"{experts[0].name} ({experts[0].municipality})" if experts else "nobody"
            then = ", ".join(e.name for e in experts[1:4])
            print(f"  {name:<32} {first}" + (f"   then {then}" if then else ""))
        return 0

    return asyncio.run(run())


def _digest_run(args: argparse.Namespace, settings: Settings) -> int:
    import aiohttp

    from bot.app import build_services
    from bot.teams import outbound_messenger

    async def run() -> int:
        async with _opened_node(settings) as node, aiohttp.ClientSession() as session:
            messenger = outbound_messenger(settings, node.store, session)
            digest = (await build_services(node, messenger, session)).digest
            if args.dry_run:
                for channel, card in await digest.dry_run(args.channel or ""):
                    shown = json.dumps(card, ensure_ascii=False) if card else "(quiet week)"
                    print(f"{channel}\t{shown}")
                return 0
            report = await digest.run(args.channel or "")
        print(
            f"Week {report.week}: {report.sent} sent, {report.already_sent} already sent, "
            f"{report.skipped_quiet} quiet, {report.gone} gone, {report.failed} failed."
        )
        return 0 if report.failed == 0 else 1

    return asyncio.run(run())


@contextlib.asynccontextmanager
async def _offline_services(settings: Settings) -> AsyncIterator[Services]:
    """The services for a command that sends nothing to Teams."""
    async with _opened_node(settings) as node:
        yield await build_services(node, NoMessenger())


def _criteria_export(args: argparse.Namespace, settings: Settings) -> int:
    """The library (regional criteria included) as a CSV in the import format."""
    import csv

    from bot.criteria.importer import export_rows

    async def run() -> int:
        async with _opened_node(settings) as node:
            criteria = node.criteria.all_levels()
        with args.file.open("w", encoding="utf-8", newline="") as out:
            csv.writer(out, delimiter=";").writerows(export_rows(criteria))
        print(f"Wrote {len(criteria)} criteria to {args.file}")
        return 0

    return asyncio.run(run())


def _gaps(args: argparse.Namespace, settings: Settings) -> int:
    """What people asked that the library could not answer, per area (no names)."""
    from bot.criteria.gaps import Gaps
    from bot.criteria.model import area_of

    area = area_of(args.area) if args.area else ""
    if args.area and not area:
        print(f"Unknown area: {args.area}", file=sys.stderr)
        return 2

    async def run() -> int:
        async with _opened_store(settings) as store:
            groups = await Gaps(store, settings.clock()).groups(area)
        if args.json:
            print(json.dumps([g.to_json() for g in groups], ensure_ascii=False, indent=2))
            return 0
        for group in groups:
            words = ", ".join(f"{w} {n}" for w, n in group.words)
            print(f"{group.area}: {group.count} questions ({group.first} – {group.last}): {words}")
        if not groups:
            print("No gaps.")
        return 0

    return asyncio.run(run())


def _survey_send(args: argparse.Namespace, settings: Settings) -> int:
    """Open this quarter's pulse survey (as `utvärdering` does): its cards wait in the outbox
    for the running bot's next round. `--dry-run` counts the recipients and opens nothing."""
    from bot.teams import conversation_book

    async def run() -> int:
        async with _opened_node(settings) as node:
            book = conversation_book(node.store)
            services = await build_services(node, NoMessenger(), reachable=book.reachable)
            try:
                opened = await services.survey.open("cli", dry_run=args.dry_run)
            except UserError as error:
                print(error.message(texts_for("en")), file=sys.stderr)
                return 2
        if args.json:
            print(json.dumps({"round": opened.round, "recipients": opened.recipients,
                              "dry_run": opened.dry_run}))  # fmt: skip
        else:
            verb = "would go" if opened.dry_run else "goes"
            print(f"The survey for {opened.round} {verb} to {opened.recipients} people.")
        return 0

    return asyncio.run(run())


def _agreements_import(args: argparse.Namespace, settings: Settings) -> int:
    return _import_register(args, settings, "agreements")


def _procurements_import(args: argparse.Namespace, settings: Settings) -> int:
    return _import_register(args, settings, "procurements")


def _import_register(args: argparse.Namespace, settings: Settings, kind: str) -> int:
    """A municipality's register (agreements or the annual procurement plan) from CSV/XLSX;
    with any bad row nothing is imported, and each bad row is named."""
    from bot.tabular import FileFormatError, read_rows

    if not args.file.is_file():
        print(f"No such file: {args.file}", file=sys.stderr)
        return 2

    async def run() -> int:
        try:
            rows = read_rows(args.file)
            async with _offline_services(settings) as services:
                target = services.followups if kind == "agreements" else services.procurements
                report = await target.import_rows(rows)
                if not report.errors:
                    await AuditLog(services.node.store, services.node.clock).record(
                        "cli", f"{kind}.import", args.file.name, added=report.added,
                        updated=report.updated,
                    )  # fmt: skip
        except FileFormatError as error:
            print(f"Cannot import {args.file}: {error}", file=sys.stderr)
            return 1
        for row_error in report.errors:
            print(f"row {row_error.row}: {row_error.reason}", file=sys.stderr)
        if report.errors:
            print(f"Nothing imported: {len(report.errors)} bad row(s).", file=sys.stderr)
            return 1
        print(f"Imported: {report.added} new, {report.updated} updated {kind}.")
        return 0

    return asyncio.run(run())


def _procurements_overlap(args: argparse.Namespace, settings: Settings) -> int:
    if not 0 <= args.months <= 60:
        print("--months is 0 to 60", file=sys.stderr)
        return 2

    async def run() -> int:
        async with _offline_services(settings) as services:
            groups = await services.procurements.overlaps(args.months)
        rows: list[dict[str, Any]] = [{
            "area": group[0].area,
            "product_group": next((p.product_group for p in group if p.product_group), ""),
            "municipalities": sorted({p.municipality for p in group}),
            "procurements": [{"title": p.title, "municipality": p.municipality,
                              "announce": f"{p.announce:%Y-%m}"} for p in group],
        } for group in groups]  # fmt: skip
        if args.json:
            print(json.dumps(rows, ensure_ascii=False))
            return 0
        for group in groups:
            print(f"{group[0].area}: " + "; ".join(
                f"{p.municipality} {p.announce:%Y-%m} {p.title}" for p in group
            ))  # fmt: skip
        if not rows:
            print("No overlapping procurements.")
        return 0

    return asyncio.run(run())


def _followups_due(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import date

    try:
        at = date.fromisoformat(args.at) if args.at else None
    except ValueError:
        print("--at is a date, YYYY-MM-DD", file=sys.stderr)
        return 2

    async def run() -> int:
        async with _offline_services(settings) as services:
            items = await services.followups.due(at, args.municipality)
            rows = [item.as_json(services.followups.drift(item.agreement, item.followup.base))
                    for item in items]  # fmt: skip
        if args.json:
            print(json.dumps(rows, ensure_ascii=False))
            return 0
        if not items:
            print("No follow-ups due.")
        for row in rows:
            late = "OVERDUE" if row["overdue"] else "due"
            joint = f"  (also {', '.join(row['joint_with'])})" if row["joint_with"] else ""
            print(
                f"{row['due']}  {late:<7}  {row['municipality']:<14} {row['agreement'][:30]:<30} "
                f"{row['supplier'][:24]:<24} {row['criterion']:<8} {row['responsible']}{joint}"
            )
        return 0

    return asyncio.run(run())


def _period(args: argparse.Namespace) -> Period | None:
    """The period of `--from`/`--to`, checked; None (and why, on stderr) when refused."""
    try:
        start = date.fromisoformat(args.start) if args.start else None
        end = date.fromisoformat(args.end) if args.end else None
        return Period.checked(start, end)
    except ValueError as error:
        print(f"Dates are YYYY-MM-DD: {error}", file=sys.stderr)
    except UserError as error:
        print(error.message(texts_for("en")).replace("**", ""), file=sys.stderr)
    return None


def _statistics(settings: Settings, period: Period) -> Statistics:
    async def run() -> Statistics:
        async with _opened_store(settings) as store:
            service = StatisticsService(store, settings.clock(), settings.escalation_hours)
            return await service.compute(period)

    return asyncio.run(run())


def _stats(args: argparse.Namespace, settings: Settings) -> int:
    period = _period(args)
    if period is None:
        return 2
    stats = _statistics(settings, period)
    if args.xlsx:
        args.xlsx.write_bytes(report_xlsx(stats, texts_for(settings.language)))
        print(f"Wrote {args.xlsx}")
    if args.json:
        print(json.dumps(dataclasses.asdict(stats), default=str, ensure_ascii=False, indent=2))
        return 0
    q, f, p = stats.questions, stats.followups, stats.procurements

    def share(s: Share) -> str:
        return f"{s.part} of {s.whole}" + (f" ({s.ratio:.0%})" if s.ratio is not None else "")

    claim = q.claim_hours or ("-", "-")
    answer = q.answer_hours or ("-", "-")
    print(f"Period: {stats.period.label or 'from the start'}")
    print(
        f"Questions: {q.total} (answered {q.answered}, open {q.open}, "
        f"escalated {q.escalated}, published {q.published})"
    )
    print(f"Time to claim: median {claim[0]} h, p90 {claim[1]} h")
    print(f"Time to answer: median {answer[0]} h, p90 {answer[1]} h")
    print(f"Answered within {q.target_hours:g} working hours: {share(q.in_time)}")
    print(
        f"Follow-ups: {f.due} due in the period, {f.on_time} done on time, {f.late} late, "
        f"{f.overdue_now} overdue now; joint follow-ups done {f.joint_done}"
    )
    print(
        f"Municipalities following up consistently: {share(f.consistent)} (baseline "
        f"{stats.baseline.consistent} of {stats.baseline.units}); never: {share(f.never)}"
    )
    print(
        f"Procurements: {p.plans} registered, expert before announcement {share(p.early)}, "
        f"coordinated groups {p.coordinated_groups}, became agreements {p.became_agreements}"
    )
    print(f"Shared: {stats.shared_analyses} market analyses, {stats.shared_followups} follow-ups")
    print(
        "Agreements with criteria: "
        + ", ".join(
            f"{m.name} {m.agreements_with_criteria}"
            for m in stats.municipalities
            if m.agreements_with_criteria
        )
    )
    print("Per area: " + ", ".join(f"{area} {count}" for area, count in q.per_area.items()))
    print(
        "Active users per month: "
        + ", ".join(f"{m.month} {m.active_users}" for m in stats.months if m.active_users)
    )
    return 0  # fmt: skip


def _report(args: argparse.Namespace, settings: Settings) -> int:
    period = _period(args)
    if period is None:
        return 2
    if period.start is None or period.end is None:
        print("A report needs --from and --to.", file=sys.stderr)
        return 2
    stats = _statistics(settings, period)
    args.out.write_bytes(report_xlsx(stats, texts_for(args.language or settings.language)))
    print(f"Wrote {args.out} ({stats.period.label})")
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

    backup = commands.add_parser("backup", help="write every table to DIR as JSON lines")
    backup.add_argument("directory", type=Path)
    backup.set_defaults(run=_backup)
    restore = commands.add_parser("restore", help="write a backup from DIR into the store")
    restore.add_argument("directory", type=Path)
    restore.add_argument(
        "--force", action="store_true", help="overwrite tables that already hold records"
    )
    restore.set_defaults(run=_restore)

    search = commands.add_parser("search", help="search the criteria library")
    search.add_argument("question", nargs="?")
    search.add_argument("--json", action="store_true", help="print hits as a JSON array")
    search.add_argument("--limit", type=int, default=5)
    search.add_argument("--stdin", action="store_true", help="one question per input line")
    search.set_defaults(run=_search)

    criteria = commands.add_parser("criteria", help="manage the criteria library")
    criteria_commands = criteria.add_subparsers(dest="criteria_command", required=True)
    importer = criteria_commands.add_parser("import", help="import a CSV or XLSX file")
    importer.add_argument("file", type=Path)
    importer.add_argument(
        "--skip-bad-rows", action="store_true", help="import the good rows of a file with errors"
    )
    importer.add_argument(
        "--full",
        action="store_true",
        help="the file is the whole library: what it lacks is withdrawn",
    )
    importer.add_argument("--dry-run", action="store_true", help="report the changes only")
    importer.add_argument("--json", action="store_true", help="print the change set as JSON")
    importer.set_defaults(run=_criteria_import)

    exporter = criteria_commands.add_parser("export", help="the library as a CSV to import")
    exporter.add_argument("file", type=Path)
    exporter.set_defaults(run=_criteria_export)

    network = commands.add_parser("network", help="the experts' network and on-call rota")
    network_commands = network.add_subparsers(dest="network_command", required=True)
    network_import = network_commands.add_parser("import", help="import a YAML or CSV file")
    network_import.add_argument("file", type=Path)
    network_import.set_defaults(run=_network_import)
    network_show = network_commands.add_parser("show", help="who is on call now")
    network_show.set_defaults(run=_network_show)

    digest = commands.add_parser("digest", help="the weekly digest")
    digest_commands = digest.add_subparsers(dest="digest_command", required=True)
    digest_run = digest_commands.add_parser("run", help="send this week's digest now")
    digest_run.add_argument("--dry-run", action="store_true", help="print the cards instead")
    digest_run.add_argument("--channel", help="only this channel (conversation id)")
    digest_run.set_defaults(run=_digest_run)

    agreements = commands.add_parser("agreements", help="agreements with environmental criteria")
    agreement_commands = agreements.add_subparsers(dest="agreements_command", required=True)
    agreements_import = agreement_commands.add_parser(
        "import", help="import an agreement register (CSV or XLSX); with bad rows, nothing"
    )
    agreements_import.add_argument("file", type=Path)
    agreements_import.set_defaults(run=_agreements_import)

    followups = commands.add_parser("followups", help="follow-ups of the agreements")
    followup_commands = followups.add_subparsers(dest="followups_command", required=True)
    due = followup_commands.add_parser("due", help="due and overdue follow-ups")
    due.add_argument("--at", help="the date, YYYY-MM-DD (default: today)")
    due.add_argument("--municipality", default="", help="only this municipality")
    due.add_argument("--json", action="store_true", help="one JSON array")
    due.set_defaults(run=_followups_due)

    procurements = commands.add_parser("procurements", help="planned procurements")
    procurement_commands = procurements.add_subparsers(dest="procurements_command", required=True)
    plans_import = procurement_commands.add_parser(
        "import", help="import an annual procurement plan (CSV or XLSX); with bad rows, nothing"
    )
    plans_import.add_argument("file", type=Path)
    plans_import.set_defaults(run=_procurements_import)
    overlap = procurement_commands.add_parser("overlap", help="municipalities buying the same")
    overlap.add_argument("--months", type=int, default=6, help="announcements this close")
    overlap.add_argument("--json", action="store_true", help="one JSON array")
    overlap.set_defaults(run=_procurements_overlap)

    stats = commands.add_parser("stats", help="the node's own statistics")
    stats.add_argument("--from", dest="start", help="first day, YYYY-MM-DD")
    stats.add_argument("--to", dest="end", help="last day, YYYY-MM-DD")
    stats.add_argument("--xlsx", type=Path, help="also write the report workbook here")
    stats.add_argument("--json", action="store_true", help="print the statistics as JSON")
    stats.set_defaults(run=_stats)
    gaps = commands.add_parser("gaps", help="questions the library could not answer")
    gaps.add_argument("area", nargs="?", help="one area (its name or slug)")
    gaps.add_argument("--json", action="store_true")
    gaps.set_defaults(run=_gaps)
    survey = commands.add_parser("survey", help="the pulse survey")
    survey_commands = survey.add_subparsers(dest="survey_command", required=True)
    survey_send = survey_commands.add_parser("send", help="open this quarter's round")
    survey_send.add_argument("--dry-run", action="store_true", help="only count recipients")
    survey_send.add_argument("--json", action="store_true")
    survey_send.set_defaults(run=_survey_send)
    report = commands.add_parser("report", help="the steering group's workbook with charts")
    report.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
    report.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
    report.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")
    report.add_argument("--language", choices=("sv", "en"), help="default: the node's")
    report.set_defaults(run=_report)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logs.configure(args.log_level)
    settings = Settings.from_env(environment())
    code: int = args.run(args, settings)
    return code


if __name__ == "__main__":
    sys.exit(main())
