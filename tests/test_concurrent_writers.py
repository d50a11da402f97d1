"""Several writer processes storing the same items into one archive at once: no duplicate rows, no
errors (deadlocks and lost races retried), and the archive one writer alone would make."""

from __future__ import annotations

import multiprocessing
import random

import pytest
from sqlalchemy import func, select, text

from pipeline.archive.blobs import BlobStore
from pipeline.archive.db import blob_root, open_archive_engine
from pipeline.archive.models import (
    AgendaItem,
    AgendaItemVersion,
    Blob,
    Committee,
    DetectedMinute,
    DetectedReference,
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


def _writer(db_url: str, items_file: str, order: bool | int) -> None:
    """Store every item: in order (False), reversed (True), or shuffled by a seed (an int > 1)."""
    engine = open_archive_engine(db_url, migrate=False)
    archive = Archive(engine, BlobStore(blob_root(db_url)))
    council_id = archive.ensure_council("sample", "http://127.0.0.1/")
    items = load_items(items_file)
    if order is True:
        items = items[::-1]
    elif order is not False:
        random.Random(order).shuffle(items)
    store_items(archive, council_id, items)
    engine.dispose()


def _write_at_once(db_url: str, items_file: str, orders: list) -> list[int | None]:
    ctx = multiprocessing.get_context("spawn")
    writers = [ctx.Process(target=_writer, args=(db_url, items_file, o)) for o in orders]
    for w in writers:
        w.start()
    for w in writers:
        w.join(300)
    return [w.exitcode for w in writers]


# Rows that must be unique although no constraint says so: a version is appended once per new
# content, a source's minutes and references are detected once per parser version.
DUPLICATES = {
    "page versions": "SELECT page_id, sha256 FROM page_versions GROUP BY page_id, sha256 HAVING count(*) > 1",
    "document versions": "SELECT document_id, sha256 FROM document_versions "
    "GROUP BY document_id, sha256 HAVING count(*) > 1",
    "detected minutes": "SELECT extraction_id, page_version_id, position FROM detected_minutes "
    "GROUP BY extraction_id, page_version_id, position, parser_version HAVING count(*) > 1",
    "minutes": "SELECT meeting_id, number FROM minutes GROUP BY meeting_id, number HAVING count(*) > 1",
    "resolved references": "SELECT citing_minute_id, citation_key FROM reference_links "
    "WHERE duplicate_of IS NULL AND citation_key IS NOT NULL "
    "GROUP BY citing_minute_id, citation_key HAVING count(*) > 1",
}


def counts(engine, tables=TABLES) -> dict[str, int]:
    with engine.connect() as conn:
        return {m.__tablename__: conn.scalar(select(func.count()).select_from(m)) for m in tables}


def test_two_writers_at_once_leave_no_duplicates(new_db, sample_items_file):
    together, alone = new_db(), new_db()
    for url in (together, alone):
        open_archive_engine(url).dispose()
    # no errors (deadlocks and lost races are retried)
    assert _write_at_once(together, str(sample_items_file), [False, True]) == [0, 0]
    _writer(alone, str(sample_items_file), False)

    both, one = open_archive_engine(together), open_archive_engine(alone)
    assert counts(both) == counts(one)
    assert counts(one)["minutes"] > 0 and counts(one)["reference_links"] > 0
    a, b = snapshot(both), snapshot(one)
    for table in b:
        assert a[table] == b[table], table


def test_four_writers_at_once_on_postgresql_leave_no_duplicates(new_db, sample_items_file):
    """The production backend with several crawls writing at once (one pooled engine each), all
    deriving the council at the end too: one archive, as one writer makes it."""
    if new_db.backend != "postgresql":
        pytest.skip("SQLite serialises writers at BEGIN IMMEDIATE (the test above)")
    together, alone = new_db(), new_db()
    for url in (together, alone):
        open_archive_engine(url).dispose()
    assert _write_at_once(together, str(sample_items_file), [False, True, 7, 8]) == [0, 0, 0, 0]
    _writer(alone, str(sample_items_file), False)
    both, one = open_archive_engine(together), open_archive_engine(alone)
    with both.connect() as conn:
        for what, sql in DUPLICATES.items():
            assert conn.execute(text(sql)).all() == [], f"duplicate {what}"
    detected = (DetectedMinute, DetectedReference)
    assert counts(both, detected) == counts(one, detected)  # a minute may cite one text twice: counted
    assert counts(both) == counts(one)
    a, b = snapshot(both), snapshot(one)
    for table in b:
        assert a[table] == b[table], table
