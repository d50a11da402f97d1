"""CSV exports for journalists: streamed (constant memory), UTF-8 with a header row."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date

from sqlalchemy import Engine, and_, func, select

from pipeline.extract import EXTRACTOR, EXTRACTOR_VERSION
from pipeline.models import Committee, Council, Document, DocumentVersion, Meeting, TextExtraction

MEETING_COLUMNS = ["council", "committee", "meeting_id", "date", "time", "status", "url", "venue", "title"]
DOCUMENT_COLUMNS = [
    "council",
    "committee",
    "meeting_date",
    "title",
    "kind",
    "url",
    "sha256",
    "versions",
    "removed",
    "pages",
    "text_status",
    "size",
    "first_seen",
    "last_seen",
    "meeting_id",
]


class UnknownCouncil(ValueError):
    pass


def _filters(engine: Engine, council: str | None, date_from: date | None, date_to: date | None) -> list:
    conds = []
    if council:
        with engine.connect() as conn:
            if conn.scalar(select(Council.id).where(Council.slug == council)) is None:
                raise UnknownCouncil(f"unknown council {council!r} (not in this archive)")
        conds.append(Council.slug == council)
    if date_from:
        conds.append(Meeting.date >= date_from)
    if date_to:
        conds.append(Meeting.date <= date_to)
    return conds


def meeting_rows(engine: Engine, council=None, date_from=None, date_to=None) -> Iterator[list]:
    conds = _filters(engine, council, date_from, date_to)
    q = (
        select(
            Council.slug,
            Committee.name,
            Meeting.site_id,
            Meeting.date,
            Meeting.time,
            Meeting.status,
            Meeting.url,
            Meeting.venue,
            Meeting.title,
        )
        .join(Committee, Committee.id == Meeting.committee_id)
        .join(Council, Council.id == Meeting.council_id)
        .where(*conds)
        .order_by(Council.slug, Meeting.date, Meeting.site_id)
    )
    yield from _stream(
        engine,
        q,
        lambda r: [
            r[0],
            r[1],
            r[2],
            _iso(r[3]),
            r[4].strftime("%H:%M") if r[4] else "",
            r[5],
            r[6],
            r[7] or "",
            r[8] or "",
        ],
    )


def document_rows(engine: Engine, council=None, date_from=None, date_to=None) -> Iterator[list]:
    conds = _filters(engine, council, date_from, date_to)
    latest = (
        select(
            DocumentVersion.document_id,
            func.max(DocumentVersion.id).label("vid"),
            func.count(DocumentVersion.id).label("n"),
        )
        .group_by(DocumentVersion.document_id)
        .subquery()
    )
    q = (
        select(
            Council.slug,
            Committee.name,
            Meeting.date,
            Document.title,
            Document.kind,
            Document.url,
            DocumentVersion.sha256,
            latest.c.n,
            Document.removed_at,
            DocumentVersion.size,
            Document.first_seen,
            Document.last_seen,
            Meeting.site_id,
            TextExtraction.pages,
            TextExtraction.status,
        )
        .join(Council, Council.id == Document.council_id)
        .outerjoin(Meeting, Meeting.id == Document.meeting_id)
        .outerjoin(Committee, Committee.id == Meeting.committee_id)
        .outerjoin(latest, latest.c.document_id == Document.id)
        .outerjoin(DocumentVersion, and_(DocumentVersion.id == latest.c.vid))
        .outerjoin(
            TextExtraction,
            and_(
                TextExtraction.sha256 == DocumentVersion.sha256,
                TextExtraction.extractor == EXTRACTOR,
                TextExtraction.extractor_version == EXTRACTOR_VERSION,
            ),
        )
        .where(*conds)
        .order_by(Council.slug, Meeting.date, Document.id)
    )
    yield from _stream(
        engine,
        q,
        lambda r: [
            r[0],
            r[1] or "",
            _iso(r[2]),
            r[3] or "",
            r[4],
            r[5],
            r[6] or "",
            r[7] or 0,
            "true" if r[8] else "false",
            "" if r[13] is None else r[13],
            r[14] or "pending",
            r[9] or "",
            _iso(r[10]),
            _iso(r[11]),
            r[12] or "",
        ],
    )


def _stream(engine: Engine, query, shape) -> Iterator[list]:
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=2000).execute(query)
        for row in result:
            yield shape(row)


def _iso(value) -> str:
    if value is None:
        return ""
    return value.isoformat(sep=" ", timespec="seconds") if hasattr(value, "hour") else value.isoformat()


EXPORTS = {"meetings": (MEETING_COLUMNS, meeting_rows), "documents": (DOCUMENT_COLUMNS, document_rows)}


def write_csv(out, table: str, engine: Engine, **filters) -> int:
    columns, rows = EXPORTS[table]
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    n = 0
    for row in rows(engine, **filters):
        writer.writerow(row)
        n += 1
    return n
