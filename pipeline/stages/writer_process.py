"""The store stage's writer process: batches of items are written there, off the crawl's thread.

A crawl is bound by its one Python thread (Scrapy, the spider's page parsing and, until this, every
INSERT of the archive). The SQL of a batch runs here instead, in one process of its own, while the
crawl goes on fetching. One process, so batches commit in the order they were sent (a document's
meeting page is stored before the document that names it), and the archive still has one writer.

The process is started from a fork server (never forked from the crawl itself: SQLite's locks are
per process, and a child forked from a process holding open connections inherits their lock
book-keeping). Its Archive and engine live as long as it does.

Nothing here decides anything: a batch that raises (or a process that died) comes back as the
exception, and the store stage writes the items again itself, one transaction each.
"""

from __future__ import annotations

import multiprocessing
import os

from pebble import ProcessPool
from sqlalchemy.engine import make_url

from pipeline.archive.blobs import BlobStore
from pipeline.archive.db import blob_root, open_archive_engine
from pipeline.archive.writer import Archive, StoreResult
from pipeline.stages.priority import background

_ARCHIVES: dict[tuple[str, str], Archive] = {}  # in the writer process: one per archive it writes


def writer_pool() -> ProcessPool:
    # No preload: the crawl would wait for the fork server's imports at its first batch; the
    # writer process imports the writer itself, with the first batch, on its own core.
    return ProcessPool(
        max_workers=1, context=multiprocessing.get_context("forkserver"), initializer=background
    )


def can_use(db_url: str) -> bool:
    """A database another process can open (not SQLite's private in-memory one)."""
    url = make_url(db_url)
    return url.get_backend_name() != "sqlite" or url.database not in (None, "", ":memory:")


def where(db_url: str) -> tuple[str, str]:
    """(database URL, blob folder) as the writer process opens them: absolute, since its working
    folder is the fork server's, not necessarily this process's of now."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and not os.path.isabs(url.database):
        url = url.set(database=os.path.abspath(url.database))
    return url.render_as_string(hide_password=False), str(blob_root(db_url).resolve())


def store_batch(
    db_url: str, blob_root: str, council_id: int, run_id: int | None, items: list
) -> list[StoreResult]:
    """Runs in the writer process: the items in one transaction (``Archive.store_items``)."""
    archive = _ARCHIVES.get((db_url, blob_root))
    if archive is None:
        archive = _ARCHIVES[(db_url, blob_root)] = Archive(open_archive_engine(db_url), BlobStore(blob_root))
    return archive.store_items(council_id, run_id, items)
