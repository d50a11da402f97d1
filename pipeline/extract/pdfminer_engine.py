"""PDF text extraction with pdfminer.six, page by page, in a pool of child processes.

Each document runs in a child process with a time limit and an address-space cap, so a
pathological PDF can neither hang nor kill the crawl. pdfminer's default layout analysis can take
minutes on a page with thousands of text boxes: on a timeout the document is retried once with
``LAParams(boxes_flow=None)``. ``laparams=None`` is never used: it loses the line breaks that
minute headings depend on.
"""

from __future__ import annotations

import asyncio
import io
import os
import resource
from dataclasses import dataclass, field

import pdfminer
from pebble import ProcessPool

from pipeline.parse.cleanup import cid_ratio, clean_pages

EXTRACTOR = "pdfminer.six"
EXTRACTOR_VERSION = pdfminer.__version__
CID_OCR_THRESHOLD = 0.3  # share of (cid:NN) tokens above which a page needs OCR
DEFAULT_TIMEOUT = float(os.environ.get("COUNCIL_ARCHIVE_EXTRACT_TIMEOUT", 120))
DEFAULT_MEMORY_MB = int(os.environ.get("COUNCIL_ARCHIVE_EXTRACT_MEMORY_MB", 2048))


@dataclass
class ExtractedPage:
    number: int  # 1-based
    text: str
    needs_ocr: bool = False


@dataclass
class Extraction:
    status: str  # ok | empty | failed
    pages: list[ExtractedPage] = field(default_factory=list)
    error: str | None = None
    extractor: str = EXTRACTOR
    extractor_version: str = EXTRACTOR_VERSION

    @property
    def text(self) -> str:
        """The whole document, pages separated by form feeds (page numbers stay recoverable)."""
        return "\f".join(p.text for p in self.pages)


def is_pdf(data: bytes) -> bool:
    return data[:1024].lstrip().startswith(b"%PDF")


def extract_pdf(data: bytes, boxes_flow: float | None = 0.5) -> Extraction:
    """Extract in this process (what each pool worker runs). Never raises for a bad PDF."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer

    if not is_pdf(data):
        return Extraction("failed", error="not a PDF (no %PDF header)")
    try:
        raw = []
        for layout in extract_pages(io.BytesIO(data), password="", laparams=LAParams(boxes_flow=boxes_flow)):
            raw.append("".join(el.get_text() for el in layout if isinstance(el, LTTextContainer)))
    except MemoryError:
        return Extraction("failed", error="MemoryError: over the extraction memory cap")
    except Exception as exc:  # pdfminer raises many types for malformed files
        return Extraction("failed", error=f"{type(exc).__name__}: {exc}"[:500])
    flags = [cid_ratio(p) > CID_OCR_THRESHOLD for p in raw]
    cleaned = clean_pages(raw)
    pages = [
        ExtractedPage(i + 1, text.strip(), ocr)
        for i, (text, ocr) in enumerate(zip(cleaned, flags, strict=True))
    ]
    usable = [p for p in pages if p.text and not p.needs_ocr]
    return Extraction("ok" if usable else "empty", pages)


def _worker_died(exc: BaseException) -> Extraction:
    return Extraction("failed", error=f"extraction worker died: {type(exc).__name__}: {exc}"[:500])


def _limit_memory(megabytes: int) -> None:
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


class ExtractionPool:
    """A pool of worker processes sized to the cores; ``extract`` blocks, ``submit`` does not."""

    def __init__(
        self, workers: int | None = None, timeout: float = DEFAULT_TIMEOUT, memory_mb: int = DEFAULT_MEMORY_MB
    ):
        self.timeout = timeout
        self.pool = ProcessPool(
            max_workers=workers or os.cpu_count() or 1,
            max_tasks=200,
            initializer=_limit_memory,
            initargs=(memory_mb,),
        )

    def submit(self, data: bytes, boxes_flow: float | None = 0.5):
        return self.pool.schedule(extract_pdf, args=(data, boxes_flow), timeout=self.timeout)

    def extract(self, data: bytes) -> Extraction:
        """Extract, waiting here; on a timeout retry once without boxes_flow. Never raises."""
        for boxes_flow in (0.5, None):
            try:
                return self.submit(data, boxes_flow).result()
            except TimeoutError:
                continue
            except Exception as exc:  # the worker died (memory cap, crash)
                return _worker_died(exc)
        return self._timed_out()

    async def extract_async(self, data: bytes) -> Extraction:
        """The same, awaited from the crawl's asyncio loop so the crawl goes on meanwhile."""
        for boxes_flow in (0.5, None):
            try:
                return await asyncio.wrap_future(self.submit(data, boxes_flow))
            except TimeoutError:
                continue
            except Exception as exc:
                return _worker_died(exc)
        return self._timed_out()

    def _timed_out(self) -> Extraction:
        return Extraction(
            "failed", error=f"timed out twice after {self.timeout:.0f} s (also with boxes_flow=None)"
        )

    def close(self) -> None:
        self.pool.close()
        self.pool.join()

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
