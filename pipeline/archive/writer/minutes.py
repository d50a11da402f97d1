"""Detected minutes linked to their minute: one per meeting + number, however many sources show it.

A minute embedded in a later agenda pack attaches to the earlier meeting of the same committee with
the date its heading gives; one whose meeting is not in the archive yet stays unlinked and is tried
again next time. A minute's label, title and text come from its best source by a fixed order, so
the result never depends on which source was crawled first. Batched: memory stays flat.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, and_, bindparam, delete, exists, func, select, update

from pipeline.archive.models import (
    Committee,
    DetectedMinute,
    DetectedReference,
    Document,
    DocumentVersion,
    Meeting,
    Minute,
    MinuteSource,
    Page,
    PageVersion,
    ReferenceLink,
    TextExtraction,
)
from pipeline.archive.writer import search_index, source_counts
from pipeline.archive.writer.sql import cached, insert_ignore, upsert, utcnow
from pipeline.parse.profile import Profiles

BATCH = 500

dm = DetectedMinute.__table__
dr = DetectedReference.__table__
minutes = Minute.__table__
sources = MinuteSource.__table__
links = ReferenceLink.__table__
meetings = Meeting.__table__
committees = Committee.__table__
pages = Page.__table__
page_versions = PageVersion.__table__
documents = Document.__table__
doc_versions = DocumentVersion.__table__
extractions = TextExtraction.__table__


def _unlinked(council_id: int):
    """No source row ties this detected minute to a minute of this council yet."""
    return ~exists(
        select(sources.c.id)
        .join(minutes, minutes.c.id == sources.c.minute_id)
        .where(sources.c.detected_minute_id == dm.c.id, minutes.c.council_id == council_id)
    )


_DM_COLUMNS = (dm.c.id, dm.c.number, dm.c.label, dm.c.meeting_date)


def _pending_from_pages(conn: Connection, council_id: int, after: int):
    return conn.execute(
        select(
            *_DM_COLUMNS,
            pages.c.url.label("source_url"),
            meetings.c.id.label("meeting_id"),
            meetings.c.committee_id,
            meetings.c.date.label("meeting_date_of_source"),
        )
        .select_from(pages)
        .join(page_versions, page_versions.c.page_id == pages.c.id)
        .join(dm, dm.c.page_version_id == page_versions.c.id)
        .join(meetings, and_(meetings.c.council_id == council_id, meetings.c.url == pages.c.url))
        .where(pages.c.council_id == council_id, dm.c.id > after, _unlinked(council_id))
        .order_by(dm.c.id)
        .limit(BATCH)
    ).all()


def _pending_from_documents(conn: Connection, council_id: int, after: int):
    first_doc = (
        select(dm.c.id.label("dm_id"), func.min(documents.c.id).label("doc_id"))
        .select_from(documents)
        .join(doc_versions, doc_versions.c.document_id == documents.c.id)
        .join(extractions, extractions.c.sha256 == doc_versions.c.sha256)
        .join(dm, dm.c.extraction_id == extractions.c.id)
        .where(
            documents.c.council_id == council_id,
            documents.c.meeting_id.is_not(None),
            dm.c.id > after,
            _unlinked(council_id),
        )
        .group_by(dm.c.id)
        .order_by(dm.c.id)
        .limit(BATCH)
        .subquery()
    )
    return conn.execute(
        select(
            *_DM_COLUMNS,
            documents.c.url.label("source_url"),
            meetings.c.id.label("meeting_id"),
            meetings.c.committee_id,
            meetings.c.date.label("meeting_date_of_source"),
        )
        .select_from(first_doc)
        .join(dm, dm.c.id == first_doc.c.dm_id)
        .join(documents, documents.c.id == first_doc.c.doc_id)
        .join(meetings, meetings.c.id == documents.c.meeting_id)
        .order_by(dm.c.id)
    ).all()


def link_minutes(engine: Engine, council_id: int, profiles: Profiles) -> int:
    linked = 0
    for pending in (_pending_from_pages, _pending_from_documents):
        after = 0
        while True:
            with engine.begin() as conn:
                rows = pending(conn, council_id, after)
                if not rows:
                    break
                touched: set[int] = set()
                for row in rows:
                    minute_id = _link_one(conn, council_id, row, profiles)
                    if minute_id is not None:
                        touched.add(minute_id)
                        linked += 1
                refresh_minutes(conn, touched, profiles)
                after = rows[-1].id
    return linked


def _link_one(conn: Connection, council_id: int, row, profiles: Profiles) -> int | None:
    meeting_id, meeting_date = row.meeting_id, row.meeting_date_of_source
    if row.meeting_date is not None and row.meeting_date != meeting_date:
        # minutes of an earlier meeting embedded in this one's pack
        meeting_id = conn.scalar(
            select(meetings.c.id)
            .where(meetings.c.committee_id == row.committee_id, meetings.c.date == row.meeting_date)
            .order_by(meetings.c.id)
            .limit(1)
        )
        if meeting_id is None:
            return None
        meeting_date = row.meeting_date
    minute_id, _ = upsert(
        conn,
        minutes,
        {"meeting_id": meeting_id, "number": row.number},
        {
            "council_id": council_id,
            "committee_id": row.committee_id,
            "label": row.label,
            "year": profiles.of(row.committee_id).numbering_year(meeting_date),
            "title": "",
            "text": "",
            "first_seen": utcnow(),
        },
    )
    insert_ignore(
        conn,
        sources,
        ["minute_id", "detected_minute_id"],
        minute_id=minute_id,
        detected_minute_id=row.id,
        source_url=row.source_url,
    )
    return minute_id


def refresh_minutes(conn: Connection, minute_ids: set[int], profiles: Profiles) -> None:
    """Set each minute's label, title, text and year from its sources, and re-index it.

    The best source comes first by a fixed order (meeting page before documents, then URL, then
    position): the result never depends on which source was crawled first. The label is the form
    the council cites ("74/15") once any source shows it. One SELECT of the sources and one of the
    meetings for the whole batch, one executemany UPDATE.
    """
    ids = sorted(minute_ids)
    if not ids:
        return
    source_counts.recount(conn, ids)
    found: dict[int, list] = {}
    for row in conn.execute(_sources_of(), {"b_ids": ids}):
        found.setdefault(row.minute_id, []).append(row)
    meeting_of = {row.minute_id: row for row in conn.execute(_meetings_of(), {"b_ids": ids})}
    changes, indexed = [], []
    for minute_id in ids:
        if minute_id not in found:
            continue
        best = found[minute_id][0]
        label = next((f.label for f in found[minute_id] if "/" in f.label), best.label)
        meeting = meeting_of[minute_id]
        year = profiles.of(meeting.committee_id).numbering_year(meeting.date)
        changes.append(
            {"b_id": minute_id, "b_label": label, "b_title": best.title, "b_text": best.text, "b_year": year}
        )
        indexed.append((minute_id, meeting, f"{label} {best.title}", best.text))
    if changes:
        conn.execute(_refresh(), changes)
    search_index.index_many(
        conn,
        "minute",
        [(i, m.council_id, m.committee_id, m.date, title, text) for i, m, title, text in indexed],
    )


def _sources_of():
    """Each minute's sources, best first (see ``refresh_minutes``)."""
    return cached(
        ("minute_sources_of",),
        lambda: (
            select(sources.c.minute_id, dm.c.label, dm.c.title, dm.c.text)
            .join(sources, sources.c.detected_minute_id == dm.c.id)
            .where(sources.c.minute_id.in_(bindparam("b_ids", expanding=True)))
            .order_by(
                sources.c.minute_id,
                dm.c.page_version_id.is_(None),
                sources.c.source_url,
                dm.c.position,
                dm.c.label,
            )
        ),
    )


def _meetings_of():
    return cached(
        ("minute_meetings_of",),
        lambda: (
            select(
                minutes.c.id.label("minute_id"),
                meetings.c.committee_id,
                meetings.c.date,
                minutes.c.council_id,
            )
            .join(minutes, minutes.c.meeting_id == meetings.c.id)
            .where(minutes.c.id.in_(bindparam("b_ids", expanding=True)))
        ),
    )


def _refresh():
    return cached(
        ("minute_refresh",),
        lambda: (
            update(minutes)
            .where(minutes.c.id == bindparam("b_id"))
            .values(
                label=bindparam("b_label"),
                title=bindparam("b_title"),
                text=bindparam("b_text"),
                year=bindparam("b_year", type_=minutes.c.year.type),
            )
        ),
    )


def drop_orphan_minutes(engine: Engine, council_id: int) -> int:
    """Minutes no source shows any more (a reprocessed parser no longer finds them) go, and any
    reference resolved to one of them is open again."""
    removed = 0
    while True:
        with engine.begin() as conn:
            orphans = conn.scalars(
                select(minutes.c.id)
                .where(
                    minutes.c.council_id == council_id,
                    ~exists(select(sources.c.id).where(sources.c.minute_id == minutes.c.id)),
                )
                .order_by(minutes.c.id)
                .limit(BATCH)
            ).all()
            if not orphans:
                return removed
            conn.execute(
                update(links)
                .where(links.c.target_minute_id.in_(orphans))
                .values(target_minute_id=None, target_meeting_id=None, resolved_at=None, reason=None)
            )
            for minute_id in orphans:
                search_index.unindex(conn, "minute", minute_id)
            conn.execute(delete(minutes).where(minutes.c.id.in_(orphans)))
            removed += len(orphans)
