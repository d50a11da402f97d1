"""Extraction in a pool of child processes, so a pathological PDF can neither hang nor kill a crawl.

Each document runs in a worker (a fresh process from a fork server) with a time limit and an
address-space cap. On a time-out the
document is tried once more with the engine's cheaper layout (pdfminer: ``boxes_flow=None``).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import resource

from pebble import ProcessPool

from pipeline.extract.engines import engine
from pipeline.extract.result import Extraction, failed

DEFAULT_TIMEOUT = float(os.environ.get("COUNCIL_ARCHIVE_EXTRACT_TIMEOUT", 120))
DEFAULT_MEMORY_MB = int(os.environ.get("COUNCIL_ARCHIVE_EXTRACT_MEMORY_MB", 2048))


def _limit_memory(megabytes: int) -> None:
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _run(name: str, data: bytes, cheap: bool, pages=None) -> Extraction:
    # ``pages`` (1-based): only these, for the OCR engine (the pages the text layer could not give)
    return engine(name).extract(data, cheap=cheap, **({} if pages is None else {"pages": pages}))


class ExtractionPool:
    """Worker processes sized to the cores; ``extract`` waits, ``extract_async`` is awaited."""

    def __init__(
        self,
        workers: int | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        memory_mb: int = DEFAULT_MEMORY_MB,
        extractor: str = "pdfminer.six",
    ):
        self.timeout = timeout
        self.extractor = engine(extractor)
        self.pool = ProcessPool(
            max_workers=workers or os.cpu_count() or 1,
            max_tasks=200,
            initializer=_limit_memory,
            initargs=(memory_mb,),
            # Fresh interpreters, not forks of a crawler with reactor threads: the memory cap then
            # measures the document's own needs, not whatever heap the parent had.
            context=multiprocessing.get_context("forkserver"),
        )

    def submit(self, data: bytes, cheap: bool = False, pages=None):
        return self.pool.schedule(_run, args=(self.extractor.NAME, data, cheap, pages), timeout=self.timeout)

    def extract(self, data: bytes, pages=None) -> Extraction:
        """Extract, waiting here; on a time-out retry once the cheap way. Never raises."""
        for cheap in (False, True):
            try:
                return self.submit(data, cheap, pages).result()
            except TimeoutError:
                continue
            except Exception as exc:  # the worker died (memory cap, crash)
                return self._died(exc)
        return self._timed_out()

    async def extract_async(self, data: bytes, pages=None) -> Extraction:
        """The same, awaited from the crawl's asyncio loop so the crawl goes on meanwhile."""
        for cheap in (False, True):
            try:
                return await asyncio.wrap_future(self.submit(data, cheap, pages))
            except TimeoutError:
                continue
            except Exception as exc:
                return self._died(exc)
        return self._timed_out()

    def _died(self, exc: BaseException) -> Extraction:
        return failed(
            f"extraction worker died: {type(exc).__name__}: {exc}",
            self.extractor.NAME,
            self.extractor.VERSION,
        )

    def _timed_out(self) -> Extraction:
        return failed(
            f"timed out twice after {self.timeout:.0f} s (also the cheaper way)",
            self.extractor.NAME,
            self.extractor.VERSION,
        )

    def close(self) -> None:
        self.pool.close()
        self.pool.join()

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
