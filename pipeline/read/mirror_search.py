"""Search through the tantivy mirror of an SQLite archive (pipeline/archive/search_mirror.py).

Tantivy ranks (bm25, title 5x, as FTS5 did) and filters (council, committee, meeting day range:
indexed fields, exact). SQLite then checks what tantivy cannot: a minute label must appear as
printed ("74/15", not "74 of 2015"), checked on each page of ranked hits until enough pass. The
snippets come from FTS5 for the rows shown; a row FTS5 does not match is dropped, so a hit is
always one the table itself would return.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import tantivy
from sqlalchemy import Connection, text

from pipeline.archive import search_mirror as M

PAGE = 200  # ranked hits fetched at a time while labels are checked
MAX_SCANNED = 5_000  # a label query stops looking after this many ranked hits

_cache: dict[Path, tuple[int, tantivy.Index]] = {}
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class Filters:
    council_id: int | None = None
    committee_ids: tuple[int, ...] = ()
    date_from: date | None = None
    date_to: date | None = None


def _index(path: Path) -> tantivy.Index:
    """One open index per mirror directory; a rebuilt mirror is a new directory, so a new index."""
    inode = os.stat(path).st_ino
    with _cache_lock:
        cached = _cache.get(path)
        if cached is None or cached[0] != inode:
            cached = (inode, M.open_index(path))
            _cache[path] = cached
    cached[1].reload()  # see the mirror's last commit
    return cached[1]


def _query(index: tantivy.Index, terms: list[str], f: Filters) -> tantivy.Query:
    schema = index.schema
    must = [
        index.parse_query(
            " ".join(terms), ["title", "body"], field_boosts={"title": 5.0}, conjunction_by_default=True
        )
    ]
    if f.council_id is not None:
        must.append(tantivy.Query.term_query(schema, "council", f.council_id))
    if f.committee_ids:
        must.append(tantivy.Query.term_set_query(schema, "committee", list(f.committee_ids)))
    if f.date_from or f.date_to:
        day = lambda d: int(d.strftime("%Y%m%d")) if d else None  # noqa: E731
        must.append(
            tantivy.Query.range_query(
                schema, "day", tantivy.FieldType.Integer, day(f.date_from), day(f.date_to)
            )
        )
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in must])


def search(
    conn: Connection,
    path: Path,
    terms: list[str],
    has_labels: bool,
    filters: Filters,
    checks: list[str],
    params: dict,
    fts_query: str,
    limit: int,
) -> list[tuple[str, int, float, str]]:
    """(kind, ref_id, score, snippet) of the best ``limit`` rows. ``terms`` are quoted words and
    label phrases (so user text is never query syntax); with labels, ``checks`` are the SQL
    conditions on search_index's columns every hit must pass (labels as printed)."""
    index = _index(path)
    searcher = index.searcher()
    query = _query(index, terms, filters)
    ranked: list[tuple[int, float]] = []
    offset = 0
    while len(ranked) < limit and offset < MAX_SCANNED:
        size = max(PAGE, limit) if has_labels else limit
        hits = searcher.search(query, size, count=False, offset=offset).hits
        if not hits:
            break
        rowids = searcher.fast_field_values("rowid", [address for _score, address in hits])
        scores = {rowid: score for (score, _a), rowid in zip(hits, rowids, strict=True)}
        kept = _passing(conn, list(scores), checks, params) if has_labels else set(scores)
        ranked += [(r, scores[r]) for r in rowids if r in kept]
        offset += len(hits)
        if len(hits) < size:
            break
    ranked = ranked[:limit]
    if not ranked:
        return []
    snippets = dict(
        conn.execute(
            text(
                "SELECT rowid, snippet(search_index, 6, '[', ']', '…', 16) FROM search_index "
                "WHERE search_index MATCH :q AND rowid IN (" + ",".join(str(r) for r, _s in ranked) + ")"
            ),
            params | {"q": fts_query},
        ).all()
    )
    return [
        ("page" if r % 2 else "minute", r // 2, score, snippets[r]) for r, score in ranked if r in snippets
    ]


def _passing(conn: Connection, rowids: list[int], checks: list[str], params: dict) -> set[int]:
    sql = "SELECT rowid FROM search_index WHERE rowid IN (" + ",".join(str(int(r)) for r in rowids) + ")"
    return set(conn.execute(text(sql + "".join(" AND " + c for c in checks)), params).scalars())
