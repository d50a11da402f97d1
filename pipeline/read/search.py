"""Full-text search over minutes and document pages: SQLite FTS5 or PostgreSQL tsvector. Read-only.

Minute labels such as "74/15" are split apart by both tokenisers, so a label in the query becomes
an adjacent-words match plus an exact substring check: "74/15" finds "Minute 74/15", not "74 of 2015".
"""

from __future__ import annotations

import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, select, text
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


def _fts5_query(labels: list[str], words: list[str]) -> str:
    # Every term quoted: user text can never be read as FTS5 syntax (AND, NEAR, column filters...).
    parts = ['"' + " ".join(WORD.findall(lab)) + '"' for lab in labels]
    parts += ['"' + w.replace('"', "") + '"' for w in words]
    return " ".join(parts)


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
) -> list[Hit]:
    labels, words = _bounded(query)
    if not labels and not words:
        return []
    params: dict = {"limit": limit}
    where = []
    with engine.connect() as conn:
        if council:
            try:
                params["council_id"] = council_id(conn, council)
            except UnknownCouncil as exc:
                raise SearchError(str(exc)) from None
            where.append("council_id = :council_id")
        if committee:
            ids = conn.scalars(select(Committee.id).where(Committee.name == committee)).all()
            if not ids:
                raise SearchError(f"unknown committee {committee!r} (not in this archive)")
            where.append("committee_id IN (" + ",".join(str(int(i)) for i in ids) + ")")
        if date_from:
            params["date_from"] = date_from
            where.append("meeting_date >= :date_from")
        if date_to:
            params["date_to"] = date_to
            where.append("meeting_date <= :date_to")
        for k, lab in enumerate(labels):
            params[f"label{k}"] = lab
            where.append(f"(strpos(coalesce(title, '') || ' ' || coalesce(body, ''), :label{k}) > 0)")
        if engine.dialect.name == "sqlite":
            params["q"] = _fts5_query(labels, words)
            sql = (
                "SELECT kind, ref_id, snippet(search_index, 6, '[', ']', '…', 16) AS snip, "
                "bm25(search_index, 0, 0, 0, 0, 0, 5.0, 1.0) AS score FROM search_index "
                "WHERE search_index MATCH :q"
                + "".join(" AND " + w.replace("strpos(", "instr(") for w in where)
                + " ORDER BY score LIMIT :limit"
            )
        else:
            ts = " ".join(words)
            params["q"] = ts
            match = "tsv @@ websearch_to_tsquery('english', :q)" if ts else "TRUE"
            sql = (
                "SELECT kind, ref_id, ts_headline('english', coalesce(body, ''), websearch_to_tsquery('english', :q), "
                "'StartSel=[, StopSel=], MaxWords=30, MinWords=12') AS snip, "
                "-ts_rank(tsv, websearch_to_tsquery('english', :q)) AS score FROM search_index "
                f"WHERE {match}" + "".join(" AND " + w for w in where) + " ORDER BY score LIMIT :limit"
            )
        with _time_limit(conn, TIME_LIMIT_S):
            rows = conn.execute(text(sql), params).all()
        return [_hit(conn, r.kind, r.ref_id, -float(r.score or 0), r.snip) for r in rows]


def _hit(conn, kind: str, ref_id: int, score: float, snip: str) -> Hit:
    if kind == "minute":
        r = conn.execute(
            select(
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
            .join(MinuteSource, MinuteSource.minute_id == Minute.id)
            .where(Minute.id == ref_id)
            .order_by(MinuteSource.id)
            .limit(1)
        ).one()
        return Hit("minute", score, r.slug, r.name, r.date, f"Minute {r.label} {r.title}", snip, r.source_url)
    r = conn.execute(
        select(Council.slug, Committee.name, Meeting.date, Document.title, Document.url, TextPage.page_no)
        .select_from(TextPage)
        .join(TextExtraction, TextExtraction.id == TextPage.extraction_id)
        .join(DocumentVersion, DocumentVersion.sha256 == TextExtraction.sha256)
        .join(Document, Document.id == DocumentVersion.document_id)
        .join(Council, Council.id == Document.council_id)
        .outerjoin(Meeting, Meeting.id == Document.meeting_id)
        .outerjoin(Committee, Committee.id == Meeting.committee_id)
        .where(TextPage.id == ref_id)
        .order_by(Document.id)
        .limit(1)
    ).one()
    return Hit("page", score, r.slug, r.name, r.date, r.title or "", snip, r.url, r.page_no)
