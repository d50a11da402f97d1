"""The store stage's writer process (pipeline/stages/writer_process.py): a crawl whose batches it
writes makes the archive a crawl writing them itself makes, and it really is the one writing."""

from __future__ import annotations

import os

from sqlalchemy import create_engine, func, select

from pipeline.archive.models import CrawlRun, Document, DocumentVersion, Meeting, PageVersion
from pipeline.stages import writer_process
from tests.archive_snapshot import snapshot
from tests.conftest import crawl_site


def _identity(engine) -> dict:
    with engine.connect() as c:
        return {
            "meetings": sorted(c.execute(select(Meeting.site_id, Meeting.date, Meeting.status)).all()),
            "documents": sorted(
                c.execute(
                    select(Document.url, Document.kind, DocumentVersion.sha256).join(
                        DocumentVersion, DocumentVersion.document_id == Document.id
                    )
                ).all()
            ),
            "page_versions": c.scalar(select(func.count()).select_from(PageVersion)),
        }


def _stats(engine) -> dict:
    with engine.connect() as c:
        return c.scalar(select(CrawlRun.stats).order_by(CrawlRun.id.desc()).limit(1))


def test_the_writer_process_writes_what_the_crawl_itself_would(site_factory, new_db):
    server = site_factory(committees=2, years=(2024, 2025), meetings_per_year=3, cancelled_every=0)
    by_writer, by_crawl = new_db(), new_db()
    crawl_site(server, by_writer)
    crawl_site(server, by_crawl, env={"COUNCIL_ARCHIVE_WRITER_PROCESS": "0"})
    a, b = create_engine(by_writer), create_engine(by_crawl)
    assert _identity(a) == _identity(b) and _identity(a)["documents"]
    assert snapshot(a) == snapshot(b)
    written, itself = _stats(a), _stats(b)
    assert written["batches_by_writer_process"] >= 1 and "batches_stored_again" not in written
    assert "batches_by_writer_process" not in itself
    assert written["new_versions"] == itself["new_versions"] and written["new_rows"] == itself["new_rows"]


def test_private_databases_are_written_by_the_crawl_itself():
    assert not writer_process.can_use("sqlite://")
    assert not writer_process.can_use("sqlite:///:memory:")
    assert writer_process.can_use("sqlite:///data/archive.sqlite")
    assert writer_process.can_use("postgresql+psycopg://localhost/test")


def test_the_writer_process_opens_the_archive_by_absolute_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COUNCIL_ARCHIVE_BLOBS", raising=False)
    url, blobs = writer_process.where("sqlite:///sub/a.sqlite")
    assert url == f"sqlite:///{tmp_path}/sub/a.sqlite" and blobs == str(tmp_path / "sub" / "blobs")
    monkeypatch.setenv("COUNCIL_ARCHIVE_BLOBS", "rel/blobs")
    assert writer_process.where("postgresql+psycopg://u:secret@h/db") == (
        "postgresql+psycopg://u:secret@h/db",
        str(tmp_path / "rel" / "blobs"),
    )


def test_helper_processes_yield_the_cpu_to_extraction():
    """The writer process and the parse workers run niced (pipeline/stages/priority.py), so on a busy
    machine the extraction workers and the crawl get the cores first."""
    from pipeline.stages.priority import BACKGROUND_NICENESS
    from pipeline.stages.shared import parse_pool

    mine = os.nice(0)
    for pool in (writer_process.writer_pool(), parse_pool(1)):
        try:
            assert pool.schedule(os.nice, args=(0,)).result(timeout=60) == min(19, mine + BACKGROUND_NICENESS)
        finally:
            pool.stop()
            pool.join()
