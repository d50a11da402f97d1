"""What the crawlers of one process share: one extraction pool, one parse pool, one writer process,
and the engines."""

from __future__ import annotations

import multiprocessing
import os
from dataclasses import dataclass

from pebble import ProcessPool
from sqlalchemy import Engine

from pipeline.archive.db import make_read_engine, open_archive_engine
from pipeline.extract import DEFAULT, ExtractionPool
from pipeline.stages import writer_process
from pipeline.stages.priority import background


@dataclass
class SharedResources:
    """What the crawlers of one process share (``nightly``: many councils at once): one extraction
    pool, one parse pool, one write engine and one read engine, instead of one each per council
    (database connections stay within two pools however many councils crawl). Set as
    ``crawler.shared`` before the crawl starts; the stages then neither make nor close their own."""

    extract: ExtractionPool
    parse: ProcessPool
    engine: Engine
    read_engine: Engine
    writer: ProcessPool | None = None  # the store stage's writer process (None: in this process)

    @classmethod
    def open(cls, db_url: str, workers: int | None = None, extractor: str | None = None) -> SharedResources:
        return cls(
            ExtractionPool(workers=workers, extractor=extractor or DEFAULT),
            parse_pool(os.cpu_count() or 1),
            open_archive_engine(db_url),
            make_read_engine(db_url),
            writer_process.writer_pool() if writer_process.can_use(db_url) else None,
        )

    def close(self) -> None:
        self.extract.close()
        self.parse.close()
        self.parse.join()
        if self.writer is not None:
            self.writer.close()
            self.writer.join()
        self.engine.dispose()
        self.read_engine.dispose()


def parse_pool(workers: int) -> ProcessPool:
    # Forked (not spawned) workers: they run exactly the parser this process has loaded.
    return ProcessPool(
        max_workers=workers,
        max_tasks=1000,
        context=multiprocessing.get_context("fork"),
        initializer=background,
    )
