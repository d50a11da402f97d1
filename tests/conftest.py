"""Shared fixtures: an archive on SQLite and on a real PostgreSQL, and local ModernGov sites.

PostgreSQL: ``COUNCIL_ARCHIVE_TEST_PG`` (default postgresql+psycopg://postgres@127.0.0.1:5432/test);
each test gets a fresh database. Without a server the PostgreSQL half is skipped, unless
``COUNCIL_ARCHIVE_REQUIRE_PG=1`` (CI), where it fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pipeline.demo.sample_site import build_site
from pipeline.demo.site_server import SiteServer

FIXTURES = Path(__file__).parent / "fixtures"
PG_ADMIN_URL = os.environ.get("COUNCIL_ARCHIVE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_available() -> str | None:
    try:
        engine = create_engine(PG_ADMIN_URL)
        with engine.connect():
            pass
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 (any failure means "no server here")
        return str(exc).splitlines()[0]


@pytest.fixture(scope="session")
def pg_admin():
    problem = _pg_available()
    if problem:
        if os.environ.get("COUNCIL_ARCHIVE_REQUIRE_PG") == "1":
            pytest.fail(f"PostgreSQL required but unavailable: {problem}")
        pytest.skip(f"PostgreSQL unavailable: {problem}")
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path, monkeypatch):
    """A fresh, empty archive database; blobs in the test's own folder."""
    monkeypatch.setenv("COUNCIL_ARCHIVE_BLOBS", str(tmp_path / "blobs"))
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'archive.sqlite'}"
        return
    admin = request.getfixturevalue("pg_admin")
    name = f"ca_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def site_factory():
    """Serve generated ModernGov sites on 127.0.0.1 for the length of a test."""
    servers = []

    def make(**kwargs) -> SiteServer:
        server = SiteServer(build_site(**kwargs)).__enter__()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.__exit__(None, None, None)


def run_cli(*args: str, env: dict | None = None, timeout: float = 240) -> subprocess.CompletedProcess:
    """Run ``council-archive`` in a child process (Scrapy's reactor runs once per process)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        cwd=Path(__file__).resolve().parent.parent,
    )


def crawl_site(
    server, db_url: str, *extra: str, council: str = "sample", check: bool = True
) -> subprocess.CompletedProcess:
    """`council-archive crawl` of a served site, no politeness delay; fails the test unless it exits 0."""
    result = run_cli(
        "crawl",
        "--base-url",
        server.base_url,
        "--council",
        council,
        "--delay",
        "0",
        "--concurrency",
        "4",
        "--db",
        db_url,
        *extra,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result
