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
def new_db(request, tmp_path, monkeypatch):
    """Make fresh, empty archive databases of the test's backend; blobs in the test's own folder."""
    monkeypatch.setenv("COUNCIL_ARCHIVE_BLOBS", str(tmp_path / "blobs"))
    made: list[str] = []
    admin = request.getfixturevalue("pg_admin") if request.param == "postgresql" else None

    def make() -> str:
        name = "archive" if not made else f"archive{len(made)}"
        made.append(name)
        if admin is None:
            return f"sqlite:///{tmp_path / name}.sqlite"
        name = f"ca_test_{uuid.uuid4().hex[:12]}"
        made[-1] = name
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    make.backend = request.param
    yield make
    for name in made:
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def db_url(new_db):
    """A fresh, empty archive database (SQLite and PostgreSQL); blobs in the test's own folder."""
    return new_db()


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


def run_cli(
    *args: str, env: dict | None = None, timeout: float = 240, preamble: str | None = None
) -> subprocess.CompletedProcess:
    """Run ``council-archive`` in a child process (Scrapy's reactor runs once per process).

    ``preamble``: Python run in the child first (a test's patch of a parser, say)."""
    full_env = {**os.environ, **(env or {})}
    command = ["-m", "pipeline.cli"]
    if preamble:
        command = [
            "-c",
            f"import sys\n{preamble}\nfrom pipeline.cli import main\nsys.exit(main(sys.argv[1:]))",
        ]
    return subprocess.run(
        [sys.executable, *command, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        cwd=Path(__file__).resolve().parent.parent,
    )


def crawl_site(
    server,
    db_url: str,
    *extra: str,
    council: str = "sample",
    check: bool = True,
    preamble: str | None = None,
    env: dict | None = None,
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
        preamble=preamble,
        env=env,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="session")
def sample_items_file(tmp_path_factory):
    """The real spider's items for a generated site (2 committees x 2 years x 3 meetings), captured
    once per session; ``tests.spider_items.load_items`` gives each test its own copy."""
    from tests.spider_items import dump_items

    path = tmp_path_factory.mktemp("items") / "sample.pickle"
    with SiteServer(build_site(committees=2, years=(2024, 2025), meetings_per_year=3, seed=3)) as server:
        dump_items(server.base_url, path)
    return path
