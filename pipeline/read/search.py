"""Full-text search over minutes and document pages: on SQLite through the tantivy mirror while it
is current (mirror_search.py), else FTS5; PostgreSQL tsvector. Read-only.

Minute labels such as "74/15" are split apart by both tokenisers, so a label in the query becomes
an adjacent-words match plus an exact substring check: "74/15" finds "Minute 74/15", not "74 of 2015".

Speed (bench/search.py): ranking is what costs, not matching. FTS5 finds the 400,000 minutes
containing "council" in milliseconds, but bm25 over all of them takes half a second. So ranking
runs over a bounded candidate set: the CANDIDATES most recently archived matches (highest rowid,
migration 0011), found in rowid order without ranking; a query matching fewer is ranked whole,
exactly as before. Filters (council, committee, dates) are indexed tokens inside the match, so
the candidates are always rows that pass them; snippets are made for the rows shown only. What
is left: bm25's IDF walks the whole index entry of each query term once, so a query holding a
word found in most rows ("to", "the") still costs tens of milliseconds (docs/architecture.md).
PostgreSQL ranks the same bounded set (its newest matches by id) with ts_rank.
"""

from __future__ import annotations

import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError

from pipeline.archive.models import (
    Committee,
    Council,
    Document,
    DocumentVersion,
    Meeting,
    Minute,
    MinuteSource,
    TextExtraction,
    TextPage,
)
from pipeline.archive.search_mirror import current_mirror
from pipeline.read import mirror_search
from pipeline.read.councils import UnknownCouncil, council_id

LABEL = re.compile(r"^[A-Za-z]{0,6}\.?\d+(?:[/(][\w\-/()]*)+$")  # 74/15, E.24/23, JSC/73/20-21, 48(6)
WORD = re.compile(r"\w+")


class SearchError(ValueError):
    """A query or filter that cannot be searched; the message is one line for the user."""


@dataclass
class Hit:
    kind: str  # minute | page
    score: float
    council: str
    committee: str | None
    meeting_date: date | None
    title: str
    snippet: str
    source_url: str | None
    page: int | None = None


def split_query(query: str) -> tuple[list[str], list[str]]:
    """(labels, words) of a user's query."""
    labels, words = [], []
    for token in query.split():
        token = token.strip("\"'(),;")
        if LABEL.match(token):
            labels.append(token)
        else:
            words += WORD.findall(token)
    return labels, words


def _terms(labels: list[str], words: list[str]) -> list[str]:
    # Every term quoted: user text can never be read as query syntax (AND, NEAR, column filters...).
    return ['"' + " ".join(WORD.findall(lab)) + '"' for lab in labels] + [
        '"' + w.replace('"', "") + '"' for w in words
    ]


def _fts5_query(labels: list[str], words: list[str], facets: list[list[str]] = ()) -> str:
    query = "{title body} : (" + " ".join(_terms(labels, words)) + ")"
    return query + "".join(" AND facets : (" + " OR ".join(group) + ")" for group in facets)


CANDIDATES = 5_000


def _date_facets(conn, date_from: date | None, date_to: date | None) -> list[str]:
    """Year tokens for whole years in the range, month tokens for the months of its edge years;
    the exact day is checked on the candidates."""
    if date_from is None or date_to is None:
        lo, hi = conn.execute(text("SELECT min(date), max(date) FROM meetings")).one()
        date_from = date_from or (date.fromisoformat(str(lo)) if lo else date.today())
        date_to = date_to or (date.fromisoformat(str(hi)) if hi else date.today())
    tokens = []
    for year in range(date_from.year, date_to.year + 1):
        first = date_from.month if year == date_from.year else 1
        last = date_to.month if year == date_to.year else 12
        if (first, last) == (1, 12):
            tokens.append(f"y{year}")
        else:
            tokens += [f"m{year}{month:02d}" for month in range(first, last + 1)]
    return tokens or ["nodate"]


MAX_QUERY_CHARS = 500
MAX_WORDS = 24
MAX_LABELS = 8
TIME_LIMIT_S = float(os.environ.get("COUNCIL_ARCHIVE_SEARCH_TIMEOUT", 10))


def _bounded(query: str) -> tuple[list[str], list[str]]:
    if len(query) > MAX_QUERY_CHARS:
        raise SearchError(f"query of {len(query):,} characters: at most {MAX_QUERY_CHARS} are searched")
    labels, words = split_query(query)
    if len(words) > MAX_WORDS or len(labels) > MAX_LABELS:
        raise SearchError(
            f"query of {len(words)} words and {len(labels)} labels: at most {MAX_WORDS} and {MAX_LABELS}"
        )
    return labels, words


@contextmanager
def _time_limit(conn, seconds: float):
    """The database itself stops the query after ``seconds`` (PostgreSQL's statement_timeout,
    SQLite's progress handler), and the user gets one line."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {max(1, int(seconds * 1000))}")
        raw = None
    else:
        raw = conn.connection.driver_connection
        deadline = time.monotonic() + seconds
        raw.set_progress_handler(lambda: time.monotonic() > deadline, 1_000)
    try:
        yield
    except DBAPIError as exc:
        text_ = str(exc.orig).lower()
        if "statement timeout" in text_ or "canceling statement" in text_ or "interrupted" in text_:
            raise SearchError(
                f"the search took longer than {seconds:.0f} s and was stopped: use fewer or rarer words, or filters"
            ) from None
        raise
    finally:
        if raw is not None:
            raw.set_progress_handler(None, 0)


def search(
    engine: Engine,
    query: str,
    council: str | None = None,
    committee: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    limit: int = 20,
    using: str = "auto",
) -> list[Hit]:
    """Ranked hits. On SQLite the tantivy mirror answers while it is current (``using="auto"``),
    else FTS5; ``using="fts"`` always asks the database's own index (tests, bench/search.py)."""
    labels, words = _bounded(query)
    if not labels and not words:
        return []
    params: dict = {"limit": limit}
    where = []
    facets: list[list[str]] = []  # SQLite: each group is one OR of indexed filter tokens
    committee_ids: tuple[int, ...] = ()
    with engine.connect() as conn:
        if council:
            try:
                params["council_id"] = council_id(conn, council)
            except UnknownCouncil as exc:
                raise SearchError(str(exc)) from None
            where.append("council_id = :council_id")
            if conn.execute(text("SELECT count(*) FROM councils")).scalar() > 1:
                # a token every row holds would only make FTS5 walk the whole index
                facets.append([f"council{params['council_id']}"])
        if committee:
            ids = conn.scalars(select(Committee.id).where(Committee.name == committee)).all()
            if not ids:
                raise SearchError(f"unknown committee {committee!r} (not in this archive)")
            where.append("committee_id IN (" + ",".join(str(int(i)) for i in ids) + ")")
            committee_ids = tuple(int(i) for i in ids)
            facets.append([f"committee{int(i)}" for i in ids])
        if date_from:
            params["date_from"] = date_from
            where.append("meeting_date >= :date_from")
        if date_to:
            params["date_to"] = date_to
            where.append("meeting_date <= :date_to")
        if engine.dialect.name == "sqlite" and (date_from or date_to):
            facets.append(_date_facets(conn, date_from, date_to))
        for k, lab in enumerate(labels):
            params[f"label{k}"] = lab
            where.append(f"(strpos(coalesce(title, '') || ' ' || coalesce(body, ''), :label{k}) > 0)")
        with _time_limit(conn, TIME_LIMIT_S):
            mirror = current_mirror(conn) if using == "auto" else None
            if mirror is not None:
                # the label conditions, appended last above; the other filters are tantivy's own
                label_checks = where[len(where) - len(labels) :] if labels else []
                filters = mirror_search.Filters(params.get("council_id"), committee_ids, date_from, date_to)
                try:
                    rows = mirror_search.search(
                        conn,
                        mirror,
                        _terms(labels, words),
                        bool(labels),
                        filters,
                        [w.replace("strpos(", "instr(") for w in label_checks],
                        params,
                        _fts5_query(labels, words, facets),
                        limit,
                    )
                    return _hits(conn, rows)
                except ValueError:  # tantivy cannot read it (every word dropped, say): FTS5 answers
                    pass
            if engine.dialect.name == "sqlite":
                return _search_fts5(conn, labels, words, facets, where, params)
            return _search_postgres(conn, labels, words, where, params)


def _search_fts5(conn, labels, words, facets, where, params) -> list[Hit]:
    params |= {"q": _fts5_query(labels, words, facets), "skip": CANDIDATES - 1}
    # 1. the oldest of the newest CANDIDATES matches: a walk down the rowid-ordered match, no ranking
    lowest = conn.execute(
        text(
            "SELECT rowid FROM search_index WHERE search_index MATCH :q ORDER BY rowid DESC LIMIT 1 OFFSET :skip"
        ),
        params,
    ).scalar()
    params["lowest"] = lowest or 0
    # 2. bm25 over those (title 5×, body 1×; the filter columns weigh nothing), exact filters checked
    rows = conn.execute(
        text(
            "SELECT rowid, kind, ref_id, bm25(search_index, 0, 0, 0, 0, 0, 5.0, 1.0, 0) AS score "
            "FROM search_index WHERE search_index MATCH :q AND rowid >= :lowest"
            + "".join(" AND " + w.replace("strpos(", "instr(") for w in where)
            + " ORDER BY score, rowid DESC LIMIT :limit"
        ),
        params,
    ).all()
    if not rows:
        return []
    # 3. snippets of the rows shown only
    snips = dict(
        conn.execute(
            text(
                "SELECT rowid, snippet(search_index, 6, '[', ']', '…', 16) FROM search_index "
                "WHERE search_index MATCH :q AND rowid IN (" + ",".join(str(int(r.rowid)) for r in rows) + ")"
            ),
            params,
        ).all()
    )
    return _hits(conn, [(r.kind, r.ref_id, -float(r.score or 0), snips.get(r.rowid, "")) for r in rows])


def _worth_bounding(conn, sql: str, params: dict) -> bool:
    """From the planner's statistics: walking back until CANDIDATES matches costs about
    CANDIDATES / share rows, each ~4x a ranked GIN match; ranking every match costs share * rows."""
    plan = conn.execute(text("EXPLAIN (FORMAT JSON) " + sql), params).scalar()
    matches = float(plan[0]["Plan"]["Plan Rows"])
    total = conn.execute(text("SELECT reltuples FROM pg_class WHERE relname = 'search_index'")).scalar() or 0
    return matches * matches > 4 * CANDIDATES * max(total, 1)


def _search_postgres(conn, labels, words, where, params) -> list[Hit]:
    ts = " ".join(words)
    params |= {"q": ts, "skip": CANDIDATES - 1}
    match = "tsv @@ websearch_to_tsquery('english', :q)" if ts else "TRUE"
    filters = "".join(" AND " + w for w in where)
    bound = ""
    if (
        ts
        and not labels
        and _worth_bounding(conn, f"SELECT 1 FROM search_index WHERE {match}{filters}", params)
    ):
        # the same bound as SQLite's: the newest CANDIDATES matches (a backward walk of the primary
        # key), ranked. Rarer words, and labels (checked by substring), are faster through the GIN
        # index whole.
        bound = (
            f" AND id >= coalesce((SELECT id FROM search_index WHERE {match}{filters} "
            "ORDER BY id DESC OFFSET :skip LIMIT 1), 0)"
        )
    sql = (
        "SELECT kind, ref_id, ts_headline('english', coalesce(body, ''), websearch_to_tsquery('english', :q), "
        "'StartSel=[, StopSel=], MaxWords=30, MinWords=12') AS snip, "
        "-ts_rank(tsv, websearch_to_tsquery('english', :q)) AS score FROM search_index "
        f"WHERE {match}{filters}{bound} ORDER BY score, id DESC LIMIT :limit"
    )
    rows = conn.execute(text(sql), params).all()
    return _hits(conn, [(r.kind, r.ref_id, -float(r.score or 0), r.snip) for r in rows])


def _hits(conn, rows: list[tuple[str, int, float, str]]) -> list[Hit]:
    """Hits for (kind, ref_id, score, snippet) rows, in their order: one query per kind, not per row."""
    minute_ids = [r[1] for r in rows if r[0] == "minute"]
    page_ids = [r[1] for r in rows if r[0] == "page"]
    minutes, pages = {}, {}
    if minute_ids:
        first = (
            select(MinuteSource.minute_id, func.min(MinuteSource.id).label("sid"))
            .where(MinuteSource.minute_id.in_(minute_ids))
            .group_by(MinuteSource.minute_id)
            .subquery()
        )
        for r in conn.execute(
            select(
                Minute.id,
                Council.slug,
                Committee.name,
                Meeting.date,
                Minute.label,
                Minute.title,
                MinuteSource.source_url,
            )
            .join(Committee, Committee.id == Minute.committee_id)
            .join(Council, Council.id == Minute.council_id)
            .join(Meeting, Meeting.id == Minute.meeting_id)
            .join(first, first.c.minute_id == Minute.id)
            .join(MinuteSource, MinuteSource.id == first.c.sid)
        ):
            minutes[r.id] = r
    if page_ids:
        for r in conn.execute(
            select(
                TextPage.id,
                Council.slug,
                Committee.name,
                Meeting.date,
                Document.title,
                Document.url,
                TextPage.page_no,
            )
            .select_from(TextPage)
            .join(TextExtraction, TextExtraction.id == TextPage.extraction_id)
            .join(DocumentVersion, DocumentVersion.sha256 == TextExtraction.sha256)
            .join(Document, Document.id == DocumentVersion.document_id)
            .join(Council, Council.id == Document.council_id)
            .outerjoin(Meeting, Meeting.id == Document.meeting_id)
            .outerjoin(Committee, Committee.id == Meeting.committee_id)
            .where(TextPage.id.in_(page_ids))
            .order_by(Document.id.desc())  # the first document showing the page wins
        ):
            pages[r.id] = r
    hits = []
    for kind, ref_id, score, snip in rows:
        if kind == "minute":
            r = minutes[ref_id]
            hits.append(
                Hit(
                    "minute", score, r.slug, r.name, r.date, f"Minute {r.label} {r.title}", snip, r.source_url
                )
            )
        else:
            r = pages[ref_id]
            hits.append(Hit("page", score, r.slug, r.name, r.date, r.title or "", snip, r.url, r.page_no))
    return hits
