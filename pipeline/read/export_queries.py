"""The rows of each export, streamed straight from the database (columns in docs/schema.md).

Columns are a contract (journalists' spreadsheets and scripts rely on them): never rename or drop
one; new ones go at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import Engine, and_, func, select
from sqlalchemy.orm import aliased

from pipeline.archive.models import (
    Committee,
    Council,
    DetectedReference,
    Document,
    DocumentEvent,
    DocumentVersion,
    Meeting,
    MeetingState,
    Minute,
    ReferenceLink,
    TextExtraction,
)
from pipeline.extract import engine as extractor_engine
from pipeline.read.councils import council_id
from pipeline.read.export_stream import SMALL_BATCH, _batches, _hhmm, _iso, _stream, sqlite_minutes

MEETING_COLUMNS = [
    "council",
    "committee",
    "meeting_id",
    "date",
    "time",
    "status",
    "url",
    "venue",
    "title",
    "first_seen",
    "last_seen",
]
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
    "text_error",  # why there is no text: not a PDF, malformed, empty...
]


# The default extractor's text decides a document's pages and text status.
EXTRACTOR = extractor_engine()


def _filters(
    engine: Engine,
    council: str | None,
    date_from: date | None,
    date_to: date | None,
    committee: str | None = None,
) -> list:
    conds = [Committee.name == committee] if committee else []
    if council:
        with engine.connect() as conn:
            council_id(conn, council)  # one line for an unknown slug
        conds.append(Council.slug == council)
    if date_from:
        conds.append(Meeting.date >= date_from)
    if date_to:
        conds.append(Meeting.date <= date_to)
    return conds


def meeting_rows(
    engine: Engine,
    council=None,
    date_from=None,
    date_to=None,
    committee=None,
    all_versions=False,
    as_of=None,
) -> Iterator[list]:
    """Meetings as they stand, with ``all_versions`` every state each meeting page ever showed, or
    with ``as_of`` (a datetime) the state the archive had recorded by then."""
    conds = _filters(engine, council, date_from, date_to, committee)
    src = MeetingState if all_versions or as_of else Meeting
    q = (
        select(
            Council.slug,
            Committee.name,
            Meeting.site_id,
            src.date,
            src.time,
            src.status,
            Meeting.url,
            src.venue,
            src.title,
            src.first_seen,
            src.last_seen,
        )
        .join(Committee, Committee.id == Meeting.committee_id)
        .join(Council, Council.id == Meeting.council_id)
        .where(*conds)
        .order_by(Council.slug, Meeting.date, Meeting.site_id)
    )
    if all_versions:
        q = q.join(MeetingState, MeetingState.meeting_id == Meeting.id).order_by(MeetingState.id)
    elif as_of:
        state_then = (
            select(func.max(MeetingState.id))
            .where(MeetingState.meeting_id == Meeting.id, MeetingState.first_seen <= as_of)
            .correlate(Meeting)
            .scalar_subquery()
        )
        q = q.join(MeetingState, MeetingState.id == state_then)
    yield from _stream(
        engine,
        q,
        lambda r: [
            r[0],
            r[1],
            r[2],
            _iso(r[3]),
            _hhmm(r[4]),
            r[5],
            r[6],
            r[7] or "",
            r[8] or "",
            _iso(r[9]),
            _iso(r[10]),
        ],
    )


def document_rows(
    engine: Engine,
    council=None,
    date_from=None,
    date_to=None,
    committee=None,
    all_versions=False,
    as_of=None,
) -> Iterator[list]:
    """Documents with their latest version, with ``all_versions`` one row per version, or with
    ``as_of`` (a datetime) as the archive held them then: the version current then, removed or not."""
    conds = _filters(engine, council, date_from, date_to, committee)
    removed = Document.removed_at
    versions = select(
        DocumentVersion.document_id,
        func.max(DocumentVersion.id).label("vid"),
        func.count(DocumentVersion.id).label("n"),
    )
    if as_of:
        versions = versions.where(DocumentVersion.first_seen <= as_of)
        conds.append(Document.first_seen <= as_of)
        # the latest removal or restoration on or before that day decides
        removed = (
            select(DocumentEvent.event)
            .where(DocumentEvent.document_id == Document.id, DocumentEvent.at <= as_of)
            .order_by(DocumentEvent.id.desc())
            .limit(1)
            .correlate(Document)
            .scalar_subquery()
        )
    latest = versions.group_by(DocumentVersion.document_id).subquery()
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
            removed,
            DocumentVersion.size,
            DocumentVersion.first_seen if all_versions else Document.first_seen,
            DocumentVersion.last_seen if all_versions else Document.last_seen,
            Meeting.site_id,
            TextExtraction.pages,
            TextExtraction.status,
            TextExtraction.error,
        )
        .join(Council, Council.id == Document.council_id)
        .outerjoin(Meeting, Meeting.id == Document.meeting_id)
        .outerjoin(Committee, Committee.id == Meeting.committee_id)
        .outerjoin(latest, latest.c.document_id == Document.id)
        .outerjoin(
            DocumentVersion,
            DocumentVersion.document_id == Document.id
            if all_versions
            else DocumentVersion.id == latest.c.vid,
        )
        .outerjoin(
            TextExtraction,
            and_(
                TextExtraction.sha256 == DocumentVersion.sha256,
                TextExtraction.extractor == EXTRACTOR.NAME,
                TextExtraction.extractor_version == EXTRACTOR.VERSION,
            ),
        )
        .where(*conds)
        .order_by(Council.slug, Meeting.date, Document.id, DocumentVersion.id)
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
            "true" if r[8] not in (None, "restored") else "false",  # removed_at, or the event as of a date
            "" if r[13] is None else r[13],
            r[14] or "pending",
            r[9] or "",
            _iso(r[10]),
            _iso(r[11]),
            r[12] or "",
            r[15] or "",
        ],
    )


MINUTE_COLUMNS = [
    "council",
    "committee",
    "meeting_date",
    "number",
    "label",
    "title",
    "source_url",
    "sources",
    "year",
    "text",
]
REFERENCE_COLUMNS = [
    "council",
    "committee",
    "meeting_date",
    "minute_label",
    "kind",
    "cited_text",
    "target_committee",
    "target_meeting_date",
    "target_minute_label",
    "resolved",
    "method",
    "target_minute_title",
    "reason",  # why an unresolved citation is unresolved
    "sources",  # how many sources (meeting page, printed minutes, later packs) print this citation
]


SQLITE_PLANNED = True  # tests compare with the portable query below


def _minute_shape(r):
    return [r[0], r[1], _iso(r[2]), r[3], r[4], r[5], r[6], r[7], r[8] or "", r[9]]


def minute_rows(engine: Engine, council=None, date_from=None, date_to=None, committee=None) -> Iterator[list]:
    """One row per minute (however many sources it was found in)."""
    conds = _filters(engine, council, date_from, date_to, committee)
    if engine.dialect.name == "sqlite" and SQLITE_PLANNED:
        yield from _stream(engine, sqlite_minutes(council, date_from, date_to, committee), _minute_shape)
        return
    q = (
        select(
            Council.slug,
            Committee.name,
            Meeting.date,
            Minute.number,
            Minute.label,
            Minute.title,
            Minute.first_source_url,  # kept from minute_sources by the writer (migration 0013)
            Minute.source_count,
            Minute.year,
            Minute.text,
        )
        .join(Committee, Committee.id == Minute.committee_id)
        .join(Council, Council.id == Minute.council_id)
        .join(Meeting, Meeting.id == Minute.meeting_id)
        .where(Minute.source_count > 0, *conds)
        .order_by(Council.slug, Meeting.date, Meeting.id, Minute.id)
    )
    yield from _stream(engine, q, _minute_shape)


CELLS = True  # tests compare the text cells' path with the shaped rows'


def minute_cells(engine: Engine, council=None, date_from=None, date_to=None, committee=None):
    """Batches of (id, cells but the text each followed by SEP, text) of minutes, as UTF-8 bytes,
    where SQLite makes the cells (exports.cell_lines), else None."""
    if not (engine.dialect.name == "sqlite" and SQLITE_PLANNED and CELLS):
        return None
    _filters(engine, council, date_from, date_to, committee)  # one line for an unknown slug
    return _batches(engine, sqlite_minutes(council, date_from, date_to, committee, cells=True), SMALL_BATCH)


def minute_row(engine: Engine, minute_id: int) -> list:
    """One minute's shaped row, for a row whose cells hold SEP themselves."""
    (row,) = _stream(engine, sqlite_minutes(None, None, None, None, minute_id=minute_id), _minute_shape)
    return row


def reference_rows(
    engine: Engine, council=None, date_from=None, date_to=None, committee=None
) -> Iterator[list]:
    """One row per reference; the first four columns describe the citing minute."""
    conds = _filters(engine, council, date_from, date_to, committee)
    target = aliased(Minute)
    target_meeting = aliased(Meeting)
    target_committee = aliased(Committee)
    copies = aliased(ReferenceLink)
    sources = (
        select(func.count())
        .select_from(copies)
        .where(copies.duplicate_of == ReferenceLink.id)
        .scalar_subquery()
    )
    q = (
        select(
            Council.slug,
            Committee.name,
            Meeting.date,
            Minute.label,
            DetectedReference.kind,
            DetectedReference.cited_text,
            target_committee.name,
            target_meeting.date,
            target.label,
            ReferenceLink.resolved_at,
            ReferenceLink.method,
            target.title,
            ReferenceLink.reason,
            sources,
        )
        .select_from(ReferenceLink)
        .join(DetectedReference, DetectedReference.id == ReferenceLink.detected_reference_id)
        .join(Minute, Minute.id == ReferenceLink.citing_minute_id)
        .join(Meeting, Meeting.id == Minute.meeting_id)
        .join(Committee, Committee.id == Minute.committee_id)
        .join(Council, Council.id == Minute.council_id)
        .outerjoin(target, target.id == ReferenceLink.target_minute_id)
        .outerjoin(target_meeting, target_meeting.id == ReferenceLink.target_meeting_id)
        .outerjoin(target_committee, target_committee.id == target_meeting.committee_id)
        .where(ReferenceLink.duplicate_of.is_(None), *conds)
        .order_by(Council.slug, Meeting.date, Minute.id, ReferenceLink.id)
    )
    yield from _stream(
        engine,
        q,
        lambda r: [
            r[0],
            r[1],
            _iso(r[2]),
            r[3],
            r[4],
            r[5],
            r[6] or "",
            _iso(r[7]),
            r[8] or "",
            "true" if r[9] else "false",
            r[10] or "",
            r[11] or "",
            "" if r[9] else (r[12] or ""),
            1 + (r[13] or 0),
        ],
    )
