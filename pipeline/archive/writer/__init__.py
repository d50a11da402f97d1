"""The one module that writes to the archive database.

Every write goes through ``Archive``: one transaction per fetched page or document, blobs on disk
before the rows that name them, idempotent upserts keyed by site identity (council + ModernGov ids
or URLs), and append-only versions. A re-run after a crash redoes at most the item in flight.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from crawler.items import DocumentItem, Fetch, PageItem
from crawler.moderngov_pages import AgendaItem as ParsedItem
from crawler.moderngov_pages import MeetingLink, MeetingPage
from pipeline.archive.blobs import BlobStore
from pipeline.archive.models import (
    AgendaItem,
    AgendaItemVersion,
    Blob,
    Committee,
    Council,
    CrawlRun,
    DetectedMinute,
    DetectedReference,
    Document,
    DocumentEvent,
    DocumentVersion,
    FetchLog,
    Meeting,
    MeetingState,
    Minute,
    MinuteSource,
    Page,
    PageVersion,
    ReferenceLink,
    TextExtraction,
    TextPage,
)
from pipeline.parse.resolve import meeting_target, minute_target, minute_year, normalise_name


def utcnow() -> datetime:
    """Naive UTC (the archive stores UTC throughout; SQLite keeps no zone)."""
    return datetime.now(UTC).replace(tzinfo=None)


def fingerprint(*values: Any) -> str:
    return hashlib.sha256(json.dumps(values, default=str, ensure_ascii=False).encode()).hexdigest()


@dataclass
class StoreResult:
    """What one stored item changed: the run's statistics are sums of these."""

    new_versions: int = 0
    new_rows: int = 0


class Archive:
    def __init__(self, engine: Engine, blobs: BlobStore):
        self.engine = engine
        self.blobs = blobs
        self._session = sessionmaker(engine, expire_on_commit=False)

    # -- councils and runs -------------------------------------------------------------------

    def ensure_council(self, slug: str, base_url: str, name: str | None = None) -> int:
        with self._session.begin() as s:
            council = s.scalar(select(Council).where(Council.slug == slug))
            if council is None:
                council = Council(slug=slug, base_url=base_url, name=name or slug, created_at=utcnow())
                s.add(council)
                s.flush()
            else:
                council.base_url = base_url
                if name:
                    council.name = name
            return council.id

    def start_run(self, council_id: int, options: dict) -> int:
        with self._session.begin() as s:
            # A run still "running" was killed (nightly's lock allows one run at a time).
            for stale in s.scalars(
                select(CrawlRun).where(CrawlRun.council_id == council_id, CrawlRun.status == "running")
            ):
                stale.status, stale.reason = "interrupted", "the process ended before the run finished"
            run = CrawlRun(council_id=council_id, started_at=utcnow(), status="running", options=options)
            s.add(run)
            s.flush()
            return run.id

    def finish_run(self, run_id: int, status: str, stats: dict, reason: str | None = None) -> None:
        with self._session.begin() as s:
            run = s.get(CrawlRun, run_id)
            run.finished_at = utcnow()
            run.status = status
            run.reason = reason
            run.stats = stats

    # -- items from the crawler --------------------------------------------------------------

    def store_page(self, council_id: int, run_id: int | None, item: PageItem) -> StoreResult:
        result = StoreResult()
        with self._session.begin() as s:
            now = item.fetch.fetched_at
            fetch = self._log_fetch(s, council_id, run_id, item.fetch)
            if not item.fetch.ok:
                return result
            page = self._get_or_create(
                s,
                Page,
                {"council_id": council_id, "url": item.fetch.url},
                {"kind": item.page_kind},
                now,
                result,
            )
            page.last_seen = now
            version, created = self._advance(
                s,
                PageVersion,
                "page_id",
                page.id,
                "sha256",
                item.fetch.sha256,
                now,
                size=len(item.fetch.body),
                fetch_id=fetch.id,
            )
            result.new_versions += created
            for link in item.committees:
                c = self._committee(s, council_id, link.site_id, link.name, now, result)
                c.url = c.url or link.url
            if item.meeting_list is not None:
                ml = item.meeting_list
                for m in ml.meetings:
                    self._meeting_from_link(s, council_id, m, ml.committee_name, now, result)
            if item.meeting is not None:
                self._meeting_from_page(s, council_id, item.fetch.url, item.meeting, version.id, now, result)
            if created and item.parsed is not None:  # derived data hangs off the version it came from
                self._detected(s, item.parsed, page_version_id=version.id)
        return result

    def store_document(self, council_id: int, run_id: int | None, item: DocumentItem) -> StoreResult:
        result = StoreResult()
        with self._session.begin() as s:
            now = item.fetch.fetched_at
            fetch = self._log_fetch(s, council_id, run_id, item.fetch)
            meeting = s.scalar(
                select(Meeting).where(Meeting.council_id == council_id, Meeting.url == item.meeting_url)
            )
            doc = self._get_or_create(
                s,
                Document,
                {"council_id": council_id, "url": item.link.url},
                {
                    "title": item.link.title,
                    "kind": item.link.kind,
                    "meeting_id": meeting.id if meeting else None,
                },
                now,
                result,
            )
            if item.fetch.not_modified:
                doc.last_seen = now
                latest = s.scalar(
                    select(DocumentVersion)
                    .where(DocumentVersion.document_id == doc.id)
                    .order_by(DocumentVersion.id.desc())
                    .limit(1)
                )
                if latest is not None:
                    latest.last_seen = max(latest.last_seen, now)
                return result
            if not item.fetch.ok:
                return result
            doc.last_seen = now
            if item.extraction is not None:  # first, so the new version can compare texts
                self._extraction(s, item.fetch.sha256, item.extraction, item.parsed, now, council_id, meeting)
            version, created = self._advance(
                s,
                DocumentVersion,
                "document_id",
                doc.id,
                "sha256",
                item.fetch.sha256,
                now,
                size=len(item.fetch.body),
                content_type=item.fetch.content_type,
                fetched_url=_fetched_url(item),
                fetch_id=fetch.id,
            )
            result.new_versions += created
            if created:
                version.same_text_as_previous = self._same_text_as_previous(s, version)
        return result

    @staticmethod
    def _same_text_as_previous(s: Session, version: DocumentVersion) -> bool | None:
        """Did only the bytes change? (Compared on the text hash; None when either text is unknown.)"""
        previous = s.scalar(
            select(DocumentVersion.sha256)
            .where(DocumentVersion.document_id == version.document_id, DocumentVersion.id < version.id)
            .order_by(DocumentVersion.id.desc())
            .limit(1)
        )
        if previous is None:
            return None
        hashes = dict(
            s.execute(
                select(TextExtraction.sha256, TextExtraction.text_sha256).where(
                    TextExtraction.sha256.in_([previous, version.sha256]),
                    TextExtraction.text_sha256.is_not(None),
                )
            ).all()
        )
        if previous not in hashes or version.sha256 not in hashes:
            return None
        return hashes[previous] == hashes[version.sha256]

    @staticmethod
    def extraction_exists(engine: Engine, sha256: str, extractor: str, version: str) -> bool:
        """Read-only: has this extractor version already extracted these bytes?"""
        with engine.connect() as conn:
            return (
                conn.scalar(
                    select(TextExtraction.id).where(
                        TextExtraction.sha256 == sha256,
                        TextExtraction.extractor == extractor,
                        TextExtraction.extractor_version == version,
                    )
                )
                is not None
            )

    def _extraction(
        self,
        s: Session,
        sha256: str,
        extraction,
        parsed,
        now: datetime,
        council_id: int,
        meeting: Meeting | None,
    ) -> None:
        exists = s.scalar(
            select(TextExtraction.id).where(
                TextExtraction.sha256 == sha256,
                TextExtraction.extractor == extraction.extractor,
                TextExtraction.extractor_version == extraction.extractor_version,
            )
        )
        if exists is not None:  # the same bytes came twice in one run
            return
        row = TextExtraction(
            sha256=sha256,
            extractor=extraction.extractor,
            extractor_version=extraction.extractor_version,
            status=extraction.status,
            error=extraction.error,
            pages=len(extraction.pages),
            text_sha256=hashlib.sha256(extraction.text.encode()).hexdigest()
            if extraction.status != "failed"
            else None,
            created_at=now,
        )
        s.add(row)
        s.flush()
        for p in extraction.pages:
            page = TextPage(extraction_id=row.id, page_no=p.number, text=p.text, needs_ocr=p.needs_ocr)
            s.add(page)
            s.flush()
            if p.text:
                self._index(
                    s,
                    "page",
                    page.id,
                    council_id,
                    meeting.committee_id if meeting else None,
                    meeting.date if meeting else None,
                    None,
                    p.text,
                )
        if parsed is not None:
            self._detected(s, parsed, extraction_id=row.id)

    @staticmethod
    def _detected(
        s: Session, parsed, extraction_id: int | None = None, page_version_id: int | None = None
    ) -> None:
        rows: list[DetectedMinute] = []
        for position, m in enumerate(parsed.minutes):
            row = DetectedMinute(
                extraction_id=extraction_id,
                page_version_id=page_version_id,
                position=position,
                number=m.number,
                label=m.label,
                title=m.title,
                meeting_date=m.meeting_date,
                page=m.page,
                prefix=m.prefix,
                year=m.year,
                text=m.text,
            )
            s.add(row)
            rows.append(row)
        s.flush()
        for r in parsed.references:
            if r.minute_index is None:
                continue
            citing = rows[r.minute_index]
            s.add(
                DetectedReference(
                    minute_id=citing.id,
                    kind=r.kind,
                    cited_text=r.cited_text[:2000],
                    cited_number=r.cited_number,
                    cited_sub=r.cited_sub,
                    cited_label=r.cited_label,
                    cited_year=r.cited_year,
                    cited_prefix=r.cited_prefix,
                    cited_committee=r.cited_committee,
                    cited_date=r.cited_date,
                )
            )

    # -- minutes of meetings, and what they cite ---------------------------------------------

    def link_minutes(self, council_id: int) -> int:
        """Give every detected minute of this council its minute record (one per meeting + number).

        Minutes found in a later agenda pack attach to the earlier meeting they record (same
        committee, the date their heading gives). A detected minute whose meeting is not in the
        archive yet stays unlinked and is tried again on the next run.
        """
        linked = 0
        with self._session.begin() as s:
            convention = s.get(Council, council_id).year_convention
            pending = s.scalars(
                select(DetectedMinute)
                .outerjoin(MinuteSource, MinuteSource.detected_minute_id == DetectedMinute.id)
                .where(MinuteSource.id.is_(None))
                .order_by(DetectedMinute.id)
            ).all()
            for dm in pending:
                found = self._source_meeting(s, council_id, dm)
                if found is None:
                    continue
                source_meeting, url = found
                meeting = source_meeting
                if dm.meeting_date is not None and dm.meeting_date != source_meeting.date:
                    meeting = s.scalar(
                        select(Meeting)
                        .where(
                            Meeting.committee_id == source_meeting.committee_id,
                            Meeting.date == dm.meeting_date,
                        )
                        .order_by(Meeting.id)
                        .limit(1)
                    )
                    if meeting is None:
                        continue
                minute = s.scalar(
                    select(Minute).where(Minute.meeting_id == meeting.id, Minute.number == dm.number)
                )
                if minute is None:
                    minute = Minute(
                        council_id=council_id,
                        committee_id=meeting.committee_id,
                        meeting_id=meeting.id,
                        number=dm.number,
                        label=dm.label,
                        year=minute_year(meeting.date, convention),
                        title=dm.title,
                        text=dm.text,
                        first_seen=utcnow(),
                    )
                    s.add(minute)
                    s.flush()
                    self._index_minute(s, minute, meeting)
                elif "/" in dm.label and "/" not in minute.label:
                    minute.label = dm.label  # the form the council cites, once a source shows it
                    self._index_minute(s, minute, meeting)
                s.add(MinuteSource(minute_id=minute.id, detected_minute_id=dm.id, source_url=url))
                linked += 1
        return linked

    @staticmethod
    def _source_meeting(s: Session, council_id: int, dm: DetectedMinute):
        """The meeting whose page or document a detected minute was found in, and that URL."""
        if dm.page_version_id is not None:
            page = s.scalar(
                select(Page)
                .join(PageVersion, PageVersion.page_id == Page.id)
                .where(PageVersion.id == dm.page_version_id, Page.council_id == council_id)
            )
            if page is None:
                return None
            meeting = s.scalar(
                select(Meeting).where(Meeting.council_id == council_id, Meeting.url == page.url)
            )
            return (meeting, page.url) if meeting else None
        row = s.execute(
            select(Meeting, Document.url)
            .join(Document, Document.meeting_id == Meeting.id)
            .join(DocumentVersion, DocumentVersion.document_id == Document.id)
            .join(TextExtraction, TextExtraction.sha256 == DocumentVersion.sha256)
            .where(TextExtraction.id == dm.extraction_id, Document.council_id == council_id)
            .order_by(Document.id)
            .limit(1)
        ).first()
        return (row[0], row[1]) if row else None

    def resolve_references(self, council_id: int) -> tuple[int, int]:
        """Resolve every unresolved reference of this council; returns (resolved now, still open)."""
        resolved = still_open = 0
        with self._session.begin() as s:
            convention = s.get(Council, council_id).year_convention
            by_name = {
                normalise_name(c.name): c.id
                for c in s.scalars(select(Committee).where(Committee.council_id == council_id))
            }
            by_prefix = dict(
                s.execute(
                    select(DetectedMinute.prefix, Minute.committee_id)
                    .join(MinuteSource, MinuteSource.detected_minute_id == DetectedMinute.id)
                    .join(Minute, Minute.id == MinuteSource.minute_id)
                    .where(Minute.council_id == council_id, DetectedMinute.prefix.is_not(None))
                    .distinct()
                ).all()
            )
            rows = s.execute(
                select(DetectedReference, Minute, ReferenceLink)
                .join(MinuteSource, MinuteSource.detected_minute_id == DetectedReference.minute_id)
                .join(Minute, Minute.id == MinuteSource.minute_id)
                .outerjoin(ReferenceLink, ReferenceLink.detected_reference_id == DetectedReference.id)
                .where(Minute.council_id == council_id, ReferenceLink.resolved_at.is_(None))
            ).all()
            for ref, citing, link in rows:
                citing_date = s.scalar(select(Meeting.date).where(Meeting.id == citing.meeting_id))
                target_minute = target_meeting = None
                if ref.kind == "minute":
                    t = minute_target(ref, citing.committee_id, citing_date, convention, by_name, by_prefix)
                    if t.committee_id is not None and t.year is not None:
                        for number in dict.fromkeys([t.number, ref.cited_number]):
                            target_minute = s.scalar(
                                select(Minute.id)
                                .where(
                                    Minute.committee_id == t.committee_id,
                                    Minute.year == t.year,
                                    Minute.number == number,
                                )
                                .limit(1)
                            )
                            if target_minute:
                                break
                else:
                    t = meeting_target(ref, citing.committee_id, by_name)
                    if t.committee_id is not None and t.meeting_date is not None:
                        target_meeting = s.scalar(
                            select(Meeting.id)
                            .where(Meeting.committee_id == t.committee_id, Meeting.date == t.meeting_date)
                            .limit(1)
                        )
                if link is None:
                    link = ReferenceLink(
                        detected_reference_id=ref.id,
                        citing_minute_id=citing.id,
                        duplicate_of=self._same_citation(s, citing.id, ref),
                    )
                    s.add(link)
                    s.flush()
                link.method = t.method
                if target_minute:
                    link.target_minute_id = target_minute
                    link.target_meeting_id = s.scalar(
                        select(Minute.meeting_id).where(Minute.id == target_minute)
                    )
                else:
                    link.target_meeting_id = target_meeting
                if target_minute or target_meeting:
                    link.resolved_at = utcnow()
                    resolved += 1
                else:
                    still_open += 1
        return resolved, still_open

    @staticmethod
    def _index(
        s: Session,
        kind: str,
        ref_id: int,
        council_id: int,
        committee_id: int | None,
        meeting_date,
        title: str | None,
        body: str,
    ) -> None:
        """Keep the full-text index (FTS5 / tsvector table of migration 0004) in step with the rows."""
        s.execute(
            text(
                "INSERT INTO search_index (kind, ref_id, council_id, committee_id, meeting_date, title, body) "
                "VALUES (:kind, :ref_id, :council_id, :committee_id, :meeting_date, :title, :body)"
            ),
            {
                "kind": kind,
                "ref_id": ref_id,
                "council_id": council_id,
                "committee_id": committee_id,
                "meeting_date": meeting_date,
                "title": title,
                "body": body,
            },
        )

    def _index_minute(self, s: Session, minute: Minute, meeting: Meeting) -> None:
        """(Re)index a minute: its label is searchable with its title, so a new label replaces the old."""
        self._unindex(s, "minute", minute.id)
        self._index(
            s,
            "minute",
            minute.id,
            minute.council_id,
            meeting.committee_id,
            meeting.date,
            f"{minute.label} {minute.title}",
            minute.text,
        )

    @staticmethod
    def _unindex(s: Session, kind: str, ref_id: int) -> None:
        s.execute(
            text("DELETE FROM search_index WHERE kind = :kind AND ref_id = :ref_id"),
            {"kind": kind, "ref_id": ref_id},
        )

    @staticmethod
    def _same_citation(s: Session, citing_minute_id: int, ref: DetectedReference) -> int | None:
        """The link already made for this very citation by the same minute, if any."""
        key = (
            "kind",
            "cited_number",
            "cited_sub",
            "cited_year",
            "cited_prefix",
            "cited_committee",
            "cited_date",
        )
        return s.scalar(
            select(ReferenceLink.id)
            .join(DetectedReference, DetectedReference.id == ReferenceLink.detected_reference_id)
            .where(
                ReferenceLink.citing_minute_id == citing_minute_id,
                ReferenceLink.duplicate_of.is_(None),
                *(
                    getattr(DetectedReference, k) == getattr(ref, k)
                    if getattr(ref, k) is not None
                    else getattr(DetectedReference, k).is_(None)
                    for k in key
                ),
            )
            .order_by(ReferenceLink.id)
            .limit(1)
        )

    # -- helpers -----------------------------------------------------------------------------

    def _log_fetch(self, s: Session, council_id: int, run_id: int | None, f: Fetch) -> FetchLog:
        if f.ok and f.sha256 and s.get(Blob, f.sha256) is None:
            if not self.blobs.exists(f.sha256):  # the capture stage writes blobs before any row
                raise RuntimeError(f"blob {f.sha256} missing on disk for {f.url}")
            s.add(Blob(sha256=f.sha256, size=len(f.body), stored_at=utcnow()))
            s.flush()
        row = FetchLog(
            run_id=run_id,
            council_id=council_id,
            url=f.url,
            final_url=f.final_url,
            status=f.status,
            fetched_at=f.fetched_at,
            content_type=f.content_type,
            headers=f.headers or None,
            sha256=f.sha256 if f.ok else None,
            error=f.error,
        )
        s.add(row)
        s.flush()
        return row

    @staticmethod
    def _get_or_create(s: Session, model, keys: dict, defaults: dict, now: datetime, result: StoreResult):
        row = s.scalar(select(model).where(*(getattr(model, k) == v for k, v in keys.items())))
        if row is None:
            row = model(**keys, **defaults, first_seen=now, last_seen=now)
            s.add(row)
            s.flush()
            result.new_rows += 1
        return row

    @staticmethod
    def _advance(
        s: Session, model, parent_col: str, parent_id: int, key_col: str, key: str, now: datetime, **values
    ):
        """Append a version unless ``key`` equals the latest one's (then only move last_seen).

        Comparing with the latest version only (not any earlier one) is what makes A -> B -> A
        three versions.
        """
        latest = s.scalar(
            select(model).where(getattr(model, parent_col) == parent_id).order_by(model.id.desc()).limit(1)
        )
        if latest is not None and getattr(latest, key_col) == key:
            latest.last_seen = max(latest.last_seen, now)
            return latest, False
        row = model(**{parent_col: parent_id, key_col: key}, first_seen=now, last_seen=now, **values)
        s.add(row)
        s.flush()
        return row, True

    def _committee(self, s, council_id, site_id, name, now, result) -> Committee:
        c = self._get_or_create(
            s,
            Committee,
            {"council_id": council_id, "site_id": site_id},
            {"name": name or f"Committee {site_id}"},
            now,
            result,
        )
        c.last_seen = now
        return c

    def _meeting_row(self, s, council_id, committee_site_id, committee_name, site_id, url, now, result):
        committee = self._committee(s, council_id, committee_site_id or 0, committee_name, now, result)
        meeting = s.scalar(
            select(Meeting).where(Meeting.council_id == council_id, Meeting.site_id == site_id)
        )
        if meeting is None:
            meeting = Meeting(
                council_id=council_id,
                committee_id=committee.id,
                site_id=site_id,
                url=url,
                status="scheduled",
                first_seen=now,
                last_seen=now,
            )
            s.add(meeting)
            s.flush()
            result.new_rows += 1
        meeting.last_seen = now
        return meeting

    def _meeting_from_link(self, s, council_id, link: MeetingLink, committee_name, now, result) -> None:
        meeting = self._meeting_row(
            s, council_id, link.committee_site_id, committee_name, link.site_id, link.url, now, result
        )
        meeting.list_suffix = link.suffix or None
        if meeting.date is None:  # the meeting page, once read, is the authority for these
            meeting.date, meeting.time = link.date, link.time
            if link.cancelled:
                meeting.status = "cancelled"

    def _meeting_from_page(self, s, council_id, url, page: MeetingPage, page_version_id, now, result) -> None:
        if page.site_id is None:
            return
        meeting = self._meeting_row(
            s, council_id, page.committee_site_id, page.committee_name, page.site_id, url, now, result
        )
        state = (page.date, page.time, page.status, page.venue, page.title)
        _, created = self._advance(
            s,
            MeetingState,
            "meeting_id",
            meeting.id,
            "fingerprint",
            fingerprint(*state),
            now,
            page_version_id=page_version_id,
            date=page.date,
            time=page.time,
            status=page.status,
            venue=page.venue,
            title=page.title,
        )
        result.new_versions += created
        meeting.date, meeting.time, meeting.status, meeting.venue, meeting.title = state
        meeting.date_modified = page.date_modified
        items_by_ai: dict[int, AgendaItem] = {}
        seen_items: set[int] = set()
        for parsed in page.items:
            row = self._agenda_item(s, meeting.id, parsed, page_version_id, now, result)
            seen_items.add(row.id)
            if parsed.ai_id is not None:
                items_by_ai[parsed.ai_id] = row
        for row in s.scalars(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)):
            row.removed_at = None if row.id in seen_items else (row.removed_at or now)
        linked: set[int] = set()
        for link in [*page.documents, *(d for it in page.items for d in it.documents)]:
            item_row = items_by_ai.get(link.item_ai_id) if link.item_ai_id is not None else None
            doc = self._get_or_create(
                s,
                Document,
                {"council_id": council_id, "url": link.url},
                {
                    "title": link.title,
                    "kind": link.kind,
                    "meeting_id": meeting.id,
                    "agenda_item_id": item_row.id if item_row else None,
                },
                now,
                result,
            )
            if doc.meeting_id is None:
                doc.meeting_id = meeting.id
            linked.add(doc.id)
        self._tombstones(s, meeting.id, linked, page_version_id, now, result)

    @staticmethod
    def _tombstones(s: Session, meeting_id: int, linked: set[int], page_version_id, now, result) -> None:
        """Mark documents no longer linked from their meeting page removed; and back, if they return.

        Nothing is deleted: versions and text stay; document_events keeps each change with its date.
        """
        for doc in s.scalars(select(Document).where(Document.meeting_id == meeting_id)):
            if doc.id in linked and doc.removed_at is not None:
                doc.removed_at = None
                event = "restored"
            elif doc.id not in linked and doc.removed_at is None:
                doc.removed_at = now
                event = "removed"
            else:
                continue
            s.add(DocumentEvent(document_id=doc.id, event=event, at=now, page_version_id=page_version_id))
            result.new_versions += 1

    def _agenda_item(self, s, meeting_id, parsed: ParsedItem, page_version_id, now, result) -> AgendaItem:
        key = f"AI{parsed.ai_id}" if parsed.ai_id is not None else f"row:{parsed.number}"
        row = self._get_or_create(
            s, AgendaItem, {"meeting_id": meeting_id, "item_key": key}, {"ai_id": parsed.ai_id}, now, result
        )
        row.last_seen = now
        content = (
            parsed.number,
            parsed.title,
            parsed.minutes_html,
            parsed.decision_html,
            parsed.full_text_url,
        )
        _, created = self._advance(
            s,
            AgendaItemVersion,
            "agenda_item_id",
            row.id,
            "fingerprint",
            fingerprint(*content),
            now,
            page_version_id=page_version_id,
            number=parsed.number,
            title=parsed.title,
            minutes_html=parsed.minutes_html,
            minutes_text=parsed.minutes_text,
            decision_html=parsed.decision_html,
            decision_text=parsed.decision_text,
            full_text_url=parsed.full_text_url,
        )
        result.new_versions += created
        return row


def _fetched_url(item: DocumentItem) -> str | None:
    """Where the bytes really came from, when not the document's own link (doc packs, redirects)."""
    where = item.fetch.final_url or item.fetch.url
    return where if where != item.link.url else None
