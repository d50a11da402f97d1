"""`crawl`, `nightly`, `demo`: the commands that fetch."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from pipeline.archive.db import first_line, open_archive_engine, resolve_db_url
from pipeline.cli import worker_cmds
from pipeline.cli.common import (
    CliError,
    add_config,
    add_db,
    add_extraction,
    http_url,
    iso_date,
    non_negative_float,
    positive_int,
)


def register(sub) -> None:
    p = sub.add_parser("crawl", help="crawl a ModernGov or CMIS site into the archive")
    p.add_argument(
        "--base-url",
        type=http_url,
        help="the ModernGov site (folder holding mg*.aspx pages) or CMIS install (any page in it)",
    )
    p.add_argument("--council", help="council slug (default: derived from the host)")
    p.add_argument("--name", help="council name")
    p.add_argument("--from", dest="date_from", type=iso_date, help="first meeting date (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", type=iso_date, help="last meeting date (YYYY-MM-DD)")
    p.add_argument(
        "--delay", type=non_negative_float, help="seconds between requests to the host (default 1)"
    )
    p.add_argument("--concurrency", type=positive_int, help="requests at once to the host (default 1)")
    p.add_argument("--user-agent", help="User-Agent header (default names the project and a contact URL)")
    add_config(p)
    p.add_argument(
        "--incremental",
        action="store_true",
        help="revisit only what may have changed (the nightly policy, docs/operations.md)",
    )
    p.add_argument("--log-level", default=os.environ.get("COUNCIL_ARCHIVE_LOG_LEVEL", "WARNING"))
    add_extraction(p)
    add_db(p)
    p.set_defaults(handler=cmd_crawl)

    p = sub.add_parser("nightly", help="crawl every enabled council of the registry (for cron)")
    add_config(p)
    p.add_argument("--council", nargs="+", dest="councils", metavar="SLUG", help="only these councils")
    p.add_argument("--delay", type=non_negative_float)
    p.add_argument("--concurrency", type=positive_int)
    p.add_argument("--lock", default="data/nightly.lock", help="lock file (one run at a time)")
    p.add_argument("--full", action="store_true", help="revisit everything, not only what may have changed")
    p.add_argument(
        "--max-hosts", type=positive_int, help="councils crawled at once (default: 8 per core, at least 4)"
    )
    p.add_argument(
        "--time-budget",
        type=non_negative_float,
        help="seconds a council may crawl before it is stopped and recorded partial (default 6 h; 0: none)",
    )
    p.add_argument("--report", help="JSON report (default data/reports/nightly-<UTC time>.json)")
    add_extraction(p)
    add_db(p)
    worker_cmds.add_nightly_options(p)  # --redis URL --workers N: the councils as jobs on a queue
    p.set_defaults(handler=cmd_nightly)

    p = sub.add_parser("demo", help="crawl a bundled sample ModernGov site served on 127.0.0.1")
    p.add_argument("--db", default=None, help="database URL (default: sqlite:///data/demo.sqlite)")
    p.set_defaults(handler=cmd_demo)


def cmd_crawl(args) -> int:
    from pipeline.ops import registry
    from pipeline.ops.crawl import run_crawl
    from pipeline.ops.detect import Detector
    from pipeline.ops.spiders import UnknownPlatform, platform_for, spider_for
    from pipeline.read.councils import base_url_of, platform_of
    from pipeline.read.summary import print_run

    db_url = resolve_db_url(args.db)
    engine = open_archive_engine(db_url)  # fail fast (exit 2) on an unusable database
    base_url, year_convention, allowed_hosts, platform = args.base_url, None, [], None
    if args.council:
        entry = registry.find(Path(args.config), args.council)
        if entry:
            base_url = base_url or entry["base_url"]
            platform = entry.get("platform")
            args.name = args.name or entry.get("name")
            year_convention = entry.get("year_convention")
            allowed_hosts = list(entry.get("allowed_hosts") or [])
    if base_url is None:
        if not args.council:
            raise CliError("give --base-url URL, or --council SLUG of a council in the registry or archive")
        base_url = base_url_of(engine, args.council)
        if base_url is None:
            raise CliError(f"unknown council {args.council!r}: give --base-url for a first crawl")
    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise CliError("--from is after --to")
    archived = platform_of(engine, args.council) if args.council and not platform else None
    engine.dispose()
    platform = platform_for(base_url, platform, archived, Detector(remember=False).detect)
    try:
        spider_for(platform)
    except UnknownPlatform as exc:
        raise CliError(str(exc)) from None
    outcome = run_crawl(
        db_url,
        base_url,
        council=args.council,
        name=args.name,
        date_from=args.date_from,
        date_to=args.date_to,
        delay=args.delay,
        concurrency=args.concurrency,
        user_agent=args.user_agent,
        log_level=args.log_level,
        incremental=args.incremental,
        year_convention=year_convention,
        allowed_hosts=allowed_hosts,
        platform=platform,
        extractor=args.extractor,
        ocr=args.ocr,
    )
    if outcome.full_because:
        print(f"council-archive: revisited everything: {outcome.full_because}", file=sys.stderr)
    if outcome.run_id is None:
        print("council-archive: error: the crawl did not start (see the log above)", file=sys.stderr)
        return 1
    try:
        print_run(db_url, outcome.run_id)
    except SQLAlchemyError as exc:
        print(
            f"council-archive: the archive could not be read after the run: {first_line(exc)}",
            file=sys.stderr,
        )
        return 1
    if outcome.failure_reason:
        print(f"council-archive: crawl failed: {outcome.failure_reason}", file=sys.stderr)
        return 1
    if outcome.partial_reason:
        print(f"council-archive: crawl partial: {outcome.partial_reason}", file=sys.stderr)
        return 1
    return 0


def cmd_nightly(args) -> int:
    from datetime import UTC, datetime

    from pipeline.ops.crawl_many import DEFAULT_TIME_BUDGET_S
    from pipeline.ops.nightly import load_registry, run_nightly
    from pipeline.ops.registry import RegistryError

    try:
        councils = load_registry(Path(args.config), args.councils)
    except RegistryError as exc:
        raise CliError(str(exc)) from None
    db_url = resolve_db_url(args.db)
    engine = open_archive_engine(db_url)
    budget = DEFAULT_TIME_BUDGET_S if args.time_budget is None else (args.time_budget or None)
    report = Path(args.report or f"data/reports/nightly-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json")
    Path(args.lock).parent.mkdir(parents=True, exist_ok=True)
    if args.redis or args.workers is not None:
        return worker_cmds.nightly_redis(args, councils, db_url, report)
    return run_nightly(
        engine,
        db_url,
        councils,
        Path(args.lock),
        report,
        full=args.full,
        max_hosts=args.max_hosts,
        time_budget=budget,
        delay=args.delay,
        concurrency=args.concurrency,
        log_level=os.environ.get("COUNCIL_ARCHIVE_LOG_LEVEL", "WARNING"),
        extractor=args.extractor,
        ocr=args.ocr,
    )


def cmd_demo(args) -> int:
    from pipeline.demo.tour import run_demo

    return run_demo(args.db or "sqlite:///data/demo.sqlite")
