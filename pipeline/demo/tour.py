"""`council-archive demo`: serve a bundled ModernGov site of real council minutes on 127.0.0.1,
crawl it, show around.

The site (``real_site``) holds minutes Coventry, Kingston upon Thames and Merton published. The tour:
what was archived, how many references were resolved, a search, what the most cited minute is cited
by (and where it was published), and a CSV export. Offline, into data/demo.sqlite by default.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import func, select

from pipeline.archive.db import open_archive_engine
from pipeline.archive.models import Committee, Meeting, Minute, ReferenceLink
from pipeline.demo.real_site import COUNCIL_NAME, build_real_site, published_at
from pipeline.demo.site_server import SiteServer
from pipeline.ops.crawl import run_crawl
from pipeline.read.exports import write_export
from pipeline.read.refs import minute_refs
from pipeline.read.search import search
from pipeline.read.summary import print_run

DEMO_COUNCIL = "demo"
QUERY = "safeguarding"


def run_demo(db_url: str) -> int:
    open_archive_engine(db_url).dispose()
    site = build_real_site(prefix="/democracy/")
    with SiteServer(site) as server:
        print(
            f"Serving a ModernGov site of real published minutes (Coventry, Kingston upon Thames, Merton)\n"
            f"at {server.base_url} (127.0.0.1 only)"
        )
        outcome = run_crawl(
            db_url,
            server.base_url,
            council=DEMO_COUNCIL,
            name=COUNCIL_NAME,
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
        cited = conn.execute(  # the most cited minute: a real minute cited by later real minutes
            select(Minute.label, Committee.name, Meeting.date)
            .join(ReferenceLink, ReferenceLink.target_minute_id == Minute.id)
            .join(Committee, Committee.id == Minute.committee_id)
            .join(Meeting, Meeting.id == Minute.meeting_id)
            .group_by(Minute.id, Minute.label, Committee.name, Meeting.date)
            .order_by(func.count().desc(), Minute.label)
            .limit(1)
        ).first()

    print(f'\n$ council-archive search "{QUERY}" --limit 3')
    for hit in search(engine, QUERY, limit=3):
        print(f"  {hit.kind:<6} {hit.committee} {hit.meeting_date}  {hit.title}")
        print(f"         {' '.join(hit.snippet.split())[:110]}")

    if cited:
        print(f'\n$ council-archive refs {cited.label} --committee "{cited.name}"')
        for m in minute_refs(engine, cited.label, cited.name):
            print(f"  minute {m['label']} of {m['meeting_date']}: {m['title']}")
            for r in m["cited_by"]:
                print(f"    cited by minute {r['minute_label']} of {r['meeting_date']}: {r['cited_text']}")
                if quote := _quote(engine, r["committee"], r["minute_label"], r["cited_text"]):
                    print(f'      "{quote}"')
        print(f"  text as published: {published_at(cited.name, cited.date)}")

    out = Path("data/demo-references.csv")
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        n = write_export(fh, "references", engine, council=DEMO_COUNCIL)
    db_flag = f" --db {db_url}"
    print(
        f"\n{n} references exported to {out} (council-archive export references --council {DEMO_COUNCIL} -o FILE)\n"
        f"Next: council-archive export minutes --council {DEMO_COUNCIL}{db_flag}\n"
        f"      council-archive councils list   (the 368 UK councils in data/councils.toml)"
    )
    if db_url.startswith("sqlite:///"):  # Datasette reads SQLite files (pip install -e '.[datasette]')
        print(
            f"      datasette {db_url.removeprefix('sqlite:///')} -m docs/datasette-metadata.yml"
            "   (search box: the search_index table; references_view links its minutes)"
        )
    engine.dispose()
    return 0


def _quote(engine, committee: str, label: str, cited: str) -> str | None:
    """The citing minute's own words around the citation (its line, shortened)."""
    with engine.connect() as conn:
        body = conn.scalar(
            select(Minute.text)
            .join(Committee, Committee.id == Minute.committee_id)
            .where(Committee.name == committee, Minute.label == label)
            .limit(1)
        )
    want = " ".join(cited.split()).lower()
    for line in (body or "").splitlines():
        line = " ".join(line.split())
        if want in line.lower():
            return line if len(line) <= 110 else line[:108].rsplit(" ", 1)[0] + " …"
    return None
