"""`db`, `reprocess`, `parse`: the schema, derived data brought up to date, one file parsed."""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from pathlib import Path

from pipeline.archive.db import blob_root, open_archive_engine, resolve_db_url
from pipeline.cli.common import CliError, add_config, add_db, add_extraction, iso_date


def register(sub) -> None:
    p = sub.add_parser("db", help="database maintenance")
    p.add_argument("action", choices=["upgrade", "current"])
    add_db(p)
    p.set_defaults(handler=cmd_db)

    p = sub.add_parser(
        "reprocess",
        help="parse stored text and pages again with the current parser, then re-derive (offline)",
    )
    p.add_argument("--council", help="only this council (slug)")
    add_config(p)
    add_extraction(p)  # here: extract the stored PDFs this engine (or OCR) has not read yet
    add_db(p)
    p.set_defaults(handler=cmd_reprocess)

    p = sub.add_parser("parse", help="print the minutes and cross-references found in a file")
    p.add_argument("file", help="a PDF, a ModernGov meeting page (.html) or text (.txt, .md)")
    p.add_argument("--json", action="store_true", help="one JSON object on stdout")
    p.add_argument(
        "--year-convention",
        choices=["municipal", "calendar"],
        default="municipal",
        help="what the year in '74/15' means (default: municipal, May to April)",
    )
    p.add_argument(
        "--meeting-date",
        type=iso_date,
        help="YYYY-MM-DD: the meeting a meeting page's text is for, when the text does not print it",
    )
    p.set_defaults(handler=cmd_parse)


def cmd_db(args) -> int:
    from pipeline.archive.db import current_revision, head_revision, make_read_engine

    db_url = resolve_db_url(args.db)
    engine = open_archive_engine(db_url) if args.action == "upgrade" else make_read_engine(db_url)
    found = current_revision(engine)
    behind = "" if found == head_revision() else f" (this version needs {head_revision()}: run db upgrade)"
    print(f"{db_url}: schema revision {found or 'none'}{behind}")
    return 0


def cmd_reprocess(args) -> int:
    from pipeline.archive.blobs import BlobStore
    from pipeline.archive.writer.reprocess import UnknownCouncil, reprocess
    from pipeline.extract import ExtractionPool
    from pipeline.extract.engines import OCR
    from pipeline.ops import registry

    db_url = resolve_db_url(args.db)
    engine = open_archive_engine(db_url)
    profiles = registry.profiles(Path(args.config))
    with ExitStack() as stack:
        pools = [stack.enter_context(ExtractionPool(extractor=args.extractor))] if args.extractor else []
        pools += [stack.enter_context(ExtractionPool(extractor=OCR))] if args.ocr else []
        try:
            stats = reprocess(
                engine,
                BlobStore(blob_root(db_url)),
                args.council,
                profiles=profiles,
                log=lambda line: print(line, file=sys.stderr),
                pools=tuple(pools),
            )
        except UnknownCouncil as exc:
            raise CliError(str(exc)) from None
    for name, added in stats.extracted.items():
        print(f"{added} texts extracted with {name} from the stored bytes")
    for slug, d in stats.derived.items():
        print(
            f"{slug}: {d.minutes_linked} minute sources linked, {d.minutes_removed} minutes no longer found, "
            f"references resolved {d.references_resolved}, still open {d.references_unresolved}"
        )
    print(f"{stats.texts} texts and {stats.pages} meeting pages parsed again, no request sent")
    # the search mirror is derived data too: rebuilt whole after the whole archive, else brought up to date
    from pipeline.archive.writer import Archive

    if problem := Archive(engine, BlobStore(blob_root(db_url))).sync_search(rebuild=not args.council):
        stats.failed.append(problem)
    for problem in stats.failed:
        print(f"council-archive: {problem}", file=sys.stderr)
    return 1 if stats.failed else 0


def cmd_parse(args) -> int:
    from pipeline.ops.parse_file import ParseFileError, parse_file
    from pipeline.parse.profile import Profile

    profile = Profile(year_convention=args.year_convention)
    try:
        result = parse_file(args.file, profile, meeting_date=args.meeting_date)
    except ParseFileError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        json.dump(result.to_json(profile), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    print(f"{len(result.minutes)} minutes")
    for m in result.minutes:
        when = m.meeting_date.isoformat() if m.meeting_date else "date unknown"
        page = f"p.{m.page}" if m.page else ""
        year = profile.numbering_year(m.meeting_date)
        print(f"  {m.label:<14} {when:<12} {page:<5} {'' if year is None else year:<5} {m.title}")
    print(f"{len(result.references)} references")
    for r in result.references:
        target = r.cited_label or (r.cited_date.isoformat() if r.cited_date else "")
        year = result.target_year(r, profile)
        print(
            f"  from {r.from_minute or '-':<6} {r.kind:<8} {target:<14} {'' if year is None else year:<5} {r.cited_text}"
        )
    return 0
