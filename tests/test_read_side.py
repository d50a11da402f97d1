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


def test_diff_says_in_one_line_when_a_version_has_no_text_or_its_blob_is_gone(db_url, tmp_path):
    from datetime import datetime

    from crawler.items import DocumentItem, Fetch, PageItem
    from crawler.pages import DocumentLink
    from pipeline.extract import engine as extractor
    from pipeline.extract.result import not_a_pdf

    archive = Archive(open_archive_engine(db_url), BlobStore(blob_root(db_url)))
    council = archive.ensure_council("sample", "http://h/")
    page_url, doc_url = "http://h/mgListCommittees.aspx", "http://h/documents/s1/Report.doc"
    for n, body in enumerate(
        (b"<html><div id='modgov'>one</div></html>", b"<html><div id='modgov'>two</div></html>")
    ):
        f = Fetch(url=page_url, fetched_at=datetime(2026, 1, 1 + n), status=200, body=body)
        f.sha256 = archive.blobs.put(body)
        archive.store_page(council, None, PageItem("sample", f, "committee_list"))
    link = DocumentLink(doc_url, "Report", "report")
    for n, body in enumerate((b"\xd0\xcf\x11\xe0 word one", b"\xd0\xcf\x11\xe0 word two")):
        f = Fetch(url=doc_url, fetched_at=datetime(2026, 1, 1 + n), status=200, body=body)
        f.sha256 = archive.blobs.put(body)
        item = DocumentItem("sample", f, link, "http://h/m")
        item.extraction = not_a_pdf(body, "application/msword", extractor())
        archive.store_document(council, None, item)
    engine, blobs = open_read_engine(db_url), BlobStore(blob_root(db_url))
    assert "-one" in diff(engine, blobs, page_url) and "+two" in diff(engine, blobs, page_url)
    with pytest.raises(UnknownURL, match=r"version 1 \(\w{12}\) has no text to compare \(failed\)"):
        diff(engine, blobs, doc_url)
    blobs.path(history(engine, page_url).versions[0].sha256).unlink()
    with pytest.raises(UnknownURL, match="is missing from the blob store"):
        diff(engine, blobs, page_url)


def test_search_bounds_long_queries_and_stops_slow_ones(engine):
    import time

    import pipeline.read.search as search_module

    with pytest.raises(SearchError, match="at most 500 are searched"):
        search(engine, "budget " * 200)
    with pytest.raises(SearchError, match="at most 24 and 8"):
        search(engine, " ".join(f"word{n}" for n in range(30)))
    with pytest.raises(SearchError, match="at most 24 and 8"):
        search(engine, " ".join(f"{n}/15" for n in range(10)))
    slow = (
        "SELECT pg_sleep(2)"
        if engine.dialect.name == "postgresql"
        else "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000) SELECT max(i) FROM n"
    )
    started = time.monotonic()
    stopped = pytest.raises(SearchError, match="took longer than 0 s and was stopped")
    with engine.connect() as conn, stopped, search_module._time_limit(conn, 0.2):  # the database stops it
        conn.exec_driver_sql(slow).all()
    assert time.monotonic() - started < 1.5
