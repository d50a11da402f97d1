"""The archive schema (SQLAlchemy 2). docs/schema.md describes every table for researchers.

Content is append-only: a fetched page or document, a meeting's state, an agenda item's text each
get a new ``*_versions`` / ``*_states`` row when they change; an unchanged re-fetch only moves that
row's ``last_seen``. Identity rows (``committees``, ``meetings``, ``documents``...) carry site ids and
URLs plus ``first_seen``/``last_seen``; ``meetings`` also caches its latest state for easy queries.
All timestamps are UTC.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Council(Base):
    __tablename__ = "councils"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    name: Mapped[str | None] = mapped_column(String(300))
    base_url: Mapped[str] = mapped_column(Text, nullable=False)
    platform: Mapped[str] = mapped_column(String(20), nullable=False, default="moderngov")
    # What the year in a minute label means: "municipal" (74/15 = May 2015 to April 2016) or "calendar".
    year_convention: Mapped[str] = mapped_column(String(20), nullable=False, server_default="municipal")
    # The convention the registry sets; NULL: each committee's is learnt from its own minutes.
    year_convention_set: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class CrawlRun(Base):
    __tablename__ = "crawl_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), nullable=False, index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    # running | finished | partial (some items could not be stored: retried next run) | failed (the
    # site could not be crawled at all) | interrupted (the process ended before the run did)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    options: Mapped[dict | None] = mapped_column(JSON)
    stats: Mapped[dict | None] = mapped_column(JSON)


class Blob(Base):
    """A byte string stored once under data/blobs/ by its sha256."""

    __tablename__ = "blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    stored_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class FetchLog(Base):
    """Every request the crawler made, successful or not."""

    __tablename__ = "fetches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), nullable=False)
    url: Mapped[str] = mapped_column(Text, nullable=False)
    final_url: Mapped[str | None] = mapped_column(Text)  # after redirects, when different
    status: Mapped[int | None] = mapped_column(Integer)
    fetched_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    content_type: Mapped[str | None] = mapped_column(String(200))
    headers: Mapped[dict | None] = mapped_column(JSON)
    sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"))
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_fetches_url", "url"),)


class Page(Base):
    """An HTML page of a council site (committee list, meeting list, meeting page...)."""

    __tablename__ = "pages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), nullable=False)
    url: Mapped[str] = mapped_column(Text, nullable=False)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    first_seen: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    last_seen: Mapped[datetime] = mapped_column(DateTime, nullable=False)

    __table_args__ = (UniqueConstraint("council_id", "url", name="uq_pages_council_url"),)


class PageVersion(Base):
    __tablename__ = "page_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id"), nullable=False, index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    fetch_id: Mapped[int | None] = mapped_column(ForeignKey("fetches.id"))
    first_seen: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    last_seen: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    # The parser (version;profile) whose detected minutes of this version are stored; NULL: not parsed.
    parser_version: Mapped[str | None] = mapped_column(String(60))


class Committee(Base):
    __tablename__ = "committees"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), nullable=False)
    site_id: Mapped[int] = mapped_column(BigInteger, nullable=False)  # ModernGov CId / committee ID
    name: Mapped[str] = mapped_column(String(500), nullable=False)
    url: Mapped[str | None] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    last_seen: Mapped[datetime] = mapped_column(DateTime, nullable=False)

    __table_args__ = (UniqueConstraint("council_id", "site_id", name="uq_committees_council_site"),)


class Meeting(Base):
    """A meeting (ModernGov MId); date..title cache the latest row of meeting_states."""

    __tablename__ = "meetings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), nullable=False)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), nullable=False, index=True)
    site_id: Mapped[int] = mapped_column(BigInteger, nullable=False)  # ModernGov MId
    url: Mapped[str] = mapped_column(Text, nullable=False)
    date: Mapped[date | None] = mapped_column(Date, index=True)
    time: Mapped[time | None] = mapped_column(Time)
    status: Mapped[str] = mapped_column(String(20), nullable=False)  # scheduled | cancelled | postponed
    venue: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    list_suffix: Mapped[str | None] = mapped_column(String(200))  # " - Agenda, Decisions, Minutes"
    date_modified: Mapped[date | None] = mapped_column(Date)  # the page's DC.date.modified
    first_seen: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    last_seen: Mapped[datetime] = mapped_column(DateTime, nullable=False)

    __table_args__ = (
        UniqueConstraint("council_id", "site_id", name="uq_meetings_council_site"),
        Index("ix_meetings_council_url", "council_id", "url"),
        Index("ix_meetings_council_date", "council_id", "date"),  # the minutes export's order
    )


class MeetingState(Base):
    """Every distinct state a meeting page showed (date, time, venue, status, title)."""

    __tablename__ = "meeting_states"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), nullable=False, index=True)
    page_version_id: Mapped[int | None] = mapped_column(ForeignKey("page_versions.id"))
    date: Mapped[date | None] = mapped_column(Date)
    time: Mapped[time | None] = mapped_column(Time)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    venue: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    first_seen: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    last_seen: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class AgendaItem(Base):
    """A row of a meeting page; identity is ModernGov's stable ``AI…`` id (else the row number)."""

    __tablename__ = "agenda_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), nullable=False, index=True)
    item_key: Mapped[str] = mapped_column(String(40), nullable=False)  # "AI51890" or "row:54"
    ai_id: Mapped[int | None] = mapped_column(BigInteger)
    first_seen: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    last_seen: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("meeting_id", "item_key", name="uq_agenda_items_meeting_key"),)


class AgendaItemVersion(Base):
    __tablename__ = "agenda_item_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id"), nullable=False, index=True)
    page_version_id: Mapped[int | None] = mapped_column(ForeignKey("page_versions.id"))
    number: Mapped[str] = mapped_column(String(40), nullable=False)  # as shown: "54"
    title: Mapped[str] = mapped_column(Text, nullable=False)
    minutes_html: Mapped[str | None] = mapped_column(Text)
    minutes_text: Mapped[str | None] = mapped_column(Text)
    decision_html: Mapped[str | None] = mapped_column(Text)
    decision_text: Mapped[str | None] = mapped_column(Text)
    full_text_url: Mapped[str | None] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    first_seen: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    last_seen: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class Document(Base):
    """A document linked from a meeting page (identity: its URL on the site, or ``doc_key`` where the
    site gives a document a new URL on each publication: CMIS tokens)."""

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), nullable=False)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_items.id"))
    url: Mapped[str] = mapped_column(Text, nullable=False)
    title: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    first_seen: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    last_seen: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # "cmis:<meeting id>:<normalised title>" (crawler.pages.DocumentLink.key); url is then the latest link.
    doc_key: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("council_id", "url", name="uq_documents_council_url"),
        Index("uq_documents_council_key", "council_id", "doc_key", unique=True),
    )


class DocumentVersion(Base):
    __tablename__ = "document_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), nullable=False, index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), nullable=False, index=True)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    content_type: Mapped[str | None] = mapped_column(String(200))
    fetched_url: Mapped[str | None] = mapped_column(Text)  # the PDF behind an mgChooseDocPack link
    # True when the bytes changed but the extracted text did not (ModernGov regenerates PDFs):
    # kept for fixity, left out of change reports. NULL when unknown (first version, no text).
    same_text_as_previous: Mapped[bool | None] = mapped_column(Boolean)
    fetch_id: Mapped[int | None] = mapped_column(ForeignKey("fetches.id"))
    first_seen: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    last_seen: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class TextExtraction(Base):
    """Text extracted from one byte string by one extractor version (never twice for the same)."""

    __tablename__ = "text_extractions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), nullable=False)
    extractor: Mapped[str] = mapped_column(String(50), nullable=False)
    extractor_version: Mapped[str] = mapped_column(String(50), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)  # ok | empty | failed
    error: Mapped[str | None] = mapped_column(Text)
    pages: Mapped[int] = mapped_column(Integer, nullable=False)
    text_sha256: Mapped[str | None] = mapped_column(String(64))  # of the whole text: equal text, equal hash
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    # The parser (version;profile) that made this text's clean pages and detected minutes; NULL: none yet.
    parser_version: Mapped[str | None] = mapped_column(String(60))

    __table_args__ = (
        UniqueConstraint(
            "sha256", "extractor", "extractor_version", name="uq_text_extractions_sha_extractor"
        ),
    )


class TextPage(Base):
    __tablename__ = "text_pages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    extraction_id: Mapped[int] = mapped_column(ForeignKey("text_extractions.id"), nullable=False)
    page_no: Mapped[int] = mapped_column(Integer, nullable=False)  # 1-based
    text: Mapped[str] = mapped_column(Text, nullable=False)  # after the repairs of pipeline.parse.cleanup
    raw_text: Mapped[str | None] = mapped_column(Text)  # as extracted (NULL in archives made before 0006)
    needs_ocr: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    __table_args__ = (UniqueConstraint("extraction_id", "page_no", name="uq_text_pages_extraction_page"),)


class DetectedMinute(Base):
    """A numbered minute found in one source: an extracted PDF text or a meeting page version."""

    __tablename__ = "detected_minutes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    extraction_id: Mapped[int | None] = mapped_column(ForeignKey("text_extractions.id"), index=True)
    page_version_id: Mapped[int | None] = mapped_column(ForeignKey("page_versions.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)  # order in the source
    number: Mapped[str] = mapped_column(String(40), nullable=False)
    label: Mapped[str] = mapped_column(String(60), nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    meeting_date: Mapped[date | None] = mapped_column(Date)
    page: Mapped[int | None] = mapped_column(Integer)
    prefix: Mapped[str | None] = mapped_column(String(20))
    year: Mapped[str | None] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text, nullable=False)
    parser_version: Mapped[str | None] = mapped_column(String(60))


class DetectedReference(Base):
    """A cross-reference found in a detected minute (resolution against the archive comes later)."""

    __tablename__ = "detected_references"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    minute_id: Mapped[int] = mapped_column(ForeignKey("detected_minutes.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)  # minute | meeting
    cited_text: Mapped[str] = mapped_column(Text, nullable=False)
    cited_number: Mapped[str | None] = mapped_column(String(20))
    cited_sub: Mapped[str | None] = mapped_column(String(10))
    cited_label: Mapped[str | None] = mapped_column(String(60))
    cited_year: Mapped[int | None] = mapped_column(Integer)
    cited_prefix: Mapped[str | None] = mapped_column(String(20))
    cited_committee: Mapped[str | None] = mapped_column(String(300))
    cited_date: Mapped[date | None] = mapped_column(Date)
    parser_version: Mapped[str | None] = mapped_column(String(60))


class Minute(Base):
    """One minute of one meeting, wherever it was found (meeting page, printed minutes, a later pack)."""

    __tablename__ = "minutes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    council_id: Mapped[int] = mapped_column(ForeignKey("councils.id"), nullable=False)
    committee_id: Mapped[int] = mapped_column(ForeignKey("committees.id"), nullable=False, index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), nullable=False, index=True)
    number: Mapped[str] = mapped_column(String(40), nullable=False)
    label: Mapped[str] = mapped_column(String(60), nullable=False)
    year: Mapped[int | None] = mapped_column(Integer)  # municipal (or calendar) year of the meeting
    title: Mapped[str] = mapped_column(Text, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    first_seen: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    # Kept from minute_sources by the writer (writer/source_counts.py), so that the export reads a
    # minute's first source and its number of sources from its own row: the URL of the source
    # with the lowest id, and how many there are
    first_source_url: Mapped[str] = mapped_column(Text, nullable=False, server_default="")
    source_count: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")

    __table_args__ = (UniqueConstraint("meeting_id", "number", name="uq_minutes_meeting_number"),)


class MinuteSource(Base):
    """Where a minute was found: one row per detected minute (so per source version)."""

    __tablename__ = "minute_sources"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    minute_id: Mapped[int] = mapped_column(ForeignKey("minutes.id"), nullable=False, index=True)
    detected_minute_id: Mapped[int] = mapped_column(
        ForeignKey("detected_minutes.id"), nullable=False, index=True
    )
    source_url: Mapped[str] = mapped_column(Text, nullable=False)

    # One text can hold minutes of two councils' meetings (a joint committee's papers on both sites).
    __table_args__ = (
        UniqueConstraint("minute_id", "detected_minute_id", name="uq_minute_sources_minute_detected"),
    )


class ReferenceLink(Base):
    """A detected reference, its citing minute and (once resolved) what it cites, and how."""

    __tablename__ = "reference_links"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    detected_reference_id: Mapped[int] = mapped_column(
        ForeignKey("detected_references.id"), nullable=False, unique=True
    )
    citing_minute_id: Mapped[int] = mapped_column(ForeignKey("minutes.id"), nullable=False, index=True)
    target_minute_id: Mapped[int | None] = mapped_column(ForeignKey("minutes.id"), index=True)
    target_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id"))
    method: Mapped[str | None] = mapped_column(Text)  # e.g. "same committee, year 2015, number 74"
    # The same citation seen again (another source of the citing minute, or cited twice in it):
    # kept for provenance, left out of exports.
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("reference_links.id"), index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    # What is cited, normalised: the same citation found in several sources of one minute shares it.
    citation_key: Mapped[str | None] = mapped_column(String(300))
    reason: Mapped[str | None] = mapped_column(Text)  # why it is (not) resolved

    __table_args__ = (Index("ix_reference_links_citation", "citing_minute_id", "citation_key"),)


class DocumentEvent(Base):
    """A document disappearing from its meeting page (removed) or coming back (restored)."""

    __tablename__ = "document_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), nullable=False, index=True)
    event: Mapped[str] = mapped_column(String(10), nullable=False)  # removed | restored
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    page_version_id: Mapped[int | None] = mapped_column(ForeignKey("page_versions.id"))
