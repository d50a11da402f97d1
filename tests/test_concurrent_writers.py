"""Two writer processes storing the same items into one archive at once: no duplicate rows, no
errors, and the archive one writer alone would make."""

from __future__ import annotations

import multiprocessing

import pytest
from sqlalchemy import func, select

from pipeline.archive.blobs import BlobStore
from pipeline.archive.db import blob_root, open_archive_engine
from pipeline.archive.models import (
    AgendaItem,
    AgendaItemVersion,
    Blob,
    Committee,
    Document,
    DocumentVersion,
    Meeting,
    MeetingState,
    Minute,
    MinuteSource,
    Page,
    PageVersion,
    ReferenceLink,
    TextExtraction,
    TextPage,
)
from pipeline.archive.writer import Archive
from tests.archive_snapshot import snapshot
from tests.spider_items import load_items, store_items

pytestmark = pytest.mark.slow
TABLES = (
    Committee,
    Meeting,
    MeetingState,
    AgendaItem,
    AgendaItemVersion,
    Page,
    PageVersion,
    Document,
    DocumentVersion,
    Blob,
    TextExtraction,
    TextPage,
    Minute,
    MinuteSource,
    ReferenceLink,
)


def _writer(db_url: str, items_file: str, reverse: bool) -> None:
    engine = open_archive_engine(db_url, migrate=False)
    archive = Archive(engine, BlobStore(blob_root(db_url)))
    council_id = archive.ensure_council("sample", "http://127.0.0.1/")
    items = load_items(items_file)
    store_items(archive, council_id, items[::-1] if reverse else items)
    engine.dispose()


def counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {m.__tablename__: conn.scalar(select(func.count()).select_from(m)) for m in TABLES}


def test_two_writers_at_once_leave_no_duplicates(new_db, sample_items_file):
    together, alone = new_db(), new_db()
    for url in (together, alone):
        open_archive_engine(url).dispose()
    ctx = multiprocessing.get_context("spawn")
    writers = [
        ctx.Process(target=_writer, args=(together, str(sample_items_file), rev)) for rev in (False, True)
    ]
    for w in writers:
        w.start()
    for w in writers:
        w.join(240)
    assert [w.exitcode for w in writers] == [0, 0]  # no errors (deadlocks and lost races are retried)
    _writer(alone, str(sample_items_file), False)

    both, one = open_archive_engine(together), open_archive_engine(alone)
    assert counts(both) == counts(one)
    assert counts(one)["minutes"] > 0 and counts(one)["reference_links"] > 0
    a, b = snapshot(both), snapshot(one)
    for table in b:
        assert a[table] == b[table], table
