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
