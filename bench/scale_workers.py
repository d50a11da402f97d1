"""Wall time of `council-archive nightly --redis URL --workers N` for 1, 2 and 4 workers, as ratios to 1.

    python bench/scale_workers.py [--councils 8] [--meetings 4] [--delay 0.5] [--workers 1,2,4]

The same fixture councils for every count: small generated ModernGov sites, each served on its own
loopback address (127.0.0.2, .3, ...), crawled with the same fixed politeness delay; each count is a
first nightly into a fresh PostgreSQL database (``COUNCIL_ARCHIVE_BENCH_PG``, default the local
``test`` server), with the council jobs on the local Redis (``COUNCIL_ARCHIVE_BENCH_REDIS``) under a
key prefix of its own. `bench/scale.py` calls ``measure_workers()`` after its own figures.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from pipeline.demo.sample_site import build_site  # noqa: E402
from pipeline.demo.site_server import SiteServer  # noqa: E402

PG = os.environ.get("COUNCIL_ARCHIVE_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("COUNCIL_ARCHIVE_BENCH_REDIS", "redis://127.0.0.1:6379/0")


SIZES = """
    SELECT (SELECT COUNT(*) FROM meetings) AS meetings,
           (SELECT COUNT(*) FROM fetches) AS requests,
           (SELECT COUNT(*) FROM document_versions) AS documents,
           (SELECT COALESCE(SUM(size), 0) FROM blobs) AS bytes,
           (SELECT COALESCE(SUM(pages), 0) FROM text_extractions) AS pdf_pages
"""


def fixture_sizes(db: str) -> dict:
    """What one archived meeting costs on the fixture: requests, documents, bytes, PDF pages."""
    engine = create_engine(db)
    with engine.connect() as conn:
        row = conn.execute(text(SIZES)).mappings().one()
    engine.dispose()
    return dict(row)


def _nightly_seconds(workers: int, servers: list, delay: float, sizes: dict | None = None) -> float:
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    name = f"ca_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = make_url(PG).set(database=name).render_as_string(hide_password=False)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            config = Path(tmp) / "councils.toml"
            config.write_text(
                "".join(f'[councils.c{i}]\nbase_url = "{s.base_url}"\n\n' for i, s in enumerate(servers))
            )
            cmd = [sys.executable, "-m", "pipeline.cli", "nightly", "--config", str(config), "--db", db]
            cmd += ["--delay", str(delay), "--redis", REDIS, "--prefix", f"ca-bench-{uuid.uuid4().hex[:8]}"]
            cmd += ["--workers", str(workers), "--lock", f"{tmp}/nightly.lock", "--report", f"{tmp}/r.json"]
            env = {**os.environ, "COUNCIL_ARCHIVE_BLOBS": f"{tmp}/blobs"}
            t0 = time.perf_counter()
            done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
            seconds = time.perf_counter() - t0
            if done.returncode != 0:
                sys.exit(f"nightly --workers {workers} exited {done.returncode}: {done.stderr[-2000:]}")
            if sizes is not None:
                sizes.update(fixture_sizes(db))
            return seconds
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def measure_workers(
    workers: tuple[int, ...] = (1, 2, 4), councils: int = 8, meetings: int = 4, delay: float = 0.5
) -> None:
    """Print the wall time of each worker count over the same councils, as ratios to the first."""
    servers = [
        SiteServer(
            build_site(
                committees=1,
                years=(date.today().year,),
                meetings_per_year=meetings,
                cancelled_every=0,
                seed=i,
            ),
            host=f"127.0.0.{i + 2}",
        ).__enter__()
        for i in range(councils)
    ]
    try:
        print(
            f"nightly --redis, first crawl into PostgreSQL, {councils} councils on their own hosts, "
            f"{meetings} meetings each, delay {delay} s"
        )
        base, sizes = None, {}
        for n in workers:
            for s in servers:
                s.hits.clear()
            seconds = _nightly_seconds(n, servers, delay, sizes if base is None else None)
            base = base or seconds
            requests = sum(sum(s.hits.values()) for s in servers)
            fetched_twice = sum(c > 1 for s in servers for c in s.hits.values())
            print(
                f"{n:>2} workers: {seconds:6.1f} s  ratio {seconds / base:.2f}x of {workers[0]}  "
                f"speed-up {base / seconds:.2f}x  ({requests} requests, {fetched_twice} URLs fetched twice)"
            )
        m = sizes["meetings"]
        print(
            f"fixture, per meeting: {sizes['requests'] / m:.2f} requests, {sizes['documents'] / m:.2f} documents, "
            f"{sizes['bytes'] / m / 1024:.1f} KiB stored, {sizes['pdf_pages'] / m:.2f} PDF pages "
            f"({m} meetings)"
        )
    finally:
        for s in servers:
            s.__exit__(None, None, None)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--councils", type=int, default=8)
    ap.add_argument("--meetings", type=int, default=4, help="meetings per fixture site")
    ap.add_argument("--delay", type=float, default=0.5, help="the fixed politeness delay, seconds")
    ap.add_argument("--workers", default="1,2,4", help="worker counts to time")
    args = ap.parse_args()
    counts = tuple(int(n) for n in args.workers.split(","))
    measure_workers(counts, args.councils, args.meetings, args.delay)


if __name__ == "__main__":
    main()
