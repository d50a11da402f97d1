"""`nightly --redis` and `council-archive worker` on the local Redis and PostgreSQL: two workers
archive several councils (each on its own loopback host) exactly as one worker does, fetching no URL
twice; a worker killed outright has its council taken over and the archive still ends complete."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from pipeline.archive.models import Council, CrawlRun, Meeting
from pipeline.demo.sample_site import build_site
from pipeline.demo.site_server import SiteServer
from tests.archive_snapshot import snapshot
from tests.conftest import PG_ADMIN_URL, run_cli

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("COUNCIL_ARCHIVE_TEST_REDIS", "redis://127.0.0.1:6379/0")
COUNCILS = 4  # x 2 committees x 2 years x 7 meetings = 112 meetings


@pytest.fixture(scope="module")
def redis_client():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, decode_responses=True)
    try:
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("COUNCIL_ARCHIVE_REQUIRE_PG") == "1":
            pytest.fail(f"Redis required but unavailable: {exc}")
        pytest.skip(f"Redis unavailable: {exc}")
    yield client
    client.close()


@pytest.fixture
def prefix(redis_client):
    """A key prefix of the test's own; every key under it is deleted afterwards."""
    name = f"ca-test-{uuid.uuid4().hex[:10]}"
    yield name
    keys = list(redis_client.scan_iter(f"{name}:*"))
    if keys:
        redis_client.delete(*keys)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    """Several councils, each served on its own loopback address, and their registry."""
    servers = [
        SiteServer(
            build_site(committees=2, years=(2024, 2025), meetings_per_year=7, cancelled_every=0, seed=40 + i),
            host=f"127.0.0.{i + 2}",
        ).__enter__()
        for i in range(COUNCILS)
    ]
    config = tmp_path_factory.mktemp("fleet") / "councils.toml"
    config.write_text(
        "".join(
            f'[councils.council{i}]\nname = "Council {i}"\nbase_url = "{s.base_url}"\n\n'
            for i, s in enumerate(servers)
        )
    )
    yield config, {f"council{i}": s for i, s in enumerate(servers)}
    for s in servers:
        s.__exit__(None, None, None)


@pytest.fixture(scope="module")
def pg_dbs(pg_admin):
    made = []

    def make() -> str:
        name = f"ca_test_{uuid.uuid4().hex[:12]}"
        with pg_admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    yield make
    for name in made:
        with pg_admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def reset(servers: dict) -> None:
    for s in servers.values():
        s.hits.clear()
        s.log.clear()
        s.max_in_flight = 0


def fetched(servers: dict) -> dict[str, Counter]:
    return {slug: Counter(s.hits) for slug, s in servers.items()}


def nightly(tmp_path, config, db, prefix, *extra, blobs=None, **popen):
    args = ["nightly", "--config", str(config), "--db", db, "--delay", "0.02", "--redis", REDIS_URL]
    args += ["--prefix", prefix, "--lock", str(tmp_path / "nightly.lock")]
    args += ["--report", str(tmp_path / "report.json"), *extra]
    env = {"COUNCIL_ARCHIVE_BLOBS": str(blobs or tmp_path / "blobs")}
    if popen:
        return subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli", *args], cwd=ROOT, env={**os.environ, **env}, **popen
        )
    return run_cli(*args, env=env, timeout=600)


@pytest.fixture(scope="module")
def one_worker(fleet, pg_dbs, tmp_path_factory, redis_client):
    """The archive one worker makes of the fleet: the reference, and what it fetched."""
    config, servers = fleet
    tmp = tmp_path_factory.mktemp("one")
    db = pg_dbs()
    reset(servers)
    name = f"ca-test-{uuid.uuid4().hex[:10]}"
    result = nightly(tmp, config, db, name, "--workers", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert not list(redis_client.scan_iter(f"{name}:*")), "the run's keys are deleted at its end"
    engine = create_engine(db)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Meeting)) >= 100
    ref = snapshot(engine)
    engine.dispose()
    return ref, fetched(servers)


def test_two_workers_archive_exactly_what_one_does_fetching_nothing_twice(
    fleet, one_worker, pg_dbs, prefix, tmp_path
):
    config, servers = fleet
    reference, fetched_by_one = one_worker
    assert all(n == 1 for hits in fetched_by_one.values() for n in hits.values())
    db = pg_dbs()
    reset(servers)
    result = nightly(tmp_path, config, db, prefix, "--workers", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["summary"] == {"ok": COUNCILS, "flagged": 0, "failed": 0}
    assert [c["slug"] for c in report["councils"]] == list(servers)
    assert all(c["stats"]["meetings_listed"] == 28 for c in report["councils"])
    assert len(set(report["workers"].values())) == 2, report["workers"]  # both workers crawled
    # every URL fetched once, and the same URLs as one worker fetched
    assert fetched(servers) == fetched_by_one
    for s in servers.values():
        assert s.max_in_flight == 1  # one request at a time per host, however many workers
    engine = create_engine(db)
    assert snapshot(engine) == reference
    engine.dispose()


def alive(pid: int) -> bool:
    """Running (a zombie nobody reaped is dead: this machine's init may not reap orphans)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] not in "ZX"
    except FileNotFoundError:
        return False


def _owner_of(redis_client, prefix: str, worker_pid: int) -> str | None:
    for key in redis_client.scan_iter(f"{prefix}:run:*:owner"):
        for slug, owner in redis_client.hgetall(key).items():
            if owner.endswith(f":{worker_pid}"):
                return slug
    return None


def test_a_killed_worker_s_council_is_taken_over_and_the_archive_ends_complete(
    fleet, one_worker, pg_dbs, prefix, tmp_path, redis_client
):
    config, servers = fleet
    reference, fetched_by_one = one_worker
    db = pg_dbs()
    reset(servers)
    for s in servers.values():
        s.latency = 0.01  # crawls long enough to be killed in the middle
    out = subprocess.PIPE
    run = nightly(
        tmp_path, config, db, prefix, "--workers", "0", "--lease", "2", stdout=out, stderr=out, text=True
    )
    worker_args = [sys.executable, "-m", "pipeline.cli", "worker", "--redis", REDIS_URL, "--prefix", prefix]
    worker_args += ["--db", db, "--blobs", str(tmp_path / "blobs")]
    workers = [  # the survivor crawls two councils at once (--jobs 2)
        subprocess.Popen(worker_args + extra, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for extra in ([], ["--jobs", "2"])
    ]
    try:
        victim, slug = workers[0], None
        deadline = time.time() + 120
        while time.time() < deadline:  # kill the first worker in the middle of a council
            slug = slug or _owner_of(redis_client, prefix, victim.pid)
            if slug and sum(servers[slug].hits.values()) >= 30:
                break
            time.sleep(0.05)
        assert slug, "the first worker never took a council"
        engine = create_engine(db)
        with engine.connect() as conn:
            child = conn.execute(
                select(CrawlRun.options)
                .join(Council, Council.id == CrawlRun.council_id)
                .where(Council.slug == slug, CrawlRun.status == "running")
            ).scalar_one()["pid"]
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        time.sleep(1)
        assert not alive(child)  # its crawl died with it: never two crawls of one host at once
        stdout, stderr = run.communicate(timeout=600)
        assert run.returncode == 0, stdout + stderr
    finally:
        for w in [*workers, run]:  # nothing left running when the test fails half way
            w.kill()
            w.wait()
        for s in servers.values():
            s.latency = 0
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["summary"] == {"ok": COUNCILS, "flagged": 0, "failed": 0}
    assert not report["workers"][slug].endswith(f":{workers[0].pid}")  # taken over by the other
    assert snapshot(engine) == reference  # the complete archive, as one worker makes it
    with engine.connect() as conn:
        statuses = Counter(
            conn.execute(
                select(CrawlRun.status)
                .join(Council, Council.id == CrawlRun.council_id)
                .where(Council.slug == slug)
            ).scalars()
        )
    assert statuses == {"interrupted": 1, "finished": 1}
    engine.dispose()
    # only the killed worker's council was fetched again (its crawl restarted); the others once each
    now = fetched(servers)
    for other in servers:
        if other != slug:
            assert now[other] == fetched_by_one[other]
    assert set(now[slug]) == set(fetched_by_one[slug])
