"""Each minute's first source and number of sources, kept on its row by the writer
(writer/source_counts.py), follow minute_sources when a source is added or taken away."""

from __future__ import annotations

from sqlalchemy import func, select

from pipeline.archive.blobs import BlobStore
from pipeline.archive.db import blob_root, open_archive_engine
from pipeline.archive.models import DetectedMinute, Minute, MinuteSource
from pipeline.archive.writer import Archive, detected
from tests.archive_snapshot import assert_source_counts_kept
from tests.spider_items import load_items, store_items


def test_counts_follow_sources_added_and_dropped(db_url, sample_items_file):
    archive = Archive(open_archive_engine(db_url), BlobStore(blob_root(db_url)))
    store_items(archive, archive.ensure_council("sample", "http://127.0.0.1/"), load_items(sample_items_file))
    engine = archive.engine
    assert_source_counts_kept(engine)
    with engine.begin() as conn:
        # a minute shown by more than one source: drop the source its first source came from
        minute_id, n = conn.execute(
            select(MinuteSource.minute_id, func.count())
            .group_by(MinuteSource.minute_id)
            .having(func.count() > 1)
            .order_by(MinuteSource.minute_id)
            .limit(1)
        ).one()
        stored = conn.execute(
            select(Minute.source_count, Minute.first_source_url).where(Minute.id == minute_id)
        )
        assert stored.one() == (
            n,
            conn.scalar(
                select(MinuteSource.source_url)
                .where(MinuteSource.minute_id == minute_id)
                .order_by(MinuteSource.id)
            ),
        )
        first = conn.execute(
            select(DetectedMinute.extraction_id, DetectedMinute.page_version_id)
            .join(MinuteSource, MinuteSource.detected_minute_id == DetectedMinute.id)
            .where(MinuteSource.minute_id == minute_id)
            .order_by(MinuteSource.id)
            .limit(1)
        ).one()
        detected.drop(conn, extraction_id=first.extraction_id, page_version_id=first.page_version_id)
        count, url = conn.execute(
            select(Minute.source_count, Minute.first_source_url).where(Minute.id == minute_id)
        ).one()
        assert count == n - 1 and url
    assert_source_counts_kept(engine)
    engine.dispose()


def test_two_writers_adding_sources_to_one_minute_at_once_count_both(db_url, sample_items_file):
    """PostgreSQL, READ COMMITTED: the second writer's count waits for the first's commit and sees
    its source too (no lost update). SQLite has one writer at a time."""
    import threading

    import pytest
    from sqlalchemy import insert

    from pipeline.archive.writer import source_counts

    archive = Archive(open_archive_engine(db_url), BlobStore(blob_root(db_url)))
    if archive.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers at BEGIN IMMEDIATE")
    store_items(archive, archive.ensure_council("sample", "http://127.0.0.1/"), load_items(sample_items_file))
    engine = archive.engine
    with engine.connect() as conn:
        minute_id, before = conn.execute(
            select(Minute.id, Minute.source_count).order_by(Minute.id).limit(1)
        ).one()
        linked = select(MinuteSource.detected_minute_id).where(MinuteSource.minute_id == minute_id)
        spare = conn.scalars(
            select(DetectedMinute.id)
            .where(DetectedMinute.id.not_in(linked))
            .order_by(DetectedMinute.id)
            .limit(2)
        ).all()

    def add_source(conn, detected_minute_id, url):
        conn.execute(
            insert(MinuteSource).values(
                minute_id=minute_id, detected_minute_id=detected_minute_id, source_url=url
            )
        )
        source_counts.recount(conn, [minute_id])

    first, second = engine.connect(), engine.connect()
    first.begin()
    add_source(first, spare[0], "http://127.0.0.1/a")
    second.begin()
    waited = threading.Thread(target=add_source, args=(second, spare[1], "http://127.0.0.1/b"))
    waited.start()
    waited.join(0.5)
    assert waited.is_alive()  # waiting for the first writer's lock on the minute
    first.commit()
    waited.join(30)
    second.commit()
    first.close()
    second.close()
    with engine.connect() as conn:
        assert conn.scalar(select(Minute.source_count).where(Minute.id == minute_id)) == before + 2
    assert_source_counts_kept(engine)
    engine.dispose()
