"""Wall time of one `council-archive nightly` crawling 1, 4 and 16 councils at once, as ratios to 1.

    python bench/scale.py [--delay 0.5] [--meetings 4] [--counts 1,4,16]

Each council is a small generated ModernGov site served on its own loopback address (127.0.0.2,
.3, ...), so each is its own host with Scrapy's per-host politeness (one request at a time, the
same fixed delay, AutoThrottle, robots.txt). Every count runs a first nightly into a fresh SQLite
archive. Goal: 16 councils take <= 1.5 x the time of 1. It also checks, from the servers' own
counters, that no host ever had two requests in flight. If `bench/scale_workers.py` exists (the
Redis workers), its `measure_workers()` figures are printed after these.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.demo.sample_site import build_site  # noqa: E402
from pipeline.demo.site_server import SiteServer  # noqa: E402


def nightly_seconds(councils: int, delay: float, meetings: int) -> tuple[float, int, int]:
    """(wall seconds, requests per council, most requests one host had in flight at once)."""
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
        with tempfile.TemporaryDirectory() as tmp:
            config = Path(tmp) / "councils.toml"
            config.write_text(
                "".join(f'[councils.c{i}]\nbase_url = "{s.base_url}"\n\n' for i, s in enumerate(servers))
            )
            env = {**os.environ, "COUNCIL_ARCHIVE_BLOBS": f"{tmp}/blobs"}
            t0 = time.perf_counter()
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pipeline.cli",
                    "nightly",
                    "--config",
                    str(config),
                    "--db",
                    f"sqlite:///{tmp}/bench.sqlite",
                    "--delay",
                    str(delay),
                    "--max-hosts",
                    str(councils),
                    "--lock",
                    f"{tmp}/nightly.lock",
                    "--report",
                    f"{tmp}/report.json",
                ],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
            seconds = time.perf_counter() - t0
            if done.returncode != 0:
                sys.exit(f"nightly of {councils} councils exited {done.returncode}: {done.stderr[-2000:]}")
    finally:
        for s in servers:
            s.__exit__(None, None, None)
    requests = sum(sum(s.hits.values()) for s in servers) // councils
    return seconds, requests, max(s.max_in_flight for s in servers)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--delay", type=float, default=0.5, help="the fixed politeness delay, seconds")
    ap.add_argument("--meetings", type=int, default=4, help="meetings per fixture site")
    ap.add_argument("--counts", default="1,4,16", help="numbers of councils to time")
    args = ap.parse_args()
    counts = [int(n) for n in args.counts.split(",")]
    print(f"nightly, first crawl, delay {args.delay} s, {args.meetings} meetings per council, one host each")
    base = None
    for n in counts:
        seconds, requests, in_flight = nightly_seconds(n, args.delay, args.meetings)
        base = base or seconds
        print(
            f"{n:>3} councils: {seconds:6.1f} s  ({requests} requests each)  "
            f"ratio {seconds / base:.2f}x  max in flight per host {in_flight}"
        )
    if counts[-1] != counts[0]:
        print(
            f"goal: {counts[-1]} councils <= 1.5x of {counts[0]}: {'met' if seconds / base <= 1.5 else 'NOT met'}"
        )
    try:
        from bench.scale_workers import measure_workers
    except ImportError:
        return
    figures = measure_workers()  # prints its own lines; anything it returns is printed too
    if figures is not None:
        print(figures)


if __name__ == "__main__":
    main()
