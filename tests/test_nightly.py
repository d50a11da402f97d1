"""`council-archive nightly`: registry, per-council outcomes, report, exit codes, one run at a time."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from pipeline.archive.models import Council, CrawlRun
from pipeline.demo.sample_site import render_site
from tests.conftest import run_cli

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


def dead_url() -> str:
    """A 127.0.0.1 port nothing listens on: a host that stopped answering."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def registry(tmp_path: Path, councils: dict[str, str]) -> Path:
    path = tmp_path / "councils.toml"
    path.write_text(
        "".join(
            f'[councils.{slug}]\nname = "{slug.title()} Council"\nbase_url = "{url}"\nplatform = "moderngov"\n'
            f"enabled = true\n\n"
            for slug, url in councils.items()
        )
        + '[councils.off]\nname = "Disabled"\nbase_url = "http://127.0.0.1:9/"\nenabled = false\n'
    )
    return path


def nightly(tmp_path, db_url, config, *extra):
    return run_cli(
        "nightly",
        "--config",
        str(config),
        "--db",
        db_url,
        "--delay",
        "0",
        "--lock",
        str(tmp_path / "nightly.lock"),
        "--report",
        str(tmp_path / "report.json"),
        *extra,
    )


def test_nightly_reports_each_council_and_exits_1_when_some_fail(site_factory, db_url, tmp_path):
    a = site_factory(committees=1, years=(2025,), meetings_per_year=2, cancelled_every=0)
    b = site_factory(committees=1, years=(2025,), meetings_per_year=1, cancelled_every=0, seed=2)
    config = registry(tmp_path, {"alpha": a.base_url, "beta": b.base_url, "gone": dead_url()})
    result = nightly(tmp_path, db_url, config)
    assert result.returncode == 1, result.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    by = {c["slug"]: c for c in report["councils"]}
    assert set(by) == {"alpha", "beta", "gone"}  # the disabled council is skipped
    assert by["alpha"]["status"] == by["beta"]["status"] == "ok"
    assert by["alpha"]["stats"]["meeting_pages"] == 2 and by["alpha"]["stats"]["meetings_listed"] == 2
    assert by["gone"]["status"] == "failed" and "host not answering" in by["gone"]["flags"]
    assert report["summary"] == {"ok": 2, "flagged": 0, "failed": 1}
    engine = create_engine(db_url)
    with engine.connect() as c:
        runs = dict(
            c.execute(
                select(Council.slug, CrawlRun.status).join(CrawlRun, CrawlRun.council_id == Council.id)
            ).all()
        )
    assert runs == {"alpha": "finished", "beta": "finished", "gone": "failed"}
    engine.dispose()

    # A council that suddenly lists no meetings is flagged, not silently ok.
    for committee in b.site.committees:
        committee.meetings = []
    render_site(b.site)
    again = nightly(tmp_path, db_url, config, "--council", "alpha", "beta")
    assert again.returncode == 1
    by = {c["slug"]: c for c in json.loads((tmp_path / "report.json").read_text())["councils"]}
    assert by["alpha"]["status"] == "ok"
    assert by["beta"]["status"] == "flagged" and by["beta"]["flags"] == [
        "returned zero meetings (the archive had 1)"
    ]


def test_all_failed_exits_2_and_bad_registry_is_a_clear_error(db_url, tmp_path):
    config = registry(tmp_path, {"gone": dead_url()})
    assert nightly(tmp_path, db_url, config).returncode == 2
    missing = nightly(tmp_path, db_url, tmp_path / "nope.toml")
    assert missing.returncode == 2 and missing.stderr.strip() == (
        f"council-archive: error: no council registry at {tmp_path / 'nope.toml'}"
    )
    unknown = nightly(tmp_path, db_url, config, "--council", "atlantis")
    assert unknown.returncode == 2 and "unknown council 'atlantis'" in unknown.stderr


def test_two_nightly_runs_at_once_one_works_the_other_exits_75(site_factory, tmp_path):
    server = site_factory(committees=1, years=(2025,), meetings_per_year=3, cancelled_every=0)
    config = registry(tmp_path, {"alpha": server.base_url})
    db = f"sqlite:///{tmp_path / 'a.sqlite'}"
    lock = tmp_path / "nightly.lock"
    # a stale lock file and pid of a process long gone does not block anyone
    lock.write_text("")
    lock.with_suffix(".pid").write_text("999999")
    env = {**os.environ, "COUNCIL_ARCHIVE_BLOBS": str(tmp_path / "blobs")}
    first = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline.cli",
            "nightly",
            "--config",
            str(config),
            "--db",
            db,
            "--delay",
            "0.05",
            "--lock",
            str(lock),
            "--report",
            str(tmp_path / "first.json"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.time() + 60
    while lock.with_suffix(".pid").read_text().strip() != str(first.pid) and time.time() < deadline:
        time.sleep(0.05)
    assert first.poll() is None, "the first run should still be crawling"
    second = run_cli(
        "nightly",
        "--config",
        str(config),
        "--db",
        db,
        "--lock",
        str(lock),
        "--report",
        str(tmp_path / "second.json"),
        env=env,
        timeout=30,
    )
    assert second.returncode == 75
    assert f"another nightly run holds {lock} (pid {first.pid})" in second.stderr
    assert first.wait(timeout=120) == 0, first.stderr
    assert json.loads((tmp_path / "first.json").read_text())["summary"]["ok"] == 1
    assert not (tmp_path / "second.json").exists()
