"""The read side called in-process on an archive of the real spider's items: search, refs,
history and diff, summaries."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pipeline.archive.blobs import BlobStore
from pipeline.archive.db import blob_root, open_archive_engine, open_read_engine
from pipeline.archive.models import Committee, Document, Minute, ReferenceLink
from pipeline.archive.writer import Archive
from pipeline.read.history import UnknownURL, diff, history
from pipeline.read.refs import UnknownMinute, minute_refs
from pipeline.read.search import SearchError, search
from pipeline.read.summary import archive_counts, references_resolved
from tests.spider_items import load_items, store_items


@pytest.fixture
def engine(db_url, sample_items_file):
    archive = Archive(open_archive_engine(db_url), BlobStore(blob_root(db_url)))
    store_items(archive, archive.ensure_council("sample", "http://127.0.0.1/"), load_items(sample_items_file))
    archive.engine.dispose()
    return open_read_engine(db_url)


def test_search_ranks_minutes_and_pages_and_filters(engine):
    hits = search(engine, "minutes", limit=5)
    assert hits and {h.kind for h in hits} <= {"minute", "page"} and len(hits) <= 5
    assert all(hits[i].score >= hits[i + 1].score for i in range(len(hits) - 1))
    assert search(engine, "minutes", council="sample", date_from=hits[0].meeting_date, limit=50)
    assert search(engine, "zzzunheardofword") == []
    with pytest.raises(SearchError, match="unknown council 'nowhere'"):
        search(engine, "budget", council="nowhere")
    with pytest.raises(SearchError, match="unknown committee"):
        search(engine, "budget", committee="No Such Committee")


def test_refs_shows_both_directions_with_how_each_resolved(engine):
    with engine.connect() as conn:
        cited = conn.execute(
            select(Minute.label, Committee.name)
            .join(ReferenceLink, ReferenceLink.target_minute_id == Minute.id)
            .join(Committee, Committee.id == Minute.committee_id)
            .limit(1)
        ).first()
    assert cited is not None, "the sample site's minutes cite earlier minutes"
    [found] = [m for m in minute_refs(engine, cited.label, cited.name) if m["cited_by"]][:1]
    assert all(r["resolved"] and r["method"] for r in found["cited_by"])
    with pytest.raises(UnknownMinute):
        minute_refs(engine, "999/99", cited.name)


def test_history_and_diff_of_a_document(engine, db_url):
    with engine.connect() as conn:
        url = conn.scalar(select(Document.url).where(Document.kind == "printed_minutes").limit(1))
    h = history(engine, url)
    assert h.kind == "document" and len(h.versions) == 1 and h.versions[0].text_status == "ok"
    with pytest.raises(UnknownURL, match="nothing to compare"):
        diff(engine, BlobStore(blob_root(db_url)), url)
    with pytest.raises(UnknownURL, match="no document or page"):
        history(engine, "http://nowhere/")


def test_summary_counts_what_was_stored(engine):
    with engine.connect() as conn:
        council_id = conn.execute(select(Minute.council_id).limit(1)).scalar()
    counts = archive_counts(engine, council_id)
    assert counts["meetings"] == 12 and counts["committees"] == 2 and counts["minutes"] > 0
    resolved, total = references_resolved(engine, council_id)
    assert 0 < resolved <= total
