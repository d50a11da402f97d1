"""The one writer of the archive database: a small facade over one module per aggregate.

    runs          councils and crawl runs
    captures      blob rows and the fetch log
    site          committees, meetings (+ states), agenda items (+ versions)
    documents     documents, their versions, tombstones
    text          extractions, their pages, detected minutes (``detected``), the search index
    derive        minutes linked, references resolved (a job of its own, per council)
    search_sync   the tantivy search mirror brought up to date from the index's change log
    reprocess     re-parse stored text and pages with the current parser, then derive

One transaction per fetched item (or per batch of items, ``store_items``, all or none of them):
blobs are on disk before the rows that name them, upserts are
keyed by site identity (``INSERT ... ON CONFLICT``), versions are append-only. A transient database
error (a deadlock, a restart, a lock held too long) retries the whole item; any other failure
leaves the archive as it was before the item, and the caller records the item as failed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from crawler.items import DocumentItem, PageItem
from pipeline.archive.blobs import BlobStore
from pipeline.archive.db import first_line
from pipeline.archive.writer import (
    captures,
    derive,
    detected,
    documents,
    listing,
    runs,
    search_sync,
    site,
    text,
)
from pipeline.archive.writer.sql import with_retries
from pipeline.parse.profile import MUNICIPAL, Profile


@dataclass
class StoreResult:
    """What one stored item changed: the run's statistics are sums of these."""

    new_versions: int = 0
    new_rows: int = 0


class Archive:
    def __init__(self, engine: Engine, blobs: BlobStore):
        self.engine = engine
        self.blobs = blobs

    def _write(self, work):
        def once():
            with self.engine.begin() as conn:
                return work(conn)

        return with_retries(once)

    # -- councils and runs -------------------------------------------------------------------

    def ensure_council(
        self,
        slug: str,
        base_url: str,
        name: str | None = None,
        platform: str | None = None,
        profile: Profile | None = None,
    ) -> int:
        return self._write(
            lambda conn: runs.ensure_council(
                conn, slug, base_url, name, platform, profile.year_convention if profile else None
            )
        )

    def start_run(self, council_id: int, options: dict) -> int:
        return self._write(lambda conn: runs.start_run(conn, council_id, options))

    def finish_run(self, run_id: int, status: str, stats: dict, reason: str | None = None) -> None:
        self._write(lambda conn: runs.finish_run(conn, run_id, status, stats, reason))

    # -- items from the crawler --------------------------------------------------------------

    def store_items(self, council_id: int, run_id: int | None, items: list) -> list[StoreResult]:
        """Several items in ONE transaction, once (no retries): on any error none of them is stored,
        and the caller stores each alone (``store_page``, ``store_document``)."""
        with self.engine.begin() as conn:
            return [
                self._page(conn, council_id, run_id, item)
                if isinstance(item, PageItem)
                else self._document(conn, council_id, run_id, item)
                for item in items
            ]

    def store_page(self, council_id: int, run_id: int | None, item: PageItem) -> StoreResult:
        return self._write(lambda conn: self._page(conn, council_id, run_id, item))

    def _page(self, conn, council_id: int, run_id: int | None, item: PageItem) -> StoreResult:
        result = StoreResult()
        now = item.fetch.fetched_at
        fetch_id = captures.log_fetch(conn, self.blobs, council_id, run_id, item.fetch)
        if not item.fetch.ok:
            return result
        version_id, created = captures.page_version(conn, council_id, item, fetch_id, now, result)
        site.committee_links(conn, council_id, item.committees, now, result)
        if item.meeting_list is not None:
            ml = item.meeting_list
            listing.meeting_links(conn, council_id, ml.meetings, ml.committee_name, now, result)
        if item.meeting is not None:
            stored = site.meeting_page(
                conn, council_id, item.fetch.url, item.meeting, version_id, now, result
            )
            if stored is not None:
                meeting_id, item_ids = stored
                links = [(d, None) for d in item.meeting.documents] + [
                    (d, item_id)
                    for it, item_id in zip(item.meeting.items, item_ids, strict=True)
                    for d in it.documents
                ]  # by position: CMIS items have no AI id
                documents.linked_from_page(conn, council_id, meeting_id, links, version_id, now, result)
        if created and item.parsed is not None:  # derived data hangs off the version it came from
            detected.store(conn, item.parsed, item.parser_version, page_version_id=version_id)
            site.mark_parsed(conn, version_id, item.parser_version)
        return result

    def store_document(self, council_id: int, run_id: int | None, item: DocumentItem) -> StoreResult:
        return self._write(lambda conn: self._document(conn, council_id, run_id, item))

    def _document(self, conn, council_id: int, run_id: int | None, item: DocumentItem) -> StoreResult:
        result = StoreResult()
        now = item.fetch.fetched_at
        fetch_id = captures.log_fetch(conn, self.blobs, council_id, run_id, item.fetch)
        meeting = site.meeting_id_for_url(conn, council_id, item.meeting_url)
        seen = item.fetch.ok or item.fetch.not_modified
        doc_id = documents.document(
            conn, council_id, item.link, meeting[0] if meeting else None, now, result, seen=seen
        )
        if item.fetch.ok and item.extraction is not None:  # first, so the new version can compare texts
            text.store(
                conn,
                item.fetch.sha256,
                item.extraction,
                item.clean_pages,
                item.parsed,
                item.parser_version,
                now,
                council_id,
                meeting,
            )
        if item.fetch.ok and item.ocr is not None:  # its own extraction (extractor "tesseract")
            clean, parsed = item.ocr_parsed or (None, None)
            text.store(
                conn,
                item.fetch.sha256,
                item.ocr,
                clean,
                parsed,
                item.parser_version,
                now,
                council_id,
                meeting,
            )
        documents.fetched(conn, doc_id, item, fetch_id, now, result)
        return result

    def extraction_exists(self, sha256: str, extractor: str, version: str) -> bool:
        with self.engine.connect() as conn:
            return text.exists(conn, sha256, extractor, version)

    # -- derived rows ------------------------------------------------------------------------

    def derive(self, council_id: int, profile: Profile = MUNICIPAL) -> derive.DeriveStats:
        # Derivation is idempotent, so after a deadlock with another writer deriving the same
        # council (PostgreSQL: two crawls, a crawl and reprocess), it is simply run again.
        return with_retries(lambda: derive.derive(self.engine, council_id, profile))

    def sync_search(self, rebuild: bool = False) -> str | None:
        """Bring the search mirror up to date (SQLite). None, or the one-line reason it could not:
        search then asks FTS5, slower but right, until a later sync succeeds."""
        try:
            search_sync.sync(self.engine, rebuild=rebuild)
        except Exception as exc:
            return f"search mirror not updated: {type(exc).__name__}: {first_line(exc)}"
        return None
