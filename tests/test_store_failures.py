"""Store failures a real machine causes: the database restarting mid-crawl, the blob store's disk
filling up. Each run says what it could not store (``partial``, exit 1) or absorbed it (retries);
either way the next incremental run leaves the archive a clean crawl would.

They need root (a private PostgreSQL server started with initdb as the postgres user; a tmpfs
mounted for the blob store): CI runs as root; elsewhere they skip, saying why.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from glob import glob
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from pipeline.archive.models import CrawlRun, Document, DocumentVersion, Meeting, MeetingState

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow
PG_BIN = sorted(glob("/usr/lib/postgresql/*/bin"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *cmd], capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def private_pg():
    """A PostgreSQL server of this test's own, so restarting it disturbs no other test."""
    if os.geteuid() != 0 or not PG_BIN or not shutil.which("runuser"):
        pytest.skip("needs root and PostgreSQL's server binaries (CI has both)")
    home = Path(tempfile.mkdtemp(prefix="council-archive-pg-"))  # in /tmp: the postgres user reaches it
    os.chmod(home, 0o755)
    shutil.chown(home, "postgres", "postgres")
    port, bin_dir = _free_port(), PG_BIN[-1]
    init = _as_postgres(f"{bin_dir}/initdb", "-D", str(home / "data"), "-A", "trust", "-U", "postgres")
    assert init.returncode == 0, init.stderr
    ctl = [
        f"{bin_dir}/pg_ctl",
        "-D",
        str(home / "data"),
        "-w",
        "-o",
        f"-p {port} -k {home} -c listen_addresses=127.0.0.1",
    ]
    started = _as_postgres(*ctl, "-l", str(home / "log"), "start")
    assert started.returncode == 0, started.stderr
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    yield url, lambda: _as_postgres(*ctl, "-l", str(home / "log"), "-m", "fast", "restart")
    _as_postgres(*ctl, "-m", "immediate", "stop")
    shutil.rmtree(home, ignore_errors=True)


def _crawl(server, db_url: str, *extra: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "crawl",
            "--base-url",
            server.base_url,
            "--council",
            "sample",
            "--delay",
            "0",
            "--concurrency",
            "2",
            "--db",
            db_url,
            *extra,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def _archive(db_url: str) -> dict:
    with create_engine(db_url).connect() as c:
        return {
            "meetings": sorted(c.execute(select(Meeting.site_id, Meeting.date, Meeting.status)).all()),
            "states": c.execute(select(MeetingState.id)).all().__len__(),
            "documents": sorted(
                c.execute(select(Document.url, DocumentVersion.sha256).join(DocumentVersion)).all()
            ),
        }


def _runs(db_url: str) -> list:
    with create_engine(db_url).connect() as c:
        return c.execute(select(CrawlRun.status, CrawlRun.reason).order_by(CrawlRun.id)).all()


def _wait_for_hits(server, n: int, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while sum(server.hits.values()) < n:
        assert time.monotonic() < end, "the crawl never got going"
        time.sleep(0.05)


def test_a_database_restart_mid_crawl_is_absorbed_or_reported_then_repaired(
    site_factory, private_pg, tmp_path
):
    url, restart = private_pg
    clean_db = url.rsplit("/", 1)[0] + "/clean"
    with create_engine(url.replace("/postgres", "/postgres"), isolation_level="AUTOCOMMIT").connect() as c:
        c.exec_driver_sql("CREATE DATABASE clean")
        c.exec_driver_sql("CREATE DATABASE hit")
    hit_db = url.rsplit("/", 1)[0] + "/hit"
    server = site_factory(committees=2, years=(2024, 2025), meetings_per_year=4, cancelled_every=0)
    server.latency = 0.02  # a crawl of a few seconds, for the restart to land in the middle
    crawl = _crawl(server, hit_db)
    _wait_for_hits(server, 40)
    assert restart().returncode == 0
    code = crawl.wait(timeout=300)
    stderr = crawl.stderr.read()
    [(status, reason)] = _runs(hit_db)
    assert (code, status) in ((0, "finished"), (1, "partial")), stderr
    assert "Traceback" not in stderr
    repair = _crawl(server, hit_db, "--incremental")
    assert repair.wait(timeout=300) == 0, repair.stderr.read()
    server.latency = 0
    clean = _crawl(server, clean_db)
    assert clean.wait(timeout=300) == 0
    assert _archive(hit_db) == _archive(clean_db)


def test_a_full_blob_disk_makes_the_run_partial_and_the_next_night_restores_it(site_factory, tmp_path):
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root to mount a tmpfs (CI runs as root)")
    blobs = tmp_path / "blobs"
    blobs.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(blobs)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        server = site_factory(committees=2, years=(2025,), meetings_per_year=6, cancelled_every=0)
        db, clean_db = f"sqlite:///{tmp_path / 'a.sqlite'}", f"sqlite:///{tmp_path / 'clean.sqlite'}"
        env = {"COUNCIL_ARCHIVE_BLOBS": str(blobs)}
        full = _crawl(server, db, env=env)
        assert full.wait(timeout=300) == 1
        stderr = full.stderr.read()
        assert "crawl partial:" in stderr and "No space left on device" in stderr
        [(status, reason)] = _runs(db)
        assert status == "partial" and "could not be stored" in reason
        subprocess.run(["mount", "-o", "remount,size=64m", str(blobs)], check=True)
        repair = _crawl(server, db, "--incremental", env=env)
        assert repair.wait(timeout=300) == 0, repair.stderr.read()
        clean = _crawl(server, clean_db, env={"COUNCIL_ARCHIVE_BLOBS": str(tmp_path / "clean-blobs")})
        assert clean.wait(timeout=300) == 0
        assert _archive(db) == _archive(clean_db)
    finally:
        subprocess.run(["umount", "-l", str(blobs)], capture_output=True)
