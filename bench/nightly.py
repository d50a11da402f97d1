"""Requests and wall time of a first full crawl vs a nightly run of the unchanged site.

    python bench/nightly.py [--years 10 --committees 5 --per-year 10]

Serves a generated site (10 years x 5 committees by default, up to this year) on 127.0.0.1, runs
`council-archive crawl` (full), then `council-archive nightly` (incremental policy) against the same
unchanged site, and prints the requests and seconds of each and their ratio (goal: nightly <= 5 % of
the full crawl's requests), plus how many nights it takes until every old meeting has been
revalidated by the rotation.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.archive.db import make_engine  # noqa: E402
from pipeline.demo.sample_site import build_site  # noqa: E402
from pipeline.demo.site_server import SiteServer  # noqa: E402
from pipeline.ops.plan import build_plan  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--committees", type=int, default=5)
    ap.add_argument("--per-year", type=int, default=10)
    args = ap.parse_args()
    this_year = date.today().year
    site = build_site(
        committees=args.committees,
        years=tuple(range(this_year - args.years + 1, this_year + 1)),
        meetings_per_year=args.per_year,
        cancelled_every=0,
        seed=11,
    )
    with tempfile.TemporaryDirectory() as tmp, SiteServer(site) as server:
        db = f"sqlite:///{tmp}/bench.sqlite"
        env = {"COUNCIL_ARCHIVE_BLOBS": f"{tmp}/blobs", "PATH": ""}
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pipeline.cli",
                "crawl",
                "--base-url",
                server.base_url,
                "--council",
                "bench",
                "--delay",
                "0",
                "--concurrency",
                "4",
                "--db",
                db,
            ],
            check=True,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        full_s, full_requests = time.perf_counter() - t0, sum(server.hits.values())
        registry = Path(tmp) / "councils.toml"
        registry.write_text(f'[councils.bench]\nname = "Bench"\nbase_url = "{server.base_url}"\n')
        server.hits.clear()
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pipeline.cli",
                "nightly",
                "--config",
                str(registry),
                "--db",
                db,
                "--delay",
                "0",
                "--concurrency",
                "4",
                "--lock",
                f"{tmp}/lock",
                "--report",
                f"{tmp}/r.json",
            ],
            check=True,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        nightly_s, nightly_requests = time.perf_counter() - t0, sum(server.hits.values())
        not_modified = server.not_modified
        engine = make_engine(db)
        plan = build_plan(engine, "bench")
        engine.dispose()
    old = {u for u, k in plan.known.items() if k.date and abs((k.date - plan.today).days) > 60}
    seen: set[str] = set()
    nights = 0
    while seen < old and nights < 400:
        plan.today = date.today() + timedelta(days=nights)
        seen |= set(plan.due_unlisted(set())) & old
        nights += 1
    print(
        json.dumps(
            {
                "meetings": len(site.meetings),
                "years": args.years,
                "committees": args.committees,
                "full_requests": full_requests,
                "full_s": round(full_s, 1),
                "nightly_requests": nightly_requests,
                "nightly_s": round(nightly_s, 1),
                "nightly_304s": not_modified,
                "requests_ratio": round(nightly_requests / full_requests, 3),
                "time_ratio": round(nightly_s / full_s, 3),
                "nights_until_every_old_meeting_revalidated": nights,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
