"""Search latency on a generated archive of >= 1 M minutes: p50 / p95 over a fixed query set,
next to FTS5's own bounded ranking and the query both replaced (bm25 over every match), all in
this run.

"new" is what `council-archive search` does: on SQLite the tantivy mirror (built or brought up to
date first, its time printed), on PostgreSQL tsvector. "fts" is the database's own index with its
bounded candidates (``using="fts"``, SQLite only). "old" ranks every match; per query,
``top_shared_with_old`` is the share of new's hits that old's whole-match ranking also returns
(the two bm25s count words a little differently; 1.0 = the same rows).

    python bench/search.py [--minutes 1000000] [--archive /tmp/council-archive-bench.sqlite]
    python bench/search.py --db postgresql://127.0.0.1/test   # the same rows copied to PostgreSQL

Queries mix very common words ("council" is in ~40 % of the generated minutes, whose words have
the real corpus's frequencies), rarer words, two-word queries, a council and a committee filter, a
date range and minute labels ("74/15", matched exactly). Each query runs through
pipeline.read.search.search, the function behind `council-archive search`, in this process, after
one warm-up pass; rounds alternate the new and the old query so both see the same machine load.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.generated_archive import build  # noqa: E402
from pipeline.archive.db import make_engine  # noqa: E402
from pipeline.archive.models import Committee  # noqa: E402
from pipeline.read import search as S  # noqa: E402

QUERIES = [
    ("council", {}),
    ("meeting", {}),
    ("council meeting", {}),
    ("report", {"council": "bench"}),
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


def old_search(engine, query, council=None, committee=None, date_from=None, date_to=None, limit=20):
    """The query before migration 0011: bm25 (SQLite) or ts_rank (PostgreSQL) and snippets over
    every match, SQLite's filters read from each matching row, one look-up per hit."""
    labels, words = S.split_query(query)
    params, where = {"limit": limit}, []
    with engine.connect() as conn:
        if council:
            params["council_id"] = S.council_id(conn, council)
            where.append("council_id = :council_id")
        if committee:
            ids = conn.scalars(select(Committee.id).where(Committee.name == committee)).all()
            where.append("committee_id IN (" + ",".join(str(int(i)) for i in ids) + ")")
        if date_from:
            params["date_from"] = date_from
            where.append("meeting_date >= :date_from")
        if date_to:
            params["date_to"] = date_to
            where.append("meeting_date <= :date_to")
        for k, lab in enumerate(labels):
            params[f"label{k}"] = lab
            where.append(f"(instr(coalesce(title, '') || ' ' || coalesce(body, ''), :label{k}) > 0)")
        if engine.dialect.name == "postgresql":
            ts = " ".join(words)
            params["q"] = ts
            match = "tsv @@ websearch_to_tsquery('english', :q)" if ts else "TRUE"
            sql = (
                "SELECT kind, ref_id, ts_headline('english', coalesce(body, ''), "
                "websearch_to_tsquery('english', :q), 'StartSel=[, StopSel=], MaxWords=30, MinWords=12') AS snip, "
                "-ts_rank(tsv, websearch_to_tsquery('english', :q)) AS score FROM search_index "
                f"WHERE {match}"
                + "".join(" AND " + w.replace("instr(", "strpos(") for w in where)
                + " ORDER BY score LIMIT :limit"
            )
            rows = conn.execute(text(sql), params).all()
            return [S._hits(conn, [(r.kind, r.ref_id, -float(r.score or 0), r.snip)])[0] for r in rows]
        parts = ['"' + " ".join(S.WORD.findall(lab)) + '"' for lab in labels] + [f'"{w}"' for w in words]
        params["q"] = " ".join(parts)
        sql = (
            "SELECT kind, ref_id, snippet(search_index, 6, '[', ']', '…', 16) AS snip, "
            "bm25(search_index, 0, 0, 0, 0, 0, 5.0, 1.0) AS score FROM search_index "
            "WHERE search_index MATCH :q"
            + "".join(" AND " + w for w in where)
            + " ORDER BY score LIMIT :limit"
        )
        rows = conn.execute(text(sql), params).all()
        return [S._hits(conn, [(r.kind, r.ref_id, -float(r.score or 0), r.snip)])[0] for r in rows]


def percentiles(times: list[float]) -> dict:
    times = sorted(times)
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
        "max_ms": round(times[-1], 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=int, default=1_000_000)
    ap.add_argument("--archive", default="/tmp/council-archive-bench.sqlite")
    ap.add_argument("--db", help="a PostgreSQL URL: copy the generated archive there and measure it")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    db = build(Path(args.archive), args.minutes)
    if args.db:
        from bench.pg_copy import copy_archive

        url = copy_archive(db, args.db)
    else:
        url = f"sqlite:///{db}"
    engine = make_engine(url)
    contenders = {"new": S.search, "old": old_search}
    mirror = None
    if engine.dialect.name == "sqlite":
        from pipeline.archive.writer.search_sync import sync

        mirror = sync(engine)
        contenders["fts"] = lambda *a, **kw: S.search(*a, using="fts", **kw)
    for fn in contenders.values():  # warm the page cache
        for q, kw in QUERIES:
            fn(engine, q, **kw)
    times: dict[str, list[float]] = {name: [] for name in contenders}
    per_query: dict[str, dict] = {}
    for _ in range(args.rounds):
        for q, kw in QUERIES:
            found = {}
            for name, fn in contenders.items():
                t0 = time.perf_counter()
                found[name] = fn(engine, q, **kw)
                times[name].append((time.perf_counter() - t0) * 1000)
            entry = per_query.setdefault(q, {"hits": len(found["new"]), "new_ms": []})
            entry["new_ms"].append(round(times["new"][-1], 1))
            shown = [(h.title, h.source_url, h.page) for h in found["new"]]
            entry["top_shared_with_old"] = round(
                len(set(shown) & {(h.title, h.source_url, h.page) for h in found["old"]})
                / max(1, len(shown)),
                2,
            )
    report = {"minutes": args.minutes, "db": engine.dialect.name, "queries": len(times["new"])}
    if mirror is not None:
        report["mirror"] = {
            "rebuilt": mirror.rebuilt,
            "rows": mirror.rows,
            "seconds": round(mirror.seconds, 1),
        }
    for name in contenders:
        report[name] = percentiles(times[name])
    for name in [c for c in contenders if c != "new"]:
        report[f"p50_new_vs_{name}"] = round(report["new"]["p50_ms"] / report[name]["p50_ms"], 3)
        report[f"p95_new_vs_{name}"] = round(report["new"]["p95_ms"] / report[name]["p95_ms"], 3)
    report["per_query"] = per_query
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
