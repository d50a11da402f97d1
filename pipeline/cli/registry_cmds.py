"""`councils` (the registry, data/councils.toml) and `detect` (what platform a site runs)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from pipeline.cli.common import CliError, add_config, add_db, http_url


def register(sub) -> None:
    p = sub.add_parser("councils", help="the council registry (data/councils.toml)")
    csub = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    c = csub.add_parser("list", help="the councils of the registry")
    c.add_argument("--platform", choices=["moderngov", "cmis"])
    c.add_argument("--enabled", action="store_true", help="only enabled councils")
    c = csub.add_parser("show", help="one council, and what the archive holds of it")
    c.add_argument("slug")
    add_db(c)
    c = csub.add_parser("add", help="add a council")
    c.add_argument("slug")
    c.add_argument("--base-url", type=http_url, required=True)
    c.add_argument("--name")
    c.add_argument("--platform", choices=["moderngov", "cmis"], default="moderngov")
    c = csub.add_parser(
        "set", help="set a council's fields: year_convention=calendar, name=..., base_url=..."
    )
    c.add_argument("slug")
    c.add_argument("fields", nargs="+", metavar="KEY=VALUE")
    for action in ("disable", "enable"):
        c = csub.add_parser(action, help=f"{action} a council for nightly runs")
        c.add_argument("slug")
    c = csub.add_parser("check", help="detect every (or some) council's site; report moved hosts")
    c.add_argument("--council", nargs="+", dest="councils", metavar="SLUG")
    c.add_argument("--update", action="store_true", help="write moved ModernGov bases into the registry")
    c.add_argument("--cache", default="data/http_cache", help="requests-cache SQLite file ('' for none)")
    for c in csub.choices.values():
        add_config(c)
    p.set_defaults(handler=cmd_councils)

    p = sub.add_parser("detect", help="is a site ModernGov (and where is its base), CMIS, or neither?")
    p.add_argument("url", type=http_url)
    p.add_argument("--json", action="store_true")
    p.add_argument("--cache", default="data/http_cache", help="requests-cache SQLite file ('' for none)")
    p.set_defaults(handler=cmd_detect)


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
                print(f"{key:<16} {value}")
            if "year_convention" not in entry:
                print(f"{'year_convention':<16} municipal (default)")
            _print_archive_of(args.slug, args.db)
        elif args.action == "check":
            return _check_councils(doc, path, args)
        elif args.action == "add":
            registry.add(doc, args.slug, args.base_url, args.name, args.platform)
            registry.save(doc, path)
            print(f"added {args.slug} ({args.base_url}) to {path}")
        elif args.action == "set":
            changes = registry.set_fields(doc, args.slug, args.fields)
            registry.save(doc, path)
            for key, value in changes.items():
                print(f"{args.slug}: {key} = {value} in {path}")
            if any(k in registry.PROFILE_KEYS for k in changes):
                print(f"to apply it to what is archived: council-archive reprocess --council {args.slug}")
        else:
            registry.set_enabled(doc, args.slug, args.action == "enable")
            registry.save(doc, path)
            print(f"{args.slug}: {args.action}d in {path}")
    except registry.RegistryError as exc:
        raise CliError(str(exc)) from None
    return 0


def _print_archive_of(slug: str, db: str | None) -> None:
    from pipeline.archive.db import DatabaseError, open_read_engine
    from pipeline.read.councils import UnknownCouncil, council_id
    from pipeline.read.summary import archive_counts

    try:
        engine = open_read_engine(db)
    except DatabaseError as exc:
        print(f"archive          {exc}")
        return
    try:
        with engine.connect() as conn:
            cid = council_id(conn, slug)
    except UnknownCouncil:
        print("archive          nothing yet (never crawled)")
        return
    for name, n in archive_counts(engine, cid).items():
        print(f"archive          {name}: {n}")


def _detector(cache: str):
    from pipeline.ops.detect import Detector

    try:
        if cache:
            Path(cache).parent.mkdir(parents=True, exist_ok=True)
        return Detector(Path(cache) if cache else None)
    except Exception as exc:  # noqa: BLE001 (a cache we cannot open is one line, exit 2)
        raise CliError(f"cannot open the HTTP cache {cache!r}: {exc}") from None


def cmd_detect(args) -> int:
    """Print one line (or --json); exit 1 if the site is unreachable or blocked, 0 if it answered."""
    from pipeline.ops.detect import Detection, one_line

    detector = _detector(args.cache)
    try:
        found = detector.detect(args.url)
    except Exception as exc:  # noqa: BLE001 (whatever a site does, one line, never a traceback)
        found = Detection(args.url, "error", reason=f"detection failed: {one_line(exc)}")
    if args.json:
        print(json.dumps(asdict(found), indent=2))
    else:
        where = f" at {found.base_url}" if found.base_url else ""
        moved = f" (moved: {found.final_url})" if found.moved else ""
        print(f"{found.status}{where}{moved}: {found.reason}")
    return 1 if found.status in ("unreachable", "blocked", "error") else 0


def _check_councils(doc, path: Path, args) -> int:
    """Detect each council's site; with --update, follow ModernGov sites that moved. Exit 1 if any is not ok.

    A council whose detection fails in any way is reported on its line ("error") and the check goes on."""
    from pipeline.ops import registry
    from pipeline.ops.detect import one_line

    entries = registry.councils(doc)
    slugs = args.councils or [s for s, e in entries.items() if e.get("enabled", True)]
    chosen = [(slug, registry.get(doc, slug)) for slug in slugs]  # an unknown slug stops us before any check
    detector = _detector(args.cache)
    problems = changed = 0
    for slug, entry in chosen:
        try:
            found = detector.detect(entry["base_url"])
        except Exception as exc:  # noqa: BLE001 (one council's failure is its line, not the run's end)
            problems += 1
            print(f"{slug:<32} {'error':<12} detection failed: {one_line(exc)}", flush=True)
            continue
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
        print(f"{slug:<32} {'ok' if ok else found.status:<12} {note or found.reason}", flush=True)
    if changed:
        registry.save(doc, path)
    return 1 if problems else 0
