"""How long a crawl had extractions in flight: its own extraction throughput."""

from __future__ import annotations

import time
from contextlib import contextmanager


class ExtractTiming:
    """Pages extracted and the wall time with at least one extraction in flight: the crawl's own
    extraction throughput, comparable with the pool's rate alone (bench/crawl.py)."""

    def __init__(self):
        self.pages = 0
        self.busy_s = 0.0
        self._in_flight = 0
        self._since = 0.0

    @contextmanager
    def busy(self):
        if self._in_flight == 0:
            self._since = time.perf_counter()
        self._in_flight += 1
        try:
            yield
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self.busy_s += time.perf_counter() - self._since
