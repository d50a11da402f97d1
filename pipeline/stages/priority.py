"""The CPU priority of the crawl's helper processes (parse workers, the writer process)."""

from __future__ import annotations

import contextlib
import os

BACKGROUND_NICENESS = 5


def background() -> None:
    """Lower this process's CPU priority: the work queued behind the extraction (parsing its text,
    writing the rows) yields a busy machine's cores to the extraction workers and the crawl, and
    catches up when they wait. Idle cores it still gets in full (niceness only weighs contention).
    Where it is not allowed, it runs at the crawl's priority: no harm done."""
    with contextlib.suppress(OSError):
        os.nice(BACKGROUND_NICENESS)
