"""Scrapy item pipeline stages, in order:

capture (bytes -> blob store), extract (new PDF bytes -> text, in a process pool), minutes (text ->
numbered minutes and their cross-references, pure), store (rows -> archive, one transaction).
"""

from __future__ import annotations

from collections import Counter

from crawler.items import DocumentItem, PageItem
from pipeline.archive.blobs import BlobStore
from pipeline.archive.db import blob_root, make_engine, open_archive_engine, resolve_db_url
from pipeline.extract.pdfminer_engine import EXTRACTOR, EXTRACTOR_VERSION, ExtractionPool, is_pdf
from pipeline.parse.document import parse_meeting_page, parse_text
from pipeline.progress import Progress
from pipeline.archive.writer import Archive


class CaptureStage:
    """Write every fetched body to the content-addressed blob store before any row names it."""

    def __init__(self, blobs: BlobStore):
        self.blobs = blobs

    @classmethod
    def from_crawler(cls, crawler):
        return cls(BlobStore(blob_root(resolve_db_url(crawler.settings.get("ARCHIVE_DB")))))

    def process_item(self, item):
        fetch = item.fetch
        if fetch.ok:
            fetch.sha256 = self.blobs.put(fetch.body)
        return item


class ExtractStage:
    """Extract the text of PDF bytes never extracted before (by this extractor version)."""

    def __init__(self, db_url: str, workers: int | None):
        self.db_url = db_url
        self.workers = workers
        self.done: set[str] = set()  # sha256 extracted (or being extracted) in this run

    @classmethod
    def from_crawler(cls, crawler):
        return cls(
            resolve_db_url(crawler.settings.get("ARCHIVE_DB")),
            crawler.settings.getint("EXTRACT_WORKERS") or None,
        )

    def open_spider(self, spider=None):
        self.pool = ExtractionPool(workers=self.workers)
        self.engine = make_engine(self.db_url)

    async def process_item(self, item):
        fetch = item.fetch
        if not isinstance(item, DocumentItem) or not fetch.ok or not is_pdf(fetch.body):
            return item
        if fetch.sha256 in self.done or Archive.extraction_exists(
            self.engine, fetch.sha256, EXTRACTOR, EXTRACTOR_VERSION
        ):
            return item
        self.done.add(fetch.sha256)
        item.extraction = await self.pool.extract_async(fetch.body)
        return item

    def close_spider(self, spider=None):
        self.pool.close()
        self.engine.dispose()


class MinutesStage:
    """Numbered minutes and cross-references of new text and of meeting pages (pure parsing)."""

    def process_item(self, item):
        if isinstance(item, DocumentItem) and item.extraction is not None and item.extraction.status == "ok":
            item.parsed = parse_text(item.extraction.text)
        elif isinstance(item, PageItem) and item.meeting is not None:
            item.parsed = parse_meeting_page(item.meeting)
        return item


class StoreStage:
    """Record each item in one transaction and keep the run's statistics."""

    def __init__(self, db_url: str, crawler):
        self.db_url = db_url
        self.crawler = crawler
        self.counts: Counter = Counter()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(resolve_db_url(crawler.settings.get("ARCHIVE_DB")), crawler)

    def open_spider(self, spider=None):
        spider = spider or self.crawler.spider
        engine = open_archive_engine(self.db_url)
        self.archive = Archive(engine, BlobStore(blob_root(self.db_url)))
        self.council_id = self.archive.ensure_council(spider.council, spider.base_url, spider.council_name)
        options = {
            "base_url": spider.base_url,
            "from": spider.date_from.isoformat() if spider.date_from else None,
            "to": spider.date_to.isoformat() if spider.date_to else None,
        }
        self.run_id = self.archive.start_run(self.council_id, options)
        spider.run_id = self.run_id
        self.progress = Progress(f"crawling {spider.council}")

    def process_item(self, item):
        kind = "documents" if isinstance(item, DocumentItem) else "pages"
        if isinstance(item, PageItem):
            result = self.archive.store_page(self.council_id, self.run_id, item)
        else:
            result = self.archive.store_document(self.council_id, self.run_id, item)
        self.counts[f"{kind}_fetched"] += 1
        if isinstance(item, PageItem) and item.page_kind == "meeting" and item.fetch.ok:
            self.counts["meeting_pages"] += 1
        if item.fetch.not_modified:
            self.counts["not_modified"] += 1
        elif not item.fetch.ok:
            self.counts[f"{kind}_failed"] += 1
        self.counts["new_versions"] += result.new_versions
        self.counts["new_rows"] += result.new_rows
        c = self.counts
        self.progress.update(
            f"{c['pages_fetched']} pages, {c['documents_fetched']} documents, "
            f"{c['new_versions']} new versions"
        )
        return item

    def close_spider(self, spider=None):
        spider = spider or self.crawler.spider
        self.progress.close()
        stats = dict(self.counts)
        stats["requests"] = self.crawler.stats.get_value("downloader/request_count", 0)
        stats["committees"] = getattr(spider, "committees_found", 0)
        stats["meetings_listed"] = len(getattr(spider, "listed", ()))
        stats["minutes_linked"] = self.archive.link_minutes(self.council_id)
        stats["references_resolved"], stats["references_unresolved"] = self.archive.resolve_references(
            self.council_id
        )
        reason = getattr(spider, "failure_reason", None)
        self.archive.finish_run(self.run_id, "failed" if reason else "finished", stats, reason)
        self.archive.engine.dispose()
