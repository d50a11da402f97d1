"""A generated SQLite archive of N minutes for the export and search benchmarks (cached on disk).

Rows are written with the sqlite3 module in bulk (the crawler would take hours to make a million
minutes); the schema is the real one, made by the project's migrations. Minute texts are drawn
from the word frequencies of the real corpus (tests/corpus/real), 15 to 90 words each.
"""

from __future__ import annotations

import random
import re
import sqlite3
import sys
import time
from collections import Counter
from itertools import accumulate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.archive.db import open_archive_engine  # noqa: E402

CORPUS = ROOT / "tests" / "corpus" / "real"
VERSION = "corpus-2;0013"  # in the cache marker: an archive of another vocabulary or schema is rebuilt
TOKEN = re.compile(r"\S+")  # words as printed: "Council," "(b)" "74/15" "resolved:" too


def vocabulary() -> tuple[list[str], list[int]]:
    """Words of the real corpus's texts (as printed, punctuation included) and their cumulative
    counts: sampling from them gives text with real minutes' word frequencies (Zipf-like: "the",
    "council", "meeting" in most minutes, "treasury" in few) and their commas and quotes."""
    counts: Counter = Counter()
    for path in sorted(CORPUS.rglob("*.txt")):
        counts.update(TOKEN.findall(path.read_text(encoding="utf-8", errors="replace")))
    words = sorted(counts, key=lambda w: (-counts[w], w))
    return words, list(accumulate(counts[w] for w in words))


TITLES = [
    "Apologies for Absence",
    "Declarations of Interest",
    "Minutes",
    "Budget Monitoring",
    "Parking Review",
    "Air Quality Action Plan",
    "Community Grants",
    "Work Programme",
    "Treasury Management",
    "Any Other Business",
]


def build(path: Path, minutes: int, per_meeting: int = 20, seed: int = 5) -> Path:
    marker = path.with_suffix(".done")
    if path.exists() and marker.exists() and marker.read_text() == f"{minutes} {VERSION}":
        return path
    for p in (path, marker, Path(str(path) + "-wal"), Path(str(path) + "-shm")):
        p.unlink(missing_ok=True)
    open_archive_engine(f"sqlite:///{path}").dispose()
    rnd = random.Random(seed)
    t0 = time.perf_counter()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    now = "2026-11-24 03:00:00"
    con.execute(
        "INSERT INTO councils (id, slug, name, base_url, platform, year_convention, created_at) "
        "VALUES (1, 'bench', 'Bench Council', 'https://h/', 'moderngov', 'municipal', ?)",
        (now,),
    )
    committees = 50
    con.executemany(
        "INSERT INTO committees (id, council_id, site_id, name, url, first_seen, last_seen) "
        "VALUES (?, 1, ?, ?, NULL, ?, ?)",
        [(c, 100 + c, f"Committee {c}", now, now) for c in range(1, committees + 1)],
    )
    meetings = minutes // per_meeting
    con.executemany(
        "INSERT INTO meetings (id, council_id, committee_id, site_id, url, date, status, first_seen, last_seen) "
        "VALUES (?, 1, ?, ?, ?, ?, 'scheduled', ?, ?)",
        [
            (
                m,
                1 + m % committees,
                10000 + m,
                f"https://h/ieListDocuments.aspx?MId={10000 + m}",
                f"{2000 + (m // 2000) % 26}-{1 + m % 12:02d}-{1 + m % 28:02d}",
                now,
                now,
            )
            for m in range(1, meetings + 1)
        ],
    )

    words, cum = vocabulary()

    def minute_rows():
        for i in range(1, minutes + 1):
            m = 1 + (i - 1) // per_meeting
            number = (i - 1) % per_meeting + 1 + 20 * (m % 5)
            yy = (2000 + (m // 2000) % 26) % 100
            text = " ".join(rnd.choices(words, cum_weights=cum, k=rnd.randint(15, 90)))
            if i % 7 == 0:
                text += f" Further to Minute {max(1, number - 3)}/{yy:02d} the Committee noted the update."
            yield (
                i,
                1 + m % committees,
                m,
                str(number),
                f"{number}/{yy:02d}",
                2000 + yy,
                f"{rnd.choice(TITLES)}",
                text,
                now,
            )

    con.executemany(
        "INSERT INTO minutes (id, council_id, committee_id, meeting_id, number, label, year, title, "
        "text, first_seen) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?)",
        ((r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8]) for r in minute_rows()),
    )
    # minute_sources needs detected_minutes to point at: one page version per meeting stands for the page
    con.execute("INSERT INTO blobs (sha256, size, stored_at) VALUES (?, 1, ?)", ("0" * 64, now))
    con.execute(
        "INSERT INTO pages (id, council_id, url, kind, first_seen, last_seen) VALUES (1, 1, 'x', 'meeting', ?, ?)",
        (now, now),
    )
    con.execute(
        "INSERT INTO page_versions (id, page_id, sha256, size, first_seen, last_seen) VALUES (1, 1, ?, 1, ?, ?)",
        ("0" * 64, now, now),
    )
    con.execute(
        "INSERT INTO detected_minutes (id, page_version_id, position, number, label, title, text) "
        "SELECT id, 1, 0, number, label, title, '' FROM minutes"
    )
    con.execute(
        "INSERT INTO minute_sources (id, minute_id, detected_minute_id, source_url) "
        "SELECT mi.id, mi.id, mi.id, me.url FROM minutes mi JOIN meetings me ON me.id = mi.meeting_id"
    )
    # what the writer keeps on each minute (pipeline/archive/writer/source_counts.py): one source each
    con.execute(
        "UPDATE minutes SET source_count = 1, "
        "first_source_url = (SELECT me.url FROM meetings me WHERE me.id = minutes.meeting_id)"
    )
    con.execute(
        "INSERT INTO search_index (rowid, kind, ref_id, council_id, committee_id, meeting_date, title, body, "
        "facets) SELECT 2 * mi.id, 'minute', mi.id, 1, mi.committee_id, me.date, mi.label || ' ' || mi.title, "
        "mi.text, 'council1 committee' || mi.committee_id || ' y' || substr(me.date, 1, 4) || ' m' || "
        "substr(me.date, 1, 4) || substr(me.date, 6, 2) "
        "FROM minutes mi JOIN meetings me ON me.id = mi.meeting_id"
    )
    con.commit()
    con.close()
    marker.write_text(f"{minutes} {VERSION}")
    print(f"generated {minutes:,} minutes in {time.perf_counter() - t0:.0f} s at {path}", file=sys.stderr)
    return path
