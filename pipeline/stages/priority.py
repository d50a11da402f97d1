"""The CPU priority of the crawl's helper processes (parse workers, the writer process)."""

from __future__ import annotations

import contextlib
import os

# The lowest priority: while the extraction workers keep the cores busy (it is what a crawl waits
# for), the helpers get almost none of them. On 2 cores (bench/crawl.py, alternating pairs) the
# helpers' CPU time while extraction ran fell from ~8 s to ~1.4 s, and extraction inside the crawl
# rose from 0.77 and 0.77 of the pool's own rate (niceness 5) to 0.95 and 1.09 (19).
BACKGROUND_NICENESS = 19


def background() -> None:
    """Lower this process's CPU priority: the work queued behind the extraction (parsing its text,
    writing the rows) yields a busy machine's cores to the extraction workers and the crawl, and
    catches up when they wait. Idle cores it still gets in full (niceness only weighs contention).
    The backlog this leaves is bounded: a crawl holds only so many responses in its pipeline
    (Scrapy's scraper slot), so past that it fetches no more and the extraction's queue drains.
    Parsing is limited in CPU time, not wall time (``cpu_budget``), so waiting is no failure.
    Where lowering is not allowed, it runs at the crawl's priority: no harm done."""
    with contextlib.suppress(OSError):
        os.nice(BACKGROUND_NICENESS)
