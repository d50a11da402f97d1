"""council-archive: the command line. Thin: argument parsing and printing over library functions.

Bad arguments exit 2 with one line on stderr; a crawl that could not reach the site at all exits 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from pipeline.archive.db import DatabaseError, open_archive_engine, resolve_db_url


class CliError(Exception):
    """A user error: printed as one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage dump
        self.exit(2, f"{self.prog}: error: {message}\n")


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def http_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"not an http(s) URL: {value!r}")
    return value.strip()


def non_negative_float(value: str) -> float:
    try:
        f = float(value)
    except ValueError:
        f = -1
    if f < 0:
        raise argparse.ArgumentTypeError(f"not a number of seconds >= 0: {value!r}")
    return f


def positive_int(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"not a whole number >= 1: {value!r}")
    return int(value)


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db", help="database URL (default: $COUNCIL_ARCHIVE_DB or sqlite:///data/archive.sqlite)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="council-archive", description="A versioned archive of UK council committee sites.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    p = sub.add_parser("crawl", help="crawl a ModernGov site into the archive")
    p.add_argument("--base-url", type=http_url, help="the ModernGov site (folder holding mg*.aspx pages)")
    p.add_argument("--council", help="council slug (default: derived from the host)")
    p.add_argument("--name", help="council name")
    p.add_argument("--from", dest="date_from", type=iso_date, help="first meeting date (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", type=iso_date, help="last meeting date (YYYY-MM-DD)")
    p.add_argument(
        "--delay", type=non_negative_float, help="seconds between requests to the host (default 1)"
    )
    p.add_argument("--concurrency", type=positive_int, help="requests at once to the host (default 1)")
    p.add_argument("--user-agent", help="User-Agent header (default names the project and a contact URL)")
    p.add_argument("--config", default="data/councils.toml", help="council registry, for --council alone")
    p.add_argument(
        "--incremental",
        action="store_true",
        help="revisit only what may have changed (the nightly policy, docs/operations.md)",
    )
    p.add_argument("--log-level", default=os.environ.get("COUNCIL_ARCHIVE_LOG_LEVEL", "WARNING"))
    _add_db(p)

    p = sub.add_parser("db", help="database maintenance")
    p.add_argument("action", choices=["upgrade", "current"])
    _add_db(p)

    p = sub.add_parser("export", help="export a table as CSV or JSON lines")
    p.add_argument("table", choices=["meetings", "documents", "minutes", "references"])
    p.add_argument("--council", help="council slug")
    p.add_argument("--committee", help="committee name, as the site writes it")
    p.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    p.add_argument("--excel", action="store_true", help="add the byte-order mark Excel needs for UTF-8")
    p.add_argument("--all-versions", action="store_true", help="every version (meetings, documents)")
    p.add_argument(
        "--as-of", type=iso_date, help="the archive as it stood at the end of that day (meetings, documents)"
    )
    p.add_argument("--from", dest="date_from", type=iso_date)
    p.add_argument("--to", dest="date_to", type=iso_date)
    p.add_argument("--output", "-o", help="file to write (default: standard output)")
    _add_db(p)

    p = sub.add_parser("export-warc", help="the stored captures of a council as a WARC file")
    p.add_argument("--council", required=True)
    p.add_argument("--from", dest="date_from", type=iso_date, help="captures fetched on or after")
    p.add_argument("--to", dest="date_to", type=iso_date, help="captures fetched on or before")
    p.add_argument("--output", "-o", required=True, help="FILE.warc.gz (or .warc)")
    _add_db(p)

    p = sub.add_parser("refs", help="what a minute cites and what cites it")
    p.add_argument("label", help="the minute as cited, e.g. 74/15 (or its number)")
    p.add_argument("--committee", required=True, help="committee name")
    p.add_argument("--council", help="council slug")
    p.add_argument("--json", action="store_true")
    _add_db(p)

    p = sub.add_parser("search", help="full-text search over minutes and document pages")
    p.add_argument("query", help="words and/or minute labels such as 74/15")
    p.add_argument("--council")
    p.add_argument("--committee")
    p.add_argument("--from", dest="date_from", type=iso_date)
    p.add_argument("--to", dest="date_to", type=iso_date)
    p.add_argument("--limit", type=positive_int, default=20)
    p.add_argument("--json", action="store_true")
    _add_db(p)

    p = sub.add_parser("history", help="every version of a document or page")
    p.add_argument("url")
    p.add_argument("--json", action="store_true")
    _add_db(p)

    p = sub.add_parser("diff", help="text diff between two versions of a document or page")
    p.add_argument("url")
    p.add_argument("--from", dest="from_sha", help="sha256 (or a unique prefix) of the older version")
    p.add_argument("--to", dest="to_sha", help="sha256 (or a unique prefix) of the newer version")
    _add_db(p)

    p = sub.add_parser("councils", help="the council registry (data/councils.toml)")
    csub = p.add_subparsers(dest="action", required=True, parser_class=Parser)
    c = csub.add_parser("list", help="the councils of the registry")
    c.add_argument("--platform", choices=["moderngov", "cmis"])
    c.add_argument("--enabled", action="store_true", help="only enabled councils")
    c = csub.add_parser("show", help="one council, and what the archive holds of it")
    c.add_argument("slug")
    _add_db(c)
    c = csub.add_parser("add", help="add a council")
    c.add_argument("slug")
    c.add_argument("--base-url", type=http_url, required=True)
    c.add_argument("--name")
    c.add_argument("--platform", choices=["moderngov", "cmis"], default="moderngov")
    for action in ("disable", "enable"):
        c = csub.add_parser(action, help=f"{action} a council for nightly runs")
        c.add_argument("slug")
    c = csub.add_parser("check", help="detect every (or some) council's site; report moved hosts")
    c.add_argument("--council", nargs="+", dest="councils", metavar="SLUG")
    c.add_argument("--update", action="store_true", help="write moved ModernGov bases into the registry")
    c.add_argument("--cache", default="data/http_cache", help="requests-cache SQLite file ('' for none)")
    for c in csub.choices.values():
        c.add_argument("--config", default="data/councils.toml", help="council registry (TOML)")

    p = sub.add_parser("detect", help="is a site ModernGov (and where is its base), CMIS, or neither?")
    p.add_argument("url", type=http_url)
    p.add_argument("--json", action="store_true")
    p.add_argument("--cache", default="data/http_cache", help="requests-cache SQLite file ('' for none)")

    p = sub.add_parser("nightly", help="crawl every enabled council of the registry (for cron)")
    p.add_argument("--config", default="data/councils.toml", help="council registry (TOML)")
    p.add_argument("--council", nargs="+", dest="councils", metavar="SLUG", help="only these councils")
    p.add_argument("--delay", type=non_negative_float)
    p.add_argument("--concurrency", type=positive_int)
    p.add_argument("--lock", default="data/nightly.lock", help="lock file (one run at a time)")
    p.add_argument("--full", action="store_true", help="revisit everything, not only what may have changed")
    p.add_argument("--report", help="JSON report (default data/reports/nightly-<UTC time>.json)")
    _add_db(p)

    p = sub.add_parser("parse", help="print the minutes and cross-references found in a file")
    p.add_argument("file", help="a PDF, a ModernGov meeting page (.html) or text (.txt, .md)")
    p.add_argument("--json", action="store_true", help="one JSON object on stdout")
    p.add_argument(
        "--year-convention",
        choices=["municipal", "calendar"],
        default="municipal",
        help="what the year in '74/15' means (default: municipal, May to April)",
    )

    p = sub.add_parser("demo", help="crawl a bundled sample ModernGov site served on 127.0.0.1")
    p.add_argument("--db", default=None, help="database URL (default: sqlite:///data/demo.sqlite)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (CliError, DatabaseError) as exc:
        print(f"council-archive: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("council-archive: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `council-archive export ... | head`
        sys.stderr.close()
        return 0


def cmd_crawl(args) -> int:
    from pipeline.ops.crawl import run_crawl
    from pipeline.read.summary import print_run

    db_url = resolve_db_url(args.db)
    engine = open_archive_engine(db_url)  # fail fast (exit 2) on an unusable database
    base_url = args.base_url
    if base_url is None and args.council:
        from pipeline.ops import registry

        try:
            entry = registry.get(registry.load(Path(args.config)), args.council)
            base_url, args.name = entry["base_url"], args.name or entry.get("name")
        except registry.RegistryError:
            base_url = None  # not in the registry: perhaps already in the archive
    if base_url is None:
        if not args.council:
            raise CliError("give --base-url URL, or --council SLUG of a council in the registry or archive")
        from sqlalchemy import select

        from pipeline.archive.models import Council

        with engine.connect() as conn:
            base_url = conn.scalar(select(Council.base_url).where(Council.slug == args.council))
        if base_url is None:
            raise CliError(f"unknown council {args.council!r}: give --base-url for a first crawl")
    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise CliError("--from is after --to")
    engine.dispose()
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
    )
    if outcome.run_id is None:
        print("council-archive: error: the crawl did not start (see the log above)", file=sys.stderr)
        return 1
    print_run(db_url, outcome.run_id)
    if outcome.failure_reason:
        print(f"council-archive: crawl failed: {outcome.failure_reason}", file=sys.stderr)
        return 1
    return 0


def cmd_db(args) -> int:
    from pipeline.archive.db import current_revision

    engine = open_archive_engine(args.db, migrate=args.action == "upgrade")
    print(f"{resolve_db_url(args.db)}: schema revision {current_revision(engine) or 'none'}")
    return 0


def cmd_export(args) -> int:
    from datetime import datetime, time

    from pipeline.read.exports import UnknownCouncil, write_export

    engine = open_archive_engine(args.db)
    options = {
        "council": args.council,
        "committee": args.committee,
        "date_from": args.date_from,
        "date_to": args.date_to,
        "fmt": args.format,
        "all_versions": args.all_versions,
        "as_of": datetime.combine(args.as_of, time(23, 59, 59)) if args.as_of else None,
        "excel": args.excel,
    }
    try:
        with _progress(f"exporting {args.table}") as progress:
            if args.output:
                Path(args.output).parent.mkdir(parents=True, exist_ok=True)
                tmp = Path(args.output + ".part")  # a crash never leaves half a file under the real name
                with open(tmp, "w", encoding="utf-8", newline="") as out:
                    n = write_export(out, args.table, engine, progress=progress, **options)
                tmp.replace(args.output)
                print(f"{n} {args.table} written to {args.output}", file=sys.stderr)
            else:
                write_export(sys.stdout, args.table, engine, progress=progress, **options)
    except (UnknownCouncil, ValueError) as exc:
        raise CliError(str(exc)) from None
    return 0


class _progress:
    """A live row count on a terminal (rich); nothing when stderr is a file or cron's mail."""

    def __init__(self, what: str):
        self.what = what
        self.bar = None

    def __enter__(self):
        if not sys.stderr.isatty():
            return None
        from rich.progress import Progress, SpinnerColumn, TextColumn

        self.bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}: {task.completed:,} rows"),
            console=None,
            transient=True,
        )
        self.bar.start()
        task = self.bar.add_task(self.what, total=None)
        return lambda n: self.bar.update(task, completed=n)

    def __exit__(self, *exc):
        if self.bar:
            self.bar.stop()


def cmd_refs(args) -> int:
    import json

    from pipeline.read.refs import UnknownMinute, minute_refs

    engine = open_archive_engine(args.db)
    try:
        found = minute_refs(engine, args.label, args.committee, args.council)
    except UnknownMinute as exc:
        raise CliError(str(exc)) from None
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=2, default=str))
        return 0
    for m in found:
        print(f"{m['council']} / {m['committee']} minute {m['label']} of {m['meeting_date']}: {m['title']}")
        for direction, rows in (("cites", m["cites"]), ("cited by", m["cited_by"])):
            print(f"  {direction}: {len(rows)}")
            for r in rows:
                where = f"{r['committee']} {r['minute_label'] or ''} ({r['meeting_date'] or '?'})".strip()
                print(f"    {r['kind']:<8} {where:<50} {r['cited_text']}")
    return 0


def cmd_demo(args) -> int:
    from pipeline.demo.tour import run_demo

    return run_demo(args.db or "sqlite:///data/demo.sqlite")


def cmd_parse(args) -> int:
    import json

    from pipeline.ops.parse_file import ParseFileError, parse_file

    try:
        result = parse_file(args.file, args.year_convention)
    except ParseFileError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    print(f"{len(result.minutes)} minutes")
    for m in result.minutes:
        when = m.meeting_date.isoformat() if m.meeting_date else "date unknown"
        page = f"p.{m.page}" if m.page else ""
        print(f"  {m.label:<14} {when:<12} {page:<5} {m.title}")
    print(f"{len(result.references)} references")
    for r in result.references:
        target = r.cited_label or (r.cited_date.isoformat() if r.cited_date else "")
        print(f"  from {r.from_minute or '-':<6} {r.kind:<8} {target:<14} {r.cited_text}")
    return 0


def cmd_history(args) -> int:
    import json
    from dataclasses import asdict

    from pipeline.read.history import UnknownURL, history

    try:
        h = history(open_archive_engine(args.db), args.url)
    except UnknownURL as exc:
        raise CliError(str(exc)) from None
    if args.json:
        print(json.dumps(asdict(h), default=str, indent=2))
        return 0
    state = f"removed {h.removed_at:%Y-%m-%d}" if h.removed_at else "linked"
    print(f"{h.url}\n{h.kind}, {len(h.versions)} version(s), {state}")
    for v in h.versions:
        same = " (same text as previous)" if v.same_text_as_previous else ""
        pages = f"{v.pages} pages" if v.pages is not None else ""
        print(
            f"  {v.n:>3}  {v.sha256[:16]}  {v.size:>10,} B  {v.first_seen:%Y-%m-%d %H:%M} .. "
            f"{v.last_seen:%Y-%m-%d %H:%M}  {pages:<9} {v.text_status}{same}"
        )
    for event, at in h.events:
        print(f"  {event} {at:%Y-%m-%d %H:%M}")
    return 0


def cmd_diff(args) -> int:
    from pipeline.archive.blobs import BlobStore
    from pipeline.archive.db import blob_root
    from pipeline.read.history import UnknownURL, diff

    db_url = resolve_db_url(args.db)
    try:
        print(
            diff(
                open_archive_engine(db_url),
                BlobStore(blob_root(db_url)),
                args.url,
                args.from_sha,
                args.to_sha,
            )
        )
    except UnknownURL as exc:
        raise CliError(str(exc)) from None
    return 0


def cmd_nightly(args) -> int:
    from datetime import UTC, datetime

    from pipeline.ops.nightly import RegistryError, load_registry, run_nightly

    try:
        registry = load_registry(Path(args.config), args.councils)
    except RegistryError as exc:
        raise CliError(str(exc)) from None
    db_url = resolve_db_url(args.db)
    engine = open_archive_engine(db_url)
    crawl_args = [] if args.full else ["--incremental"]
    if args.delay is not None:
        crawl_args += ["--delay", str(args.delay)]
    if args.concurrency is not None:
        crawl_args += ["--concurrency", str(args.concurrency)]
    report = Path(args.report or f"data/reports/nightly-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json")
    Path(args.lock).parent.mkdir(parents=True, exist_ok=True)
    return run_nightly(engine, db_url, registry, Path(args.lock), report, crawl_args)


def cmd_councils(args) -> int:
    from pipeline.ops import registry

    path = Path(args.config)
    try:
        doc = registry.load(path)
        if args.action == "list":
            for slug, e in registry.councils(doc).items():
                if (args.platform and e.get("platform") != args.platform) or (
                    args.enabled and not e.get("enabled", True)
                ):
                    continue
                state = "" if e.get("enabled", True) else "  (disabled)"
                print(
                    f"{slug:<32} {e.get('platform', ''):<10} {e.get('base_url', ''):<52} {e.get('name', '')}{state}"
                )
        elif args.action == "show":
            entry = registry.get(doc, args.slug)
            for key, value in entry.items():
                print(f"{key:<10} {value}")
            _print_archive_of(args.slug, args.db)
        elif args.action == "check":
            return _check_councils(doc, path, args)
        elif args.action == "add":
            registry.add(doc, args.slug, args.base_url, args.name, args.platform)
            registry.save(doc, path)
            print(f"added {args.slug} ({args.base_url}) to {path}")
        else:
            registry.set_enabled(doc, args.slug, args.action == "enable")
            registry.save(doc, path)
            print(f"{args.slug}: {args.action}d in {path}")
    except registry.RegistryError as exc:
        raise CliError(str(exc)) from None
    return 0


def _detector(cache: str):
    from pipeline.ops.detect import Detector

    if cache:
        Path(cache).parent.mkdir(parents=True, exist_ok=True)
    return Detector(Path(cache) if cache else None)


def cmd_detect(args) -> int:
    import json
    from dataclasses import asdict

    found = _detector(args.cache).detect(args.url)
    if args.json:
        print(json.dumps(asdict(found), indent=2))
    else:
        where = f" at {found.base_url}" if found.base_url else ""
        moved = f" (moved: {found.final_url})" if found.moved else ""
        print(f"{found.status}{where}{moved}: {found.reason}")
    return 0


def _check_councils(doc, path: Path, args) -> int:
    """Detect each council's site; with --update, follow ModernGov sites that moved. Exit 1 if any is not ok."""
    from pipeline.ops import registry

    detector = _detector(args.cache)
    entries = registry.councils(doc)
    slugs = args.councils or [s for s, e in entries.items() if e.get("enabled", True)]
    problems = changed = 0
    for slug in slugs:
        entry = registry.get(doc, slug)
        found = detector.detect(entry["base_url"])
        expected = entry.get("platform", "moderngov")
        note = ""
        if found.status == "moderngov" and found.base_url and found.base_url != entry["base_url"]:
            note = f"moved to {found.base_url}"
            if args.update:
                entry["base_url"] = found.base_url
                changed += 1
                note += " (registry updated)"
        ok = found.status == expected
        problems += not ok
        print(f"{slug:<32} {'ok' if ok else found.status:<12} {note or found.reason}")
    if changed:
        registry.save(doc, path)
    return 1 if problems else 0


def _print_archive_of(slug: str, db: str | None) -> None:
    from sqlalchemy import select

    from pipeline.archive.models import Council
    from pipeline.read.summary import archive_counts

    engine = open_archive_engine(db)
    with engine.connect() as conn:
        council_id = conn.scalar(select(Council.id).where(Council.slug == slug))
    if council_id is None:
        print("archive    nothing yet (never crawled)")
        return
    for name, n in archive_counts(engine, council_id).items():
        print(f"archive    {name}: {n}")


def cmd_export_warc(args) -> int:
    from pipeline.archive.blobs import BlobStore
    from pipeline.archive.db import blob_root
    from pipeline.read.warc import UnknownCouncil, export_warc

    db_url = resolve_db_url(args.db)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        n = export_warc(
            open_archive_engine(db_url),
            BlobStore(blob_root(db_url)),
            out,
            args.council,
            args.date_from,
            args.date_to,
        )
    except UnknownCouncil as exc:
        raise CliError(str(exc)) from None
    print(f"{n} captures written to {out}", file=sys.stderr)
    return 0


def cmd_search(args) -> int:
    import json
    from dataclasses import asdict

    from pipeline.read.search import UnknownFilter, search

    engine = open_archive_engine(args.db)
    try:
        hits = search(
            engine, args.query, args.council, args.committee, args.date_from, args.date_to, args.limit
        )
    except UnknownFilter as exc:
        raise CliError(str(exc)) from None
    if args.json:
        print(json.dumps([asdict(h) for h in hits], ensure_ascii=False, indent=2, default=str))
        return 0
    for h in hits:
        where = f"{h.council} / {h.committee or '?'} / {h.meeting_date or '?'}"
        page = f" p.{h.page}" if h.page else ""
        print(f"{h.kind:<6} {where}  {h.title}{page}\n       {h.snippet}\n       {h.source_url}")
    print(f"{len(hits)} results", file=sys.stderr)
    return 0


COMMANDS = {
    "crawl": cmd_crawl,
    "db": cmd_db,
    "export": cmd_export,
    "demo": cmd_demo,
    "parse": cmd_parse,
    "refs": cmd_refs,
    "search": cmd_search,
    "nightly": cmd_nightly,
    "councils": cmd_councils,
    "export-warc": cmd_export_warc,
    "detect": cmd_detect,
    "history": cmd_history,
    "diff": cmd_diff,
}

if __name__ == "__main__":
    sys.exit(main())
