"""Scrapy item pipeline stages, in order: capture (bytes -> blob store), store (rows -> archive).

Extraction, minutes and references stages slot in between (see docs/architecture.md).
"""

from __future__ import annotations

from collections import Counter

from crawler.items import DocumentItem, PageItem
from pipeline.blobs import BlobStore
from pipeline.db import blob_root, open_archive_engine, resolve_db_url
from pipeline.storage import Archive


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

    def process_item(self, item):
        kind = "documents" if isinstance(item, DocumentItem) else "pages"
        if isinstance(item, PageItem):
            result = self.archive.store_page(self.council_id, self.run_id, item)
        else:
            result = self.archive.store_document(self.council_id, self.run_id, item)
        self.counts[f"{kind}_fetched"] += 1
        if not item.fetch.ok:
            self.counts[f"{kind}_failed"] += 1
        self.counts["new_versions"] += result.new_versions
        self.counts["new_rows"] += result.new_rows
        return item

    def close_spider(self, spider=None):
        spider = spider or self.crawler.spider
        stats = dict(self.counts)
        stats["requests"] = self.crawler.stats.get_value("downloader/request_count", 0)
        stats["committees"] = getattr(spider, "committees_found", 0)
        reason = getattr(spider, "failure_reason", None)
        self.archive.finish_run(self.run_id, "failed" if reason else "finished", stats, reason)
        self.archive.engine.dispose()
