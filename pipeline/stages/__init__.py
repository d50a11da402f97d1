"""Scrapy item pipeline stages, in order:

capture (bytes -> blob store), extract (new PDF bytes -> raw text, in a process pool), parse (text
repairs, numbered minutes, cross-references: pure), store (rows -> archive, several items per
transaction: ``store.py``; at the end of the crawl the council's minutes are linked and references
resolved).
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import SQLAlchemyError

from crawler.items import DocumentItem, PageItem
from pipeline.archive.blobs import BlobStore
from pipeline.archive.db import blob_root, make_read_engine, resolve_db_url
from pipeline.archive.writer import Archive
from pipeline.extract import DEFAULT, ExtractionPool, engine, is_pdf
from pipeline.extract.engines import OCR
from pipeline.extract.result import not_a_pdf, pages_needing_ocr
from pipeline.parse import document as parsing
from pipeline.parse import parser_version
from pipeline.parse.profile import Profile
from pipeline.stages.cpu_budget import CPUBudgetExceeded, cpu_budget
from pipeline.stages.shared import SharedResources, parse_pool
from pipeline.stages.store import StageError, StoreStage, profile_of

__all__ = [
    "CaptureStage",
    "ExtractStage",
    "ParseStage",
    "SharedResources",
    "StageError",
    "StoreStage",
    "profile_of",
]
from pipeline.stages.timing import ExtractTiming

logger = logging.getLogger(__name__)
PARSE_TIMEOUT_S = 60.0  # CPU seconds a text or meeting page may take to parse in a crawl
# A worker that gives no answer in this many times the budget (wall clock) is given up on: the
# budget, in CPU time, is the limit that matters; this only catches a worker that cannot be
# interrupted. Generous, because the parse workers run at the lowest priority and wait for cores.
PARSE_WALL_FACTOR = 30


class CaptureStage:
    """Write every fetched body to the content-addressed blob store before any row names it."""

    def __init__(self, blobs: BlobStore):
        self.blobs = blobs

    @classmethod
    def from_crawler(cls, crawler):
        return cls(BlobStore(blob_root(resolve_db_url(crawler.settings.get("ARCHIVE_DB")))))

    def open_spider(self, spider=None):
        self.blobs.clean_incoming()

    async def process_item(self, item):
        fetch = item.fetch
        if fetch.ok:
            try:  # in a thread: the fsync waits on the disk, the crawl goes on meanwhile
                fetch.sha256 = await asyncio.to_thread(self.blobs.put, fetch.body)
            except OSError as exc:  # a full disk, a blob store gone read-only: this item is not stored
                item.stage_error = f"blob store: {exc.strerror or exc}"
        return item


class ExtractStage:
    """Extract the text of PDF bytes never extracted before (by this extractor version)."""

    def __init__(
        self,
        db_url: str,
        workers: int | None,
        extractor: str = DEFAULT,
        shared: SharedResources | None = None,
        stats=None,
        ocr: bool = False,
    ):
        self.stats = stats  # Scrapy's stats collector: the run's statistics take the timing from it
        self.db_url = db_url
        self.workers = workers
        self.extractor = engine(extractor)
        self.shared = shared
        self.ocr = engine(OCR) if ocr else None
        self.ocr_pool = None  # started at the first page needing OCR
        self.done: set[str] = set()  # sha256 extracted (or being extracted) in this run
        self.timing = ExtractTiming()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(
            resolve_db_url(crawler.settings.get("ARCHIVE_DB")),
            crawler.settings.getint("EXTRACT_WORKERS") or None,
            crawler.settings.get("EXTRACTOR") or DEFAULT,
            getattr(crawler, "shared", None),
            crawler.stats,
            crawler.settings.getbool("OCR"),
        )

    def open_spider(self, spider=None):
        self.pool = (
            self.shared.extract
            if self.shared
            else ExtractionPool(workers=self.workers, extractor=self.extractor.NAME)
        )
        self.engine = None  # opened at the first document: the store stage makes the archive first

    def _extracted_before(self, sha256: str) -> bool:
        """Has the archive this text already? When the archive cannot say (it is restarting), the
        bytes are extracted again: the store keeps one extraction whatever happens."""
        try:
            if self.engine is None:
                self.engine = self.shared.read_engine if self.shared else make_read_engine(self.db_url)
            return Archive(self.engine, None).extraction_exists(
                sha256, self.extractor.NAME, self.extractor.VERSION
            )
        except SQLAlchemyError:
            return False

    async def process_item(self, item):
        fetch = item.fetch
        if not isinstance(item, DocumentItem) or not fetch.ok or item.stage_error:
            return item
        if fetch.sha256 in self.done or self._extracted_before(fetch.sha256):
            return item
        self.done.add(fetch.sha256)
        if is_pdf(fetch.body):
            with self.timing.busy():
                item.extraction = await self.pool.extract_async(fetch.body)
            self.timing.pages += len(item.extraction.pages)
            if self.stats is not None:
                self.stats.set_value("extract/pages", self.timing.pages)
                self.stats.set_value("extract/busy_s", round(self.timing.busy_s, 3))
            if self.ocr is not None and item.extraction.status != "failed":
                item.ocr = await self._ocr(fetch.body, item.extraction)
        else:  # recorded, so a document's text status says why there is none (never "pending" for ever)
            item.extraction = not_a_pdf(fetch.body, fetch.content_type, self.extractor)
        return item

    async def _ocr(self, data: bytes, extraction):
        """Tesseract over the pages the text layer could not give (none: no OCR extraction)."""
        pages = pages_needing_ocr(extraction)
        if not pages:
            return None
        if self.ocr_pool is None:
            self.ocr_pool = ExtractionPool(workers=self.workers, extractor=OCR)
        return await self.ocr_pool.extract_async(data, pages=pages)

    def close_spider(self, spider=None):
        if not self.shared:
            self.pool.close()
        if self.ocr_pool is not None:
            self.ocr_pool.close()
        if self.engine is not None and not self.shared:
            self.engine.dispose()


class ParseStage:
    """Repaired text, numbered minutes and cross-references of new text and of meeting pages.

    In a crawl the parsing runs in a worker process under a limit of CPU time (``cpu_budget``), so
    one pathological text cannot stall the crawl: past the limit the item is stored without minutes
    (and without a parser version, so ``reprocess`` tries it again). CPU time, not the wall clock:
    the workers run at the lowest priority, and a text waiting for a core is not pathological.
    ``parse`` does the same work in this process.
    """

    def __init__(
        self, profile: Profile, timeout: float = PARSE_TIMEOUT_S, shared: SharedResources | None = None
    ):
        self.profile = profile
        self.version = parser_version(profile)
        self.timeout = timeout
        self.shared = shared
        self.pool = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(
            profile_of(crawler.settings),
            crawler.settings.getfloat("PARSE_TIMEOUT", PARSE_TIMEOUT_S),
            getattr(crawler, "shared", None),
        )

    def open_spider(self, spider=None):
        self.pool = self.shared.parse if self.shared else parse_pool(1)

    def close_spider(self, spider=None):
        if self.pool is not None and not self.shared:
            self.pool.close()
            self.pool.join()

    def parse(self, item):
        if item.stage_error:
            return item
        if isinstance(item, DocumentItem) and item.extraction is not None:
            item.clean_pages, item.parsed, item.ocr_parsed = _parse_document(
                item.extraction, item.ocr, self.profile
            )
            item.parser_version = self.version
        elif isinstance(item, PageItem) and item.meeting is not None:
            item.parsed = parsing.parse_meeting_page(item.meeting, self.profile)
            item.parser_version = self.version
        return item

    async def process_item(self, item):
        if item.stage_error or self.pool is None:
            return self.parse(item)
        if isinstance(item, DocumentItem) and item.extraction is not None:
            work, args = _parse_document, (item.extraction, item.ocr, self.profile)
        elif isinstance(item, PageItem) and item.meeting is not None:
            work, args = _parse_page, (item.meeting, self.profile)
        else:
            return item
        wall = self.timeout * PARSE_WALL_FACTOR
        try:
            done = await asyncio.wrap_future(
                self.pool.schedule(_within_budget, args=(self.timeout, work, *args), timeout=wall)
            )
        except CPUBudgetExceeded:
            why = (
                f"parsing took longer than {self.timeout:.0f} s of CPU time: stored without minutes "
                "(reprocess retries it)"
            )
        except TimeoutError:
            why = f"parsing gave no answer in {wall:.0f} s: stored without minutes (reprocess retries it)"
        except Exception as exc:  # the worker died: the item is still stored, its text too
            why = f"parsing failed: {type(exc).__name__}: {exc}"[:300]
        else:
            if isinstance(item, DocumentItem):
                item.clean_pages, item.parsed, item.ocr_parsed = done
            else:
                item.parsed = done
            item.parser_version = self.version
            return item
        logger.warning("%s: %s", item.fetch.url, why)
        if isinstance(item, DocumentItem):
            item.clean_pages = [p.text for p in item.extraction.pages]
        item.parsed, item.parser_version = None, None
        item.warnings.append(why)
        return item


def _within_budget(seconds: float, work, *args):
    # in the worker: ``work`` may take at most ``seconds`` of its CPU time
    with cpu_budget(seconds):
        return work(*args)


def _parse_page(meeting, profile: Profile):
    # looked up when called: the worker runs whatever parser this process has (a test's, say)
    return parsing.parse_meeting_page(meeting, profile)


def _parse_document(extraction, ocr, profile: Profile):
    """(repaired pages, minutes) of the text layer, and (repaired pages, minutes) of its OCR or None."""
    return (*_parse_text(extraction, profile), None if ocr is None else _parse_text(ocr, profile))


def _parse_text(extraction, profile: Profile):
    """(repaired pages, minutes and references) of an extraction; no minutes when it has no text."""
    clean, parsed = parsing.parse_pages([p.text for p in extraction.pages], profile)
    return clean, (parsed if extraction.status == "ok" else None)
