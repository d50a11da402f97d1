"""Export throughput on a generated archive of >= 1 M minutes, next to the sqlite3 shell.

    python bench/export.py [--minutes 1000000] [--archive /tmp/council-archive-bench.sqlite]

Times `council-archive export minutes` (streamed, joins for committee/meeting/source, formula
neutralising) and the sqlite3 shell's `.mode csv` over the same rows (`SELECT * FROM minutes_view`,
the same joins) and over the bare `minutes` table; prints rows/s, their ratios, and the export's peak
memory (constant memory is the design: it must not grow with the archive). The three runs
alternate for --rounds rounds and the best time of each is used, so a busy moment of a shared
machine does not land on one side only.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.generated_archive import ROOT, build  # noqa: E402


def timed(cmd: list[str], stdin: str | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, input=stdin, text=True, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=int, default=1_000_000)
    ap.add_argument("--archive", default="/tmp/council-archive-bench.sqlite")
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    db = build(Path(args.archive), args.minutes)
    sqlite3 = shutil.which("sqlite3")
    if not sqlite3:
        sys.exit("the sqlite3 shell is needed: apt-get install sqlite3")
    out = "/tmp/council-archive-bench-export.csv"
    # the machine may be shared: each of the three runs alternately, the best of each counts
    ours = view = bare = float("inf")
    for _ in range(args.rounds):
        ours = min(
            ours,
            timed(
                [
                    sys.executable,
                    "-m",
                    "pipeline.cli",
                    "export",
                    "minutes",
                    "--db",
                    f"sqlite:///{db}",
                    "-o",
                    out,
                ]
            ),
        )
        view = min(
            view,
            timed(
                [sqlite3, str(db)], ".mode csv\n.headers on\n.output /dev/null\nSELECT * FROM minutes_view;\n"
            ),
        )
        bare = min(
            bare,
            timed([sqlite3, str(db)], ".mode csv\n.headers on\n.output /dev/null\nSELECT * FROM minutes;\n"),
        )
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    with open(out, encoding="utf-8") as fh:
        rows = sum(1 for _ in csv.reader(fh)) - 1
    os.unlink(out)
    print(
        json.dumps(
            {
                "rows": rows,
                "export_s": round(ours, 1),
                "export_rows_per_s": round(rows / ours),
                "sqlite3_view_s": round(view, 1),
                "sqlite3_view_rows_per_s": round(rows / view),
                "sqlite3_table_s": round(bare, 1),
                "sqlite3_table_rows_per_s": round(rows / bare),
                "export_vs_sqlite3_view": round(view / ours, 2),
                "export_vs_sqlite3_table": round(bare / ours, 2),
                "export_peak_rss_mb": round(peak_mb),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
