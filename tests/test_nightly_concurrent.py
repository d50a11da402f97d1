"""`nightly` crawls many councils at once in one process: per-host politeness from the fixture
servers' own request logs, --max-hosts, the time budget, and a first nightly archiving everything."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from pipeline.archive.models import Council, CrawlRun, Meeting
from pipeline.demo.sample_site import build_site
from pipeline.demo.site_server import SiteServer
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow
THIS_YEAR = date.today().year


@pytest.fixture
def hosts():
    """Generated sites, each on its own loopback address (127.0.0.2, .3 ...): distinct council hosts."""
    servers: list[SiteServer] = []

    def make(**kwargs) -> SiteServer:
        server = SiteServer(build_site(**kwargs), host=f"127.0.0.{len(servers) + 2}").__enter__()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.__exit__(None, None, None)


def registry(tmp_path: Path, councils: dict[str, str]) -> Path:
    path = tmp_path / "councils.toml"
    path.write_text("".join(f'[councils.{slug}]\nbase_url = "{url}"\n\n' for slug, url in councils.items()))
    return path


def nightly(tmp_path, db_url, config, *extra, delay="0.02"):
    return run_cli(
        "nightly",
        "--config",
        str(config),
        "--db",
        db_url,
        "--delay",
        delay,
        "--lock",
        str(tmp_path / "nightly.lock"),
        "--report",
        str(tmp_path / "report.json"),
        *extra,
    )


def runs(db_url: str) -> list:
    engine = create_engine(db_url)
    with engine.connect() as c:
        rows = c.execute(
            select(Council.slug, CrawlRun.status, CrawlRun.reason, CrawlRun.options, CrawlRun.stats)
            .join(CrawlRun, CrawlRun.council_id == Council.id)
            .order_by(CrawlRun.id)
        ).all()
    engine.dispose()
    return rows


def meetings(db_url: str, slug: str) -> int:
    engine = create_engine(db_url)
    with engine.connect() as c:
        n = c.scalar(
            select(func.count())
            .select_from(Meeting)
            .join(Council, Council.id == Meeting.council_id)
            .where(Council.slug == slug)
        )
    engine.dispose()
    return n


def busiest(intervals: list[tuple[float, float]]) -> int:
    """The most intervals open at one instant. (A server logs a request's end just after its last
    write, so with no delay at all the client's next request can seem to overlap it: tests crawl
    with a small delay.)"""
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    now = most = 0
    for _, step in events:
        now += step
        most = max(most, now)
    return most


def test_concurrent_nightly_never_sends_a_host_two_requests_at_once(hosts, db_url, tmp_path):
    servers = [
        hosts(committees=1, years=(THIS_YEAR,), meetings_per_year=3, cancelled_every=0, seed=i)
        for i in range(5)
    ]
    for s in servers:
        s.latency = 0.01  # an answer takes time, so two requests in flight would overlap in the log
    config = registry(tmp_path, {f"c{i}": s.base_url for i, s in enumerate(servers)})
    result = nightly(tmp_path, db_url, config, "--max-hosts", "3")
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["summary"] == {"ok": 5, "flagged": 0, "failed": 0}
    assert [r.status for r in runs(db_url)] == ["finished"] * 5
    for s in servers:
        assert len(s.log) > 10
        assert busiest([(start, end) for start, end, _ in s.log]) == 1  # one request at a time per host
        assert s.max_in_flight == 1
    # the hosts were crawled at the same time, never more of them than --max-hosts
    spans = [(min(x[0] for x in s.log), max(x[1] for x in s.log)) for s in servers]
    assert 2 <= busiest(spans) <= 3


def test_first_nightly_of_a_new_council_archives_its_whole_history(hosts, db_url, tmp_path):
    years = tuple(range(THIS_YEAR - 4, THIS_YEAR + 1))  # three years older than an incremental run lists
    server = hosts(committees=2, years=years, meetings_per_year=3, cancelled_every=0)
    on_site = sum(len(c.meetings) for c in server.site.committees)
    config = registry(tmp_path, {"fresh": server.base_url})
    # A first night when the site is down leaves a council row and a failed run, nothing archived ...
    for key in ("/mgListCommittees.aspx", "/mgCommitteeStructure.aspx"):
        server.fail_next[key] = 100
    assert nightly(tmp_path, db_url, config).returncode == 2
    server.fail_next.clear()
    # ... so the next night is still a full crawl: every year, not the two an incremental run lists
    first = nightly(tmp_path, db_url, config)
    assert first.returncode == 0, first.stderr
    assert "fresh: revisited everything: nothing archived yet" in first.stdout
    assert meetings(db_url, "fresh") == on_site == 30
    full_requests = sum(server.hits.values())
    server.hits.clear()
    second = nightly(tmp_path, db_url, config)
    assert second.returncode == 0, second.stderr
    assert [(r.status, r.options["incremental"]) for r in runs(db_url)] == [
        ("failed", False),
        ("finished", False),
        ("finished", True),
    ]
    assert sum(server.hits.values()) < full_requests / 2  # an incremental night after the full one
    assert meetings(db_url, "fresh") == on_site


def test_a_slow_council_is_stopped_at_its_time_budget_the_others_finish(hosts, db_url, tmp_path):
    fast = hosts(committees=1, years=(THIS_YEAR,), meetings_per_year=2, cancelled_every=0)
    slow = hosts(committees=3, years=(THIS_YEAR - 1, THIS_YEAR), meetings_per_year=6, cancelled_every=0)
    slow.latency = 1.5  # a site answering slowly: its crawl takes far longer than the budget
    config = registry(tmp_path, {"fast": fast.base_url, "slow": slow.base_url})
    t0 = time.monotonic()
    result = nightly(tmp_path, db_url, config, "--time-budget", "12", "--max-hosts", "1")
    # the fast council gets room on a busy machine; the slow one would need minutes
    assert time.monotonic() - t0 < 90
    assert result.returncode == 1, result.stderr
    by = {c["slug"]: c for c in json.loads((tmp_path / "report.json").read_text())["councils"]}
    assert by["fast"]["status"] == "ok"
    assert by["slow"]["status"] == "failed" and "over its time budget" in by["slow"]["flags"]
    assert by["slow"]["reason"] == "stopped at its time budget (12 s)"
    status = {r.slug: (r.status, r.reason) for r in runs(db_url)}
    assert status["slow"] == ("partial", "stopped at its time budget (12 s)")
    assert status["fast"][0] == "finished"
    # what it archived before the stop is kept; its next night starts over in full
    slow.latency = 0
    again = nightly(tmp_path, db_url, config, "--council", "slow", "--time-budget", "0")
    assert again.returncode == 0, again.stderr
    assert "slow: revisited everything: the last full run was stopped before it finished" in again.stdout
    assert meetings(db_url, "slow") == sum(len(c.meetings) for c in slow.site.committees)


def test_a_stopped_nightly_records_the_cut_run_partial_and_starts_no_other(hosts, db_url, tmp_path):
    servers = [
        hosts(committees=2, years=(THIS_YEAR,), meetings_per_year=6, cancelled_every=0, seed=i)
        for i in range(3)
    ]
    for s in servers:
        s.latency = 0.2
    config = registry(tmp_path, {f"c{i}": s.base_url for i, s in enumerate(servers)})
    args = ["nightly", "--config", str(config), "--db", db_url, "--delay", "0.05", "--max-hosts", "1"]
    args += ["--lock", str(tmp_path / "nightly.lock"), "--report", str(tmp_path / "report.json")]
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", *args],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 60
    while not servers[0].log and time.time() < deadline:
        time.sleep(0.1)
    time.sleep(2)
    proc.send_signal(signal.SIGINT)  # what cron's kill or Ctrl-C sends: stop gracefully
    proc.communicate(timeout=120)
    assert proc.returncode == 2
    by = {c["slug"]: c for c in json.loads((tmp_path / "report.json").read_text())["councils"]}
    assert by["c0"]["reason"] == "stopped before it finished (the process was asked to stop)"
    assert by["c1"]["reason"] == by["c2"]["reason"] == "not crawled: the nightly run was stopped"
    assert not servers[1].log and not servers[2].log
    assert [(r.slug, r.status) for r in runs(db_url)] == [("c0", "partial")]  # never "finished"


MIXED = """
import json, sys
from crawler.spiders.cmis import CmisSpider
from pipeline.ops.crawl_many import CouncilJob, crawl_many
from pipeline.ops.nightly import jobs_of
db, cmis_url, mg_url = sys.argv[1:4]
registry = {"cm": {"base_url": cmis_url, "platform": "cmis"}, "mg": {"base_url": mg_url}}
jobs = jobs_of(registry, full=True, spider_for=lambda e: CmisSpider if e.get("platform") == "cmis" else "moderngov")
out = crawl_many(db, jobs, delay=0.02, log_level="WARNING")  # a delay: see busiest()
print(json.dumps({slug: [o.run_id, o.failure_reason, o.partial_reason] for slug, o in out.items()}))
"""


def test_each_council_is_crawled_by_its_own_platforms_spider(hosts, db_url, tmp_path):
    from pipeline.archive.db import open_archive_engine
    from pipeline.demo.cmis_site import build_cmis_site

    cmis = SiteServer(
        build_cmis_site(committees=2, meetings_per_month=1, seed=3), host="127.0.0.9"
    ).__enter__()
    try:
        mg = hosts(committees=1, years=(THIS_YEAR,), meetings_per_year=2, cancelled_every=0)
        open_archive_engine(db_url).dispose()
        done = subprocess.run(
            [sys.executable, "-c", MIXED, db_url, cmis.base_url, mg.base_url],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert done.returncode == 0, done.stderr
        out = json.loads(done.stdout.strip().splitlines()[-1])
        assert {slug: o[1:] for slug, o in out.items()} == {"cm": [None, None], "mg": [None, None]}
        assert cmis.max_in_flight == mg.max_in_flight == 1
        assert sorted((r.slug, r.status) for r in runs(db_url)) == [("cm", "finished"), ("mg", "finished")]
        assert any("Calendar" in key or "Meetings" in key for key in cmis.hits)  # the CMIS site map
        assert meetings(db_url, "mg") == 2
    finally:
        cmis.__exit__(None, None, None)


def test_two_councils_on_one_host_are_never_crawled_at_the_same_time(hosts, db_url, tmp_path):
    shared = hosts(committees=1, years=(THIS_YEAR,), meetings_per_year=4, cancelled_every=0)
    other = hosts(committees=1, years=(THIS_YEAR,), meetings_per_year=4, cancelled_every=0, seed=2)
    shared.latency = other.latency = 0.01
    # one supplier hosting two councils' sites (here: the same site under two slugs)
    config = registry(tmp_path, {"one": shared.base_url, "two": shared.base_url, "three": other.base_url})
    result = nightly(tmp_path, db_url, config, "--max-hosts", "3")
    assert result.returncode == 0, result.stderr
    assert [r.status for r in runs(db_url)] == ["finished"] * 3
    assert busiest([(start, end) for start, end, _ in shared.log]) == 1
    assert shared.max_in_flight == 1
    assert meetings(db_url, "one") == meetings(db_url, "two") == 4
