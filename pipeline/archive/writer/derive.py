"""Derived rows of one council: each detected minute linked to its minute, each reference resolved.

A job of its own, run at the end of every crawl and by ``reprocess``: per council, in batches (its
memory stays flat whatever the archive's size), idempotent (a second run changes nothing), and
independent of the order sources arrived in (a minute's label, title and text come from its best
source by a fixed order, not from whichever was seen first).

- Linking: a minute is one per meeting + number, found in many sources (the meeting page, the
  printed minutes, the next agenda pack). A minute embedded in a later pack attaches to the earlier
  meeting of the same committee with the date its heading gives; one whose meeting is not in the
  archive yet stays unlinked and is tried again next time.
- Resolving: the rules are ``pipeline.parse.resolve`` (pure); here they meet the archive. One
  citation (the same cited thing in one minute, in however many sources) is resolved once: the
  first link of each citation carries it, the others point at it (``duplicate_of``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, and_, delete, exists, func, select, update

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
from pipeline.archive.writer import search_index
from pipeline.archive.writer.sql import insert_ignore, upsert, utcnow
from pipeline.parse.profile import Profile
from pipeline.parse.resolve import citation_key, meeting_target, minute_target, normalise_name

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


@dataclass
class DeriveStats:
    minutes_linked: int = 0
    minutes_removed: int = 0
    references_resolved: int = 0
    references_unresolved: int = 0


def derive(engine: Engine, council_id: int, profile: Profile) -> DeriveStats:
    stats = DeriveStats()
    stats.minutes_linked = link_minutes(engine, council_id, profile)
    stats.minutes_removed = drop_orphan_minutes(engine, council_id)
    stats.references_resolved, stats.references_unresolved = resolve_references(engine, council_id, profile)
    return stats


# -- linking ----------------------------------------------------------------------------------


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


def link_minutes(engine: Engine, council_id: int, profile: Profile) -> int:
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
                    minute_id = _link_one(conn, council_id, row, profile)
                    if minute_id is not None:
                        touched.add(minute_id)
                        linked += 1
                refresh_minutes(conn, touched, profile)
                after = rows[-1].id
    return linked


def _link_one(conn: Connection, council_id: int, row, profile: Profile) -> int | None:
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
            "year": profile.numbering_year(meeting_date),
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


def refresh_minutes(conn: Connection, minute_ids: set[int], profile: Profile) -> None:
    """Set each minute's label, title, text and year from its sources, and re-index it.

    The best source comes first by a fixed order (meeting page before documents, then URL, then
    position): the result never depends on which source was crawled first. The label is the form
    the council cites ("74/15") once any source shows it.
    """
    for minute_id in sorted(minute_ids):
        found = conn.execute(
            select(dm.c.label, dm.c.title, dm.c.text)
            .join(sources, sources.c.detected_minute_id == dm.c.id)
            .where(sources.c.minute_id == minute_id)
            .order_by(dm.c.page_version_id.is_(None), sources.c.source_url, dm.c.position, dm.c.label)
        ).all()
        if not found:
            continue
        best = found[0]
        label = next((f.label for f in found if "/" in f.label), best.label)
        meeting = conn.execute(
            select(meetings.c.id, meetings.c.committee_id, meetings.c.date, minutes.c.council_id)
            .join(minutes, minutes.c.meeting_id == meetings.c.id)
            .where(minutes.c.id == minute_id)
        ).one()
        conn.execute(
            update(minutes)
            .where(minutes.c.id == minute_id)
            .values(label=label, title=best.title, text=best.text, year=profile.numbering_year(meeting.date))
        )
        search_index.index(
            conn,
            "minute",
            minute_id,
            meeting.council_id,
            meeting.committee_id,
            meeting.date,
            f"{label} {best.title}",
            best.text,
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


# -- resolving --------------------------------------------------------------------------------


def _new_references(conn: Connection, council_id: int, after: int):
    return conn.execute(
        select(dr, sources.c.minute_id.label("citing_minute_id"))
        .select_from(minutes)
        .join(sources, sources.c.minute_id == minutes.c.id)
        .join(dr, dr.c.minute_id == sources.c.detected_minute_id)
        .outerjoin(links, links.c.detected_reference_id == dr.c.id)
        .where(minutes.c.council_id == council_id, links.c.id.is_(None), dr.c.id > after)
        .order_by(dr.c.id)
        .limit(BATCH)
    ).all()


def _open_citations(conn: Connection, council_id: int, after: int):
    return conn.execute(
        select(links.c.id.label("link_id"), dr, minutes.c.committee_id, meetings.c.date.label("citing_date"))
        .select_from(links)
        .join(dr, dr.c.id == links.c.detected_reference_id)
        .join(minutes, minutes.c.id == links.c.citing_minute_id)
        .join(meetings, meetings.c.id == minutes.c.meeting_id)
        .where(
            minutes.c.council_id == council_id,
            links.c.duplicate_of.is_(None),
            links.c.resolved_at.is_(None),
            links.c.id > after,
        )
        .order_by(links.c.id)
        .limit(BATCH)
    ).all()


def resolve_references(engine: Engine, council_id: int, profile: Profile) -> tuple[int, int]:
    """Link new references to their citing minute, then resolve every open citation of the
    council; returns (resolved now, still open)."""
    after = 0
    while True:
        with engine.begin() as conn:
            rows = _new_references(conn, council_id, after)
            if not rows:
                break
            for ref in rows:
                key = citation_key(ref)
                first = conn.scalar(
                    select(links.c.id)
                    .where(
                        links.c.citing_minute_id == ref.citing_minute_id,
                        links.c.citation_key == key,
                        links.c.duplicate_of.is_(None),
                    )
                    .order_by(links.c.id)
                    .limit(1)
                )
                insert_ignore(
                    conn,
                    links,
                    ["detected_reference_id"],
                    detected_reference_id=ref.id,
                    citing_minute_id=ref.citing_minute_id,
                    citation_key=key,
                    duplicate_of=first,
                )
            after = rows[-1].id
    _merge_split_citations(engine, council_id)
    resolved = still_open = 0
    after = 0
    with engine.connect() as conn:
        by_name = {
            normalise_name(name): cid
            for cid, name in conn.execute(
                select(committees.c.id, committees.c.name).where(committees.c.council_id == council_id)
            )
        }
        by_prefix = dict(
            conn.execute(
                select(dm.c.prefix, minutes.c.committee_id)
                .join(sources, sources.c.detected_minute_id == dm.c.id)
                .join(minutes, minutes.c.id == sources.c.minute_id)
                .where(minutes.c.council_id == council_id, dm.c.prefix.is_not(None))
                .distinct()
            ).all()
        )
    while True:
        with engine.begin() as conn:
            rows = _open_citations(conn, council_id, after)
            if not rows:
                break
            for ref in rows:
                if _resolve_one(conn, ref, profile, by_name, by_prefix):
                    resolved += 1
                else:
                    still_open += 1
            after = rows[-1].link_id
    return resolved, still_open


def _merge_split_citations(engine: Engine, council_id: int) -> None:
    """After a source's rows were replaced, one citation may have two first links: keep the lowest."""
    with engine.begin() as conn:
        firsts = (
            select(
                links.c.citing_minute_id,
                links.c.citation_key,
                func.min(links.c.id).label("keep"),
            )
            .join(minutes, minutes.c.id == links.c.citing_minute_id)
            .where(minutes.c.council_id == council_id, links.c.duplicate_of.is_(None))
            .group_by(links.c.citing_minute_id, links.c.citation_key)
            .having(func.count() > 1)
        )
        for citing, key, keep in conn.execute(firsts).all():
            conn.execute(
                update(links)
                .where(
                    links.c.citing_minute_id == citing,
                    links.c.citation_key == key,
                    links.c.id != keep,
                )
                .values(duplicate_of=keep)
            )


def _resolve_one(conn: Connection, ref, profile: Profile, by_name, by_prefix) -> bool:
    target_minute = target_meeting = None
    if ref.kind == "minute":
        t = minute_target(ref, ref.committee_id, ref.citing_date, profile, by_name, by_prefix)
        if t.committee_id is not None and t.year is not None:
            for number in dict.fromkeys([t.number, ref.cited_number]):
                target_minute = conn.scalar(
                    select(minutes.c.id)
                    .where(
                        minutes.c.committee_id == t.committee_id,
                        minutes.c.year == t.year,
                        minutes.c.number == number,
                    )
                    .order_by(minutes.c.id)
                    .limit(1)
                )
                if target_minute:
                    break
        reason = None if target_minute else t.problem or f"no minute {t.number} of {t.year} in the archive"
    else:
        t = meeting_target(ref, ref.committee_id, by_name)
        if t.committee_id is not None and t.meeting_date is not None:
            target_meeting = conn.scalar(
                select(meetings.c.id)
                .where(meetings.c.committee_id == t.committee_id, meetings.c.date == t.meeting_date)
                .order_by(meetings.c.id)
                .limit(1)
            )
        reason = None if target_meeting else t.problem or f"no meeting on {t.meeting_date} in the archive"
    if target_minute:
        target_meeting = conn.scalar(select(minutes.c.meeting_id).where(minutes.c.id == target_minute))
    values = {
        "method": t.method,
        "reason": reason,
        "target_minute_id": target_minute,
        "target_meeting_id": target_meeting,
        "resolved_at": utcnow() if (target_minute or target_meeting) else None,
    }
    conn.execute(update(links).where(links.c.id == ref.link_id).values(**values))
    conn.execute(update(links).where(links.c.duplicate_of == ref.link_id).values(**values))
    return bool(target_minute or target_meeting)
