"""Runs at once: two crawls of one council, two migrations of a fresh database, and what a killed
writer left in the blob store."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from pipeline.archive.db import blob_root, current_revision, head_revision, make_engine
from pipeline.archive.models import CrawlRun

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def test_two_crawls_at_once_leave_two_finished_runs(site_factory, db_url):
    server = site_factory(committees=2, years=(2024, 2025), meetings_per_year=3)
    args = ("crawl", "--base-url", server.base_url, "--council", "sample", "--delay", "0", "--db", db_url)
    crawls = [_cli(*args), _cli(*args)]
    results = [(c.wait(timeout=300), c.stderr.read()) for c in crawls]
    assert [code for code, _ in results] == [0, 0], results
    with create_engine(db_url).connect() as c:
        runs = c.execute(select(CrawlRun.status, CrawlRun.reason)).all()
    assert [r.status for r in runs] == ["finished", "finished"]  # neither marked the other interrupted


def test_two_migrations_of_a_fresh_database_at_once_both_succeed(db_url):
    upgrades = [_cli("db", "upgrade", "--db", db_url) for _ in range(3)]
    results = [(u.wait(timeout=120), u.stderr.read()) for u in upgrades]
    assert [code for code, _ in results] == [0, 0, 0], results
    assert current_revision(make_engine(db_url)) == head_revision()


def test_temporary_blobs_of_a_killed_writer_are_removed_by_the_next_run(site_factory, db_url):
    incoming = blob_root(db_url) / ".incoming"
    incoming.mkdir(parents=True)
    stale, fresh = incoming / "tmp-stale", incoming / "tmp-fresh"
    stale.write_bytes(b"half a PDF")
    fresh.write_bytes(b"being written now")
    two_hours_ago = time.time() - 7200
    os.utime(stale, (two_hours_ago, two_hours_ago))
    server = site_factory(committees=1, years=(2025,), meetings_per_year=1)
    crawl = _cli("crawl", "--base-url", server.base_url, "--council", "s", "--delay", "0", "--db", db_url)
    assert crawl.wait(timeout=120) == 0, crawl.stderr.read()
    assert not stale.exists() and fresh.exists()
