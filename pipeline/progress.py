"""Progress of a long run (crawl, export, reprocess): a live line on a terminal (rich), plain log lines
every so often otherwise (cron mail, logs). The one progress display of the project."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, what: str, every_s: float = 30.0, stream=None, plain: bool = False):
        self.what = what
        self.stream = stream or sys.stderr
        self.every_s = every_s
        self.live = None
        self.last = time.monotonic()
        if self.stream.isatty() and not plain:
            from rich.console import Console
            from rich.progress import Progress as RichProgress
            from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

            self.live = RichProgress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=Console(file=self.stream),
                transient=True,
            )
            self.live.start()
            self.task = self.live.add_task(what)

    def update(self, status: str) -> None:
        if self.live:
            self.live.update(self.task, description=f"{self.what}: {status}")
        elif time.monotonic() - self.last >= self.every_s:
            self.last = time.monotonic()
            print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {self.what}: {status}", file=self.stream, flush=True)

    def rows(self, n: int) -> None:
        """A count of rows so far (exports)."""
        self.update(f"{n:,} rows")

    def close(self) -> None:
        if self.live:
            self.live.stop()
