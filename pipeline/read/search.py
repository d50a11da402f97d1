"""Full-text search over minutes and document pages: SQLite FTS5 or PostgreSQL tsvector. Read-only.

Minute labels such as "74/15" are split apart by both tokenisers, so a label in the query becomes
an adjacent-words match plus an exact substring check: "74/15" finds "Minute 74/15", not "74 of 2015".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, select, text

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


def search(
    engine: Engine,
    query: str,
    council: str | None = None,
    committee: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    limit: int = 20,
) -> list[Hit]:
    labels, words = split_query(query)
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
