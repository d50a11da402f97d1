"""`council-archive demo`: serve a bundled sample ModernGov site on 127.0.0.1, crawl it, show around.

The tour: what was archived, how many references were resolved, a search, what a minute cites and
what cites it, and a CSV export. Everything offline, into data/demo.sqlite by default.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import func, select

from pipeline.archive.db import open_archive_engine
from pipeline.archive.models import Committee, Minute, ReferenceLink
from pipeline.demo.sample_site import build_site
from pipeline.demo.site_server import SiteServer
from pipeline.ops.crawl import run_crawl
from pipeline.read.exports import write_export
from pipeline.read.refs import minute_refs
from pipeline.read.search import search
from pipeline.read.summary import print_run


def run_demo(db_url: str) -> int:
    open_archive_engine(db_url).dispose()
    site = build_site(committees=3, years=(2024, 2025), meetings_per_year=3, prefix="/democracy/")
    with SiteServer(site) as server:
        print(f"Serving a sample ModernGov site at {server.base_url} (127.0.0.1 only)")
        outcome = run_crawl(
            db_url,
            server.base_url,
            council="sample",
            name="Sample Borough Council",
            delay=0,
            concurrency=4,
            log_level="WARNING",
        )
    if outcome.run_id is None or outcome.failure_reason:
        print(f"demo crawl failed: {outcome.failure_reason}", file=sys.stderr)
        return 1
    print_run(db_url, outcome.run_id)
    engine = open_archive_engine(db_url)
    with engine.connect() as conn:
        links = conn.execute(
            select(func.count(), func.count(ReferenceLink.resolved_at)).where(
                ReferenceLink.duplicate_of.is_(None)
            )
        ).one()
        cited = conn.execute(
            select(Minute.label, Committee.name)
            .join(ReferenceLink, ReferenceLink.target_minute_id == Minute.id)
            .join(Committee, Committee.id == Minute.committee_id)
            .limit(1)
        ).first()
    print(f"  {'minutes':<20} {_count(engine, Minute)}")
    print(f"  {'references resolved':<20} {links[1]} of {links[0]}")

    print('\n$ council-archive search "budget" --limit 3')
    for hit in search(engine, "budget", limit=3):
        print(
            f"  {hit.kind:<6} {hit.committee} {hit.meeting_date}  {hit.title}\n         {hit.snippet[:100]}"
        )

    if cited:
        print(f'\n$ council-archive refs {cited.label} --committee "{cited.name}"')
        for m in minute_refs(engine, cited.label, cited.name):
            print(f"  minute {m['label']} of {m['meeting_date']}: {m['title']}")
            for r in m["cited_by"]:
                print(f"    cited by minute {r['minute_label']} of {r['meeting_date']}: {r['cited_text']}")

    out = Path("data/demo-references.csv")
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        n = write_export(fh, "references", engine, council="sample")
    db_flag = f" --db {db_url}"
    print(
        f"\n{n} references exported to {out} (council-archive export references --council sample -o FILE)\n"
        f"Next: council-archive export minutes --council sample{db_flag}\n"
        f"      council-archive councils list   (the 368 UK councils in data/councils.toml)\n"
        f"      datasette {db_url.removeprefix('sqlite:///')} -m docs/datasette-metadata.yml"
    )
    engine.dispose()
    return 0


def _count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(model)) or 0
