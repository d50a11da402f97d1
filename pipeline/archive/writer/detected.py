"""Detected minutes and references of one source (an extracted text or a meeting page version),
each row with the parser version it came from. Replacing a source's rows is how ``reprocess``
brings it up to date."""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select

from pipeline.archive.models import DetectedMinute, DetectedReference, MinuteSource, ReferenceLink
from pipeline.archive.writer import source_counts
from pipeline.archive.writer.sql import cached

detected_minutes = DetectedMinute.__table__
detected_refs = DetectedReference.__table__
minute_sources = MinuteSource.__table__
links = ReferenceLink.__table__


def store(
    conn: Connection,
    parsed,
    parser_version: str,
    extraction_id: int | None = None,
    page_version_id: int | None = None,
) -> None:
    minutes = [
        {
            "extraction_id": extraction_id,
            "page_version_id": page_version_id,
            "position": position,
            "number": m.number[:40],
            "label": m.label[:60],
            "title": m.title,
            "meeting_date": m.meeting_date,
            "page": m.page,
            "prefix": m.prefix,
            "year": m.year,
            "text": m.text,
            "parser_version": parser_version,
        }
        for position, m in enumerate(parsed.minutes)
    ]
    # one executemany, the ids in the order of the rows (references point at them by position)
    ids = list(conn.execute(_insert_minutes(), minutes).scalars()) if minutes else []
    rows = [
        {
            "minute_id": ids[r.minute_index],
            "kind": r.kind,
            "cited_text": r.cited_text[:2000],
            "cited_number": r.cited_number,
            "cited_sub": r.cited_sub,
            "cited_label": r.cited_label,
            "cited_year": r.cited_year,
            "cited_prefix": r.cited_prefix,
            "cited_committee": (r.cited_committee or None) and r.cited_committee[:300],
            "cited_date": r.cited_date,
            "parser_version": parser_version,
        }
        for r in parsed.references
        if r.minute_index is not None
    ]
    if rows:
        conn.execute(insert(detected_refs), rows)


def _insert_minutes():
    return cached(
        ("detected_minutes_insert",),
        lambda: insert(detected_minutes).returning(detected_minutes.c.id, sort_by_parameter_order=True),
    )


def drop(conn: Connection, extraction_id: int | None = None, page_version_id: int | None = None) -> None:
    """Remove a source's detected rows and what was derived from them (links, sources)."""
    col = (
        detected_minutes.c.extraction_id if extraction_id is not None else detected_minutes.c.page_version_id
    )
    source = extraction_id if extraction_id is not None else page_version_id
    minute_ids = select(detected_minutes.c.id).where(col == source)
    ref_ids = select(detected_refs.c.id).where(detected_refs.c.minute_id.in_(minute_ids))
    doomed = select(links.c.id).where(links.c.detected_reference_id.in_(ref_ids))
    # A link kept as the first of a citation's sources hands that role on before it goes.
    conn.execute(links.update().where(links.c.duplicate_of.in_(doomed)).values(duplicate_of=None))
    conn.execute(delete(links).where(links.c.detected_reference_id.in_(ref_ids)))
    conn.execute(delete(detected_refs).where(detected_refs.c.minute_id.in_(minute_ids)))
    losing = conn.scalars(
        select(minute_sources.c.minute_id)
        .where(minute_sources.c.detected_minute_id.in_(minute_ids))
        .distinct()
    ).all()
    conn.execute(delete(minute_sources).where(minute_sources.c.detected_minute_id.in_(minute_ids)))
    source_counts.recount(conn, losing)
    conn.execute(delete(detected_minutes).where(col == source))
