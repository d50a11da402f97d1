"""Search latency on a generated archive of >= 1 M minutes: p50 / p95 over a fixed query set.

    python bench/search.py [--minutes 1000000] [--archive /tmp/council-archive-bench.sqlite]

Queries mix common words, rare words, two-word queries, a committee filter, a date range and
minute labels ("74/15", matched exactly). Each query runs through pipeline.read.search.search, the
function behind `council-archive search`, in this process, after one warm-up pass.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.generated_archive import build  # noqa: E402
from pipeline.archive.db import make_engine  # noqa: E402
from pipeline.read.search import search  # noqa: E402

QUERIES = [
    ("budget", {}),
    ("safeguarding children", {}),
    ("treasury", {}),
    ("air quality", {}),
    ("parking petition", {}),
    ("74/15", {}),
    ("12/20", {}),
    ("Further to Minute 5/07", {}),
    ("housing", {"committee": "Committee 7"}),
    ("consultation", {"date_from": date(2010, 1, 1), "date_to": date(2012, 12, 31)}),
    ("grants programme approved", {}),
    ("deferred", {"limit": 100}),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=int, default=1_000_000)
    ap.add_argument("--archive", default="/tmp/council-archive-bench.sqlite")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    db = build(Path(args.archive), args.minutes)
    engine = make_engine(f"sqlite:///{db}")
    for q, kw in QUERIES:  # warm the page cache
        search(engine, q, **kw)
    times, hits = [], {}
    for _ in range(args.rounds):
        for q, kw in QUERIES:
            t0 = time.perf_counter()
            found = search(engine, q, **kw)
            times.append((time.perf_counter() - t0) * 1000)
            hits[q] = len(found)
    times.sort()
    print(
        json.dumps(
            {
                "minutes": args.minutes,
                "queries": len(times),
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
                "max_ms": round(times[-1], 1),
                "hits_per_query": hits,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
