"""`export`, `export-warc`, `refs`, `search`, `history`, `diff`: read-only, never migrate.

They open the archive read-only (``open_read_engine``): a mistyped ``--db`` says the file does not
exist instead of making an empty archive, and an archive on an older schema asks for
`council-archive db upgrade` in one line.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

from pipeline.archive.db import blob_root, open_read_engine, resolve_db_url
from pipeline.cli.common import CliError, add_db, iso_date, positive_int
from pipeline.progress import Progress


def register(sub) -> None:
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
    add_db(p)
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("export-warc", help="the stored captures of a council as a WARC file")
    p.add_argument("--council", required=True)
    p.add_argument("--from", dest="date_from", type=iso_date, help="captures fetched on or after")
    p.add_argument("--to", dest="date_to", type=iso_date, help="captures fetched on or before")
    p.add_argument("--output", "-o", required=True, help="FILE.warc.gz (or .warc)")
    add_db(p)
    p.set_defaults(handler=cmd_export_warc)

    p = sub.add_parser("refs", help="what a minute cites and what cites it")
    p.add_argument("label", help="the minute as cited, e.g. 74/15 (or its number)")
    p.add_argument("--committee", required=True, help="committee name")
    p.add_argument("--council", help="council slug")
    p.add_argument("--why", action="store_true", help="say how each reference was resolved, or why not")
    p.add_argument("--json", action="store_true")
    add_db(p)
    p.set_defaults(handler=cmd_refs)

    p = sub.add_parser("search", help="full-text search over minutes and document pages")
    p.add_argument("query", help="words and/or minute labels such as 74/15")
    p.add_argument("--council")
    p.add_argument("--committee")
    p.add_argument("--from", dest="date_from", type=iso_date)
    p.add_argument("--to", dest="date_to", type=iso_date)
    p.add_argument("--limit", type=positive_int, default=20)
    p.add_argument("--json", action="store_true")
    add_db(p)
    p.set_defaults(handler=cmd_search)

    p = sub.add_parser("history", help="every version of a document or page")
    p.add_argument("url")
    p.add_argument("--json", action="store_true")
    add_db(p)
    p.set_defaults(handler=cmd_history)

    p = sub.add_parser("diff", help="text diff between two versions of a document or page")
    p.add_argument("url")
    p.add_argument("--from", dest="from_sha", help="sha256 (or a unique prefix) of the older version")
    p.add_argument("--to", dest="to_sha", help="sha256 (or a unique prefix) of the newer version")
    add_db(p)
    p.set_defaults(handler=cmd_diff)


def cmd_export(args) -> int:
    from datetime import datetime, time

    from pipeline.read.councils import UnknownCouncil
    from pipeline.read.exports import write_export
    from pipeline.read.output_file import output_file

    engine = open_read_engine(args.db)
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
    progress = Progress(f"exporting {args.table}")
    try:
        if args.output:
            with output_file(args.output, "w", encoding="utf-8", newline="") as out:
                n = write_export(out, args.table, engine, progress=progress.rows, **options)
            progress.close()
            print(f"{n} {args.table} written to {args.output}", file=sys.stderr)
        else:
            write_export(sys.stdout, args.table, engine, progress=progress.rows, **options)
            progress.close()
    except (UnknownCouncil, ValueError) as exc:
        progress.close()
        raise CliError(str(exc)) from None
    return 0


def cmd_export_warc(args) -> int:
    from pipeline.archive.blobs import BlobStore
    from pipeline.read.councils import UnknownCouncil
    from pipeline.read.warc import export_warc

    db_url = resolve_db_url(args.db)
    engine = open_read_engine(db_url)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        n = export_warc(engine, BlobStore(blob_root(db_url)), out, args.council, args.date_from, args.date_to)
    except UnknownCouncil as exc:
        raise CliError(str(exc)) from None
    print(f"{n} captures written to {out}", file=sys.stderr)
    return 0


def cmd_refs(args) -> int:
    from pipeline.read.refs import UnknownMinute, minute_refs

    engine = open_read_engine(args.db)
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
                if args.why:
                    print(
                        f"             {'resolved: ' + (r['method'] or '') if r['resolved'] else 'not resolved: ' + (r['reason'] or 'not tried yet')}"
                    )
    return 0


def cmd_search(args) -> int:
    from pipeline.read.search import SearchError, search

    engine = open_read_engine(args.db)
    try:
        hits = search(
            engine, args.query, args.council, args.committee, args.date_from, args.date_to, args.limit
        )
    except SearchError as exc:
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


def cmd_history(args) -> int:
    from pipeline.read.history import UnknownURL, history

    try:
        h = history(open_read_engine(args.db), args.url)
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
    from pipeline.read.history import UnknownURL, diff

    db_url = resolve_db_url(args.db)
    try:
        print(
            diff(open_read_engine(db_url), BlobStore(blob_root(db_url)), args.url, args.from_sha, args.to_sha)
        )
    except UnknownURL as exc:
        raise CliError(str(exc)) from None
    return 0
