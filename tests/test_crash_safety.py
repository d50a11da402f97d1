"""A crawl killed with SIGKILL mid-run, then run again, leaves the archive an uninterrupted crawl leaves."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from pipeline.archive.blobs import BlobStore
from pipeline.archive.models import (
    AgendaItem,
    AgendaItemVersion,
    Blob,
    CrawlRun,
    DetectedMinute,
    Document,
    DocumentVersion,
    FetchLog,
    Meeting,
    Minute,
    MinuteSource,
    Page,
    PageVersion,
    ReferenceLink,
    TextExtraction,
)
from tests.conftest import run_cli

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


def crawl_cmd(server, db_url):
    return [
        sys.executable,
        "-m",
        "pipeline.cli",
        "crawl",
        "--base-url",
        server.base_url,
        "--council",
        "sample",
        "--delay",
        "0.02",
        "--concurrency",
        "1",
        "--db",
        db_url,
    ]


def content(db_url: str, blobs: BlobStore) -> dict:
    """What the archive holds, independent of row ids and timestamps."""
    engine = create_engine(db_url)
    with engine.connect() as c:
        versions: dict[str, list[str]] = {}
        for url, sha in c.execute(
            select(Document.url, DocumentVersion.sha256)
            .join(DocumentVersion, DocumentVersion.document_id == Document.id)
            .order_by(DocumentVersion.id)
        ):
            versions.setdefault(url, []).append(sha)
        for sha in c.scalars(select(Blob.sha256)):
            assert blobs.exists(sha), f"row for blob {sha} without its file"
        snapshot = {
            "document_versions": versions,
            "documents": sorted(c.execute(select(Document.url, Document.kind, Document.removed_at)).all()),
            "meetings": sorted(c.execute(select(Meeting.site_id, Meeting.status, Meeting.date)).all()),
            "items": sorted(
                c.execute(
                    select(Meeting.site_id, AgendaItem.item_key, func.count(AgendaItemVersion.id))
                    .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
                    .join(AgendaItemVersion, AgendaItemVersion.agenda_item_id == AgendaItem.id)
                    .group_by(Meeting.site_id, AgendaItem.item_key)
                ).all()
            ),
            "page_versions": sorted(
                c.execute(
                    select(Page.url, func.count(PageVersion.id))
                    .join(PageVersion, PageVersion.page_id == Page.id)
                    .group_by(Page.url)
                ).all()
            ),
            "extractions": sorted(c.scalars(select(TextExtraction.sha256))),
            "detected_minutes": c.scalar(select(func.count()).select_from(DetectedMinute)),
            "minutes": sorted(
                c.execute(
                    select(Meeting.site_id, Minute.number, func.count(MinuteSource.id))
                    .join(Minute, Minute.meeting_id == Meeting.id)
                    .join(MinuteSource, MinuteSource.minute_id == Minute.id)
                    .group_by(Meeting.site_id, Minute.number)
                ).all()
            ),
            "references": c.scalar(select(func.count()).select_from(ReferenceLink)),
        }
    engine.dispose()
    return snapshot


@pytest.mark.parametrize("kill_after", [8, 30])  # fetches committed before the SIGKILL
def test_sigkill_then_rerun_equals_an_uninterrupted_crawl(site_factory, db_url, tmp_path, kill_after):
    server = site_factory(committees=2, years=(2025,), meetings_per_year=3, cancelled_every=4)
    reference_db = f"sqlite:///{tmp_path / 'reference.sqlite'}"
    ref_env = {"COUNCIL_ARCHIVE_BLOBS": str(tmp_path / "reference-blobs")}
    assert run_cli(*crawl_cmd(server, reference_db)[3:], env=ref_env).returncode == 0
    expected = content(reference_db, BlobStore(tmp_path / "reference-blobs"))

    victim = subprocess.Popen(
        crawl_cmd(server, db_url),
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    engine = create_engine(db_url)
    deadline = time.time() + 60
    fetched = 0
    while time.time() < deadline and victim.poll() is None:
        try:
            with engine.connect() as c:
                fetched = c.scalar(select(func.count()).select_from(FetchLog)) or 0
        except Exception:  # noqa: BLE001 (the schema may not exist yet)
            fetched = 0
        if fetched >= kill_after:
            break
        time.sleep(0.01)
    assert victim.poll() is None, "the crawl ended before it could be killed"
    os.killpg(victim.pid, signal.SIGKILL)  # the crawler and its extraction workers, at once
    victim.wait()
    engine.dispose()

    rerun = run_cli(*crawl_cmd(server, db_url)[3:])
    assert rerun.returncode == 0, rerun.stderr
    assert content(db_url, BlobStore(os.environ["COUNCIL_ARCHIVE_BLOBS"])) == expected
    engine = create_engine(db_url)
    with engine.connect() as c:
        assert [r for r in c.scalars(select(CrawlRun.status).order_by(CrawlRun.id))] == [
            "interrupted",
            "finished",
        ]
    engine.dispose()
