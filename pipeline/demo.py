"""`council-archive demo`: serve a bundled sample ModernGov site on 127.0.0.1 and crawl it."""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline.crawl import run_crawl
from pipeline.db import open_archive_engine
from pipeline.exports import write_csv
from pipeline.sample_site import build_site
from pipeline.site_server import SiteServer
from pipeline.summary import print_run


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
    out = Path("data/demo-meetings.csv")
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        n = write_csv(fh, "meetings", engine, council="sample")
    print(
        f"\n{n} meetings exported to {out}; try:\n"
        f"  council-archive export documents --council sample --db {db_url}\n"
        f"  sqlite3 {db_url.removeprefix('sqlite:///')} 'select date, status, title from meetings'"
    )
    return 0
