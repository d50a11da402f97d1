"""The store stage: items -> the archive's writer, several items per transaction, and the run's
statistics; at the end of the crawl the council is derived (minutes linked, references resolved).

Items wait at most ``BATCH_WAIT_S`` (or until ``BATCH_ITEMS`` or ``BATCH_BYTES`` have come) and are written in one
transaction: one BEGIN and one COMMIT for many items. Why a crash loses nothing a rerun does not
restore: the blobs are on disk before the items reach this stage; a transaction that did not
commit left no row (the archive is as it was before the batch); and the run it belonged to is left
``running``, so the next run marks it ``interrupted`` and crawls the council in full
(``pipeline.ops.plan.full_crawl_needed``), fetching again every item the batch held. A batch that
fails while the crawl goes on is written again item by item, one transaction each with the writer's
retries, so one bad item fails alone, recorded for the next run as before.

The batches are written by the writer process (``writer_process``), so the crawl's own thread goes
on fetching and parsing meanwhile; at most ``BATCHES_IN_FLIGHT`` wait for it (then the crawl waits).
A batch the writer process could not write (or a writer process that died) is written again here,
item by item as above. The council's derive starts once every batch has been written.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, deque

from crawler.items import DocumentItem, PageItem
from pipeline.archive.blobs import BlobStore
from pipeline.archive.db import blob_root, first_line, open_archive_engine, resolve_db_url
from pipeline.archive.writer import Archive
from pipeline.parse.profile import Profile
from pipeline.progress import Progress
from pipeline.report import RunReport
from pipeline.stages import writer_process

logger = logging.getLogger(__name__)
BATCH_ITEMS = 32  # items per transaction, at most
BATCH_BYTES = 16 * 1024 * 1024  # bodies held waiting, at most (documents can be large)
BATCH_WAIT_S = 0.25  # the longest an item waits for its transaction
BATCHES_IN_FLIGHT = 4  # sent to the writer process and not yet written, at most


def profile_of(settings) -> Profile:
    """The council's profile, as the crawl was started with it (``COUNCIL_YEAR_CONVENTION``)."""
    return Profile(year_convention=settings.get("COUNCIL_YEAR_CONVENTION") or "municipal")


class StoreStage:
    """Record the items, a batch per transaction, and keep the run's statistics."""

    def __init__(self, db_url: str, crawler):
        self.db_url = db_url
        self.crawler = crawler
        self.counts: Counter = Counter()
        self.report = RunReport()
        self.profile = profile_of(crawler.settings)
        self.pending: list = []  # items received, not yet written
        self.pending_bytes = 0
        self.timer = None  # the delayed call that writes them
        self.writer = None  # the writer process's pool (None: batches are written in this process)
        self.in_flight: deque = deque()  # batches sent to the writer process, oldest first

    @classmethod
    def from_crawler(cls, crawler):
        return cls(resolve_db_url(crawler.settings.get("ARCHIVE_DB")), crawler)

    def open_spider(self, spider=None):
        spider = spider or self.crawler.spider
        self.shared = getattr(self.crawler, "shared", None)
        engine = self.shared.engine if self.shared else open_archive_engine(self.db_url)
        self.archive = Archive(engine, BlobStore(blob_root(self.db_url)))
        if self.crawler.settings.getbool("WRITER_PROCESS", True) and writer_process.can_use(self.db_url):
            self.writer = self.shared.writer if self.shared else writer_process.writer_pool()
            self.writer_at = writer_process.where(self.db_url)
        explicit = self.crawler.settings.get("COUNCIL_YEAR_CONVENTION")  # else learnt per committee
        self.council_id = self.archive.ensure_council(
            spider.council,
            spider.base_url,
            spider.council_name,
            platform=spider.name,  # "moderngov" | "cmis": the spider that crawled it
            profile=self.profile if explicit else None,
        )
        options = {
            "base_url": spider.base_url,
            "from": spider.date_from.isoformat() if spider.date_from else None,
            "to": spider.date_to.isoformat() if spider.date_to else None,
            "incremental": spider.plan is not None,
        }
        self.run_id = self.archive.start_run(self.council_id, options)
        spider.run_id = self.run_id
        # many councils at once (nightly): plain lines, a terminal has room for one live display
        self.progress = Progress(f"crawling {spider.council}", plain=self.shared is not None)

    async def process_item(self, item):
        kind = "documents" if isinstance(item, DocumentItem) else "pages"
        self.counts[f"{kind}_fetched"] += 1
        if item.stage_error:
            self._store_failed(item, StageError(item.stage_error))
            return item
        self.pending.append(item)
        self.pending_bytes += len(item.fetch.body or b"")
        if len(self.pending) >= BATCH_ITEMS or self.pending_bytes >= BATCH_BYTES:
            self.flush()
        elif self.timer is None:
            from twisted.internet import reactor

            self.timer = reactor.callLater(BATCH_WAIT_S, self.flush)
        while len(self.in_flight) > BATCHES_IN_FLIGHT:  # the writer is behind: the crawl waits for it
            await self._wait_oldest()
        return item

    def flush(self) -> None:
        """Write the pending items: in one transaction, else (it failed) one transaction each."""
        if self.timer is not None:
            if self.timer.active():
                self.timer.cancel()
            self.timer = None
        items, self.pending, self.pending_bytes = self.pending, [], 0
        if not items:
            return
        if self.writer is not None:
            try:
                future = self.writer.schedule(
                    writer_process.store_batch, args=(*self.writer_at, self.council_id, self.run_id, items)
                )
            except Exception as exc:  # the pool is not running any more: this process writes them
                self._store_again(items, exc)
                return
            written = asyncio.wrap_future(future)
            written.add_done_callback(lambda done: self._written(items, done))
            self.in_flight.append(written)
            return
        try:
            results = self.archive.store_items(self.council_id, self.run_id, items)
        except Exception as exc:  # rolled back whole: each item again, alone, with the writer's retries
            self._store_again(items, exc)
            return
        self._stored_all(items, results)

    def _written(self, items: list, done: asyncio.Future) -> None:
        """A batch the writer process finished: its results, or (it failed) each item again here."""
        self.in_flight.remove(done)
        problem = "cancelled" if done.cancelled() else done.exception()
        if problem is not None:
            self._store_again(items, problem)
            return
        self.counts["batches_by_writer_process"] += 1
        self._stored_all(items, done.result())

    def _store_again(self, items: list, problem) -> None:
        logger.debug("batch of %d items failed (%s): one transaction each", len(items), problem)
        self.counts["batches_stored_again"] += 1
        for item in items:
            self._store_one(item)

    def _stored_all(self, items: list, results: list) -> None:
        for item, result in zip(items, results, strict=True):
            self._stored(item, result)

    async def _wait_oldest(self) -> None:
        await asyncio.wait([self.in_flight[0]])
        await asyncio.sleep(0)  # its done callback (``_written``) runs first

    def _store_one(self, item) -> None:
        try:
            if isinstance(item, PageItem):
                result = self.archive.store_page(self.council_id, self.run_id, item)
            else:
                result = self.archive.store_document(self.council_id, self.run_id, item)
        except Exception as exc:  # after the writer's own retries: record it, go on, retry next run
            self._store_failed(item, exc)
            return
        self._stored(item, result)

    def _stored(self, item, result) -> None:
        self._report(item, "documents" if isinstance(item, DocumentItem) else "pages")
        self.counts["new_versions"] += result.new_versions
        self.counts["new_rows"] += result.new_rows
        c = self.counts
        self.progress.update(
            f"{c['pages_fetched']} pages, {c['documents_fetched']} documents, {c['new_versions']} new versions"
        )

    def _report(self, item, kind: str) -> None:
        if isinstance(item, PageItem) and item.page_kind == "meeting" and item.fetch.ok:
            self.counts["meeting_pages"] += 1
        if item.fetch.not_modified:
            self.counts["not_modified"] += 1
        elif not item.fetch.ok:
            self.counts[f"{kind}_failed"] += 1
            self.report.fetch_failed(item.fetch.url, item.fetch.error or "no body")
        page = getattr(item, "meeting", None) or getattr(item, "meeting_list", None)
        if page is not None and page.skipped:
            self.report.page_skipped(item.fetch.url, page.skipped)
        if item.warnings:
            self.report.page_skipped(item.fetch.url, item.warnings)

    def _store_failed(self, item, exc: Exception) -> None:
        self.counts["store_failed"] += 1
        error = str(exc) if isinstance(exc, StageError) else f"{type(exc).__name__}: {first_line(exc)}"
        logger.error("could not store %s: %s", item.fetch.url, error)
        self.report.store_failed(
            item.fetch.url,
            error,
            getattr(item, "meeting_url", None) if isinstance(item, DocumentItem) else None,
            getattr(item, "page_kind", None),
        )

    async def close_spider(self, spider=None):
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet.threads import deferToThread

        spider = spider or self.crawler.spider
        self.flush()  # before the derive reads them, and before the run is recorded as ended
        while self.in_flight:
            await self._wait_oldest()
        self.progress.close()
        # Deriving a big council takes a while: in a thread, so the reactor goes on serving the other
        # councils' crawls meanwhile (nightly), and their time-outs do not fire while it waits.
        # (awaited as a future: Scrapy's coroutine API, on the asyncio reactor or Twisted's own)
        await maybe_deferred_to_future(deferToThread(self._finish, spider, self.crawler.crawling))

    def _finish(self, spider, crawling: bool) -> None:
        stats = dict(self.counts)
        stats["requests"] = self.crawler.stats.get_value("downloader/request_count", 0)
        stats["committees"] = getattr(spider, "committees_found", 0)
        stats["meetings_listed"] = len(getattr(spider, "listed", ()))
        stats["extracted_pages"] = self.crawler.stats.get_value("extract/pages", 0)
        stats["extract_busy_s"] = self.crawler.stats.get_value("extract/busy_s", 0.0)
        reason = getattr(spider, "failure_reason", None)
        # Stopped from outside: its time budget (nightly), or the process was asked to stop (a signal:
        # Scrapy clears ``crawling`` before it stops the engine; a crawl that ends by itself keeps it).
        stopped = getattr(spider, "stopped_because", None) or (
            None if crawling else "stopped before it finished (the process was asked to stop)"
        )
        if stopped:
            stats["stopped"] = stopped
        try:
            derived = self.archive.derive(self.council_id, self.profile)
            stats["minutes_linked"] = derived.minutes_linked
            stats["references_resolved"] = derived.references_resolved
            stats["references_unresolved"] = derived.references_unresolved
        except Exception as exc:  # the next run derives again (derivation is idempotent)
            stats["derive_error"] = f"{type(exc).__name__}: {first_line(exc)}"
        if problem := self.archive.sync_search():
            stats["search_sync_error"] = problem
        stats.update(self.report.as_stats())
        status = "failed" if reason else ("partial" if self.report.partial or stopped else "finished")
        reason = reason or stopped or self.report.reason()
        try:
            self.archive.finish_run(self.run_id, status, stats, reason)
        except Exception as exc:  # the run stays "running": the next one marks it interrupted, crawls in full
            spider.failure_reason = (
                f"could not record the end of the run: {type(exc).__name__}: {first_line(exc)}"
            )
        if status == "partial" and not getattr(spider, "failure_reason", None):
            spider.partial_reason = reason
        if not self.shared:
            self.archive.engine.dispose()
            if self.writer is not None:
                self.writer.close()
                self.writer.join()


class StageError(RuntimeError):
    """An earlier stage could not do its work for this item."""
