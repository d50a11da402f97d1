"""The Redis council-job queue on the local Redis: leases, heartbeats, takeover, per-run keys, JSON."""

from __future__ import annotations

import contextlib
import json
import time

import pytest

from pipeline.ops.jobs import MAX_ATTEMPTS, JobQueue, exposure_warning
from tests.test_redis_workers import prefix, redis_client  # noqa: F401 (fixtures)

GIVEN_UP = {"status": "failed", "exit_code": 1, "reason": "given up"}
JOBS = {
    "alpha": {"entry": {"base_url": "http://127.0.0.2/"}, "args": ["--incremental"]},
    "beta": {"entry": {}},
}


@pytest.fixture
def queue(redis_client, prefix):  # noqa: F811
    return JobQueue(redis_client, prefix)


def test_councils_are_leased_once_in_registry_order_and_results_kept_only_from_the_owner(queue):
    run = queue.open_run(JOBS, lease_s=30)
    assert queue.open_runs() == [run]
    assert queue.claim(run, "w1", GIVEN_UP) == ("alpha", JOBS["alpha"])
    assert queue.claim(run, "w2", GIVEN_UP) == ("beta", JOBS["beta"])
    assert queue.claim(run, "w3", GIVEN_UP) is None  # nothing left, nothing leased twice
    assert queue.renew(run, "w1", "alpha") and not queue.renew(run, "w2", "alpha")
    assert not queue.complete(run, "w2", "alpha", {"status": "ok"})  # not its council
    assert queue.complete(run, "w1", "alpha", {"status": "ok"})
    assert not queue.run_complete(run)
    assert queue.complete(run, "w2", "beta", {"status": "failed"})
    assert queue.run_complete(run)
    assert queue.results(run) == {
        "alpha": {"status": "ok", "slug": "alpha"},
        "beta": {"status": "failed", "slug": "beta"},
    }


def test_an_expired_lease_goes_to_the_next_worker_and_the_old_owner_cannot_renew_or_complete(queue):
    run = queue.open_run({"alpha": JOBS["alpha"]}, lease_s=0.3)
    assert queue.claim(run, "dead", GIVEN_UP)[0] == "alpha"
    assert queue.claim(run, "live", GIVEN_UP) is None  # still leased
    time.sleep(0.5)  # no heartbeat: the lease runs out
    assert queue.claim(run, "live", GIVEN_UP) == ("alpha", JOBS["alpha"])
    assert queue.owners(run) == {"alpha": "live"}
    assert not queue.renew(run, "dead", "alpha")  # the dead worker, back, must stop its crawl
    assert not queue.complete(run, "dead", "alpha", {"status": "ok"})
    assert queue.complete(run, "live", "alpha", {"status": "ok"})


def test_a_council_whose_workers_keep_dying_is_reported_failed_not_retried_forever(queue):
    run = queue.open_run({"alpha": JOBS["alpha"]}, lease_s=0.2)
    for attempt in range(MAX_ATTEMPTS):
        assert queue.claim(run, f"w{attempt}", GIVEN_UP)[0] == "alpha"
        time.sleep(0.3)
    queue.requeue_expired(run, GIVEN_UP)  # what nightly does while it waits
    assert queue.claim(run, "w9", GIVEN_UP) is None
    assert queue.results(run) == {"alpha": {**GIVEN_UP, "slug": "alpha"}}
    assert queue.run_complete(run)


def test_each_run_has_its_own_keys_json_only_and_closing_deletes_them(queue, redis_client):  # noqa: F811
    first = queue.open_run(JOBS)
    while queue.claim(first, "w", GIVEN_UP):
        pass
    second = queue.open_run(JOBS)  # tomorrow: everything is pending again
    assert second != first and queue.pending_count(second) == 2
    stored = redis_client.hgetall(queue.key(first, "jobs"))
    assert {slug: json.loads(v) for slug, v in stored.items()} == JOBS  # JSON, never pickle
    keys = list(redis_client.scan_iter(f"{queue.prefix}:run:{first}:*"))
    assert len(keys) >= 4 and all(redis_client.ttl(k) > 0 for k in keys)  # all expire, even if nightly died
    queue.close_run(first)
    queue.close_run(second)
    assert not list(redis_client.scan_iter(f"{queue.prefix}:*"))


@pytest.mark.parametrize(
    ("url", "warns"),
    [
        ("redis://127.0.0.1:6379/0", False),
        ("redis://localhost:6379", False),
        ("redis://10.0.0.5:6379/0", False),
        ("redis://:secret@8.8.8.8:6379/0", False),
        ("redis://8.8.8.8:6379/0", True),
        ("redis://queue.example.org:6379/0", True),
    ],
)
def test_a_redis_url_that_may_be_public_without_a_password_is_warned_about(url, warns):
    assert (exposure_warning(url) is not None) == warns


def test_queue_options_errors_are_one_line(tmp_path, capsys):
    from pipeline.cli import main

    config = tmp_path / "councils.toml"
    config.write_text('[councils.alpha]\nbase_url = "http://127.0.0.2/"\n')
    db = f"sqlite:///{tmp_path / 'a.sqlite'}"
    nightly = ["nightly", "--config", str(config), "--db", db, "--lock", str(tmp_path / "l"), "--report", "r"]
    cases = [
        (
            ["worker", "--redis", "redis://127.0.0.1:1/0", "--db", db],
            "cannot reach Redis at redis://127.0.0.1:1/0",
        ),
        ([*nightly, "--workers", "2"], "--workers needs --redis URL"),
        ([*nightly, "--redis", "redis://127.0.0.1:6379/0"], "--redis needs --workers N"),
        (["worker", "--redis", "http://127.0.0.1:6379/"], "not a Redis URL"),
    ]
    for argv, message in cases:
        with pytest.raises(SystemExit) if argv[-1].startswith("http") else contextlib.nullcontext():
            assert main(argv) == 2
        err = capsys.readouterr().err
        assert message in err and len(err.strip().splitlines()) == 1, err


def test_a_run_that_vanishes_from_redis_is_reported_failed_not_waited_for_forever(queue, tmp_path):
    from pipeline.ops.nightly_redis import run_nightly_redis

    lines = []

    def log(line, **_):
        lines.append(line)
        if line.startswith("run "):  # just enqueued: Redis loses everything (a restart without persistence)
            queue.r.delete(*queue.r.scan_iter(f"{queue.prefix}:run:*"))

    registry = {"alpha": {"base_url": "http://127.0.0.2/"}, "beta": {"base_url": "http://127.0.0.3/"}}
    report = tmp_path / "report.json"
    code = run_nightly_redis(
        queue, "redis://x", "sqlite://", registry, tmp_path / "lock", report, [], 0, poll_s=0.05, log=log
    )
    assert code == 2
    assert "alpha: failed: the run vanished from Redis (restarted without persistence?)" in lines
    assert json.loads(report.read_text())["summary"] == {"ok": 0, "flagged": 0, "failed": 2}
