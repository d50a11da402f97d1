"""`council-archive nightly --redis URL --workers N`: tonight's councils as jobs on a Redis queue.

Enqueues the councils under a new run id, starts N local workers (0: external workers on other
machines do the crawling), waits until every council has its result, and reports exactly like
`nightly` (the same JSON report, log lines and exit codes: 0 ok, 1 some failed, 2 all failed, 75
locked). The run's keys are deleted at the end (and expire anyway), so tomorrow starts afresh.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import redis

from pipeline.ops.jobs import DEFAULT_LEASE_S, JobQueue
from pipeline.ops.nightly import EXIT_LOCKED, CouncilResult, _now, take_lock, write_report
from pipeline.ops.worker import GIVEN_UP, _tie_to_parent, plain


def start_local_workers(n: int, redis_url: str, prefix: str, db_url: str, run_id: str) -> list:
    cmd = [sys.executable, "-m", "pipeline.cli", "worker", "--redis", redis_url, "--prefix", prefix]
    cmd += ["--db", db_url, "--run", run_id, "--until-done"]
    return [subprocess.Popen(cmd, stdout=subprocess.DEVNULL, preexec_fn=_tie_to_parent) for _ in range(n)]


def _line(r: CouncilResult) -> str:
    return (
        f"{r.slug}: {r.status}"
        + (f" ({'; '.join(r.flags)})" if r.flags else "")
        + (f": {r.reason}" if r.reason and r.status == "failed" else "")
    )


def run_nightly_redis(
    queue: JobQueue,
    redis_url: str,
    db_url: str,
    registry: dict[str, dict],
    lock_path: Path,
    report_path: Path,
    crawl_args: list[str],
    workers: int,
    lease_s: float = DEFAULT_LEASE_S,
    poll_s: float = 0.5,
    log=print,
) -> int:
    lock = take_lock(lock_path, log)
    if lock is None:
        return EXIT_LOCKED
    try:
        started = _now()
        jobs = {slug: {"entry": plain(entry), "args": crawl_args} for slug, entry in registry.items()}
        run_id = queue.open_run(jobs, lease_s)
        log(f"run {run_id}: {len(jobs)} councils queued on Redis, {workers} local workers")
        local = start_local_workers(workers, redis_url, queue.prefix, db_url, run_id)
        found: dict[str, dict] = {}
        try:
            while len(found) < len(jobs):
                try:
                    arrived = queue.results(run_id)
                    queue.requeue_expired(run_id, GIVEN_UP)  # even with every worker gone
                    vanished = not queue.run_exists(run_id)
                except redis.RedisError as exc:  # Redis restarting: the run's keys survive it (AOF/RDB)
                    log(f"Redis: {str(exc).splitlines()[0]}; retrying", file=sys.stderr)
                    arrived, vanished = {}, False
                for slug, line in arrived.items():
                    if slug not in found:
                        found[slug] = line
                        log(_line(CouncilResult(**{k: v for k, v in line.items() if k != "worker"})))
                if len(found) >= len(jobs):
                    break
                lost = "the run vanished from Redis (restarted without persistence?)" if vanished else None
                if local and all(p.poll() is not None for p in local):  # only if the local workers crashed
                    lost = "no worker finished it"
                if lost:
                    for slug in [s for s in jobs if s not in found]:
                        found[slug] = asdict(CouncilResult(slug, "failed", 1, reason=lost))
                        log(f"{slug}: failed: {lost}")
                    break
                time.sleep(poll_s)
        finally:
            with contextlib.suppress(redis.RedisError):  # if Redis is gone, the keys expire by themselves
                queue.close_run(run_id)  # the local workers see the run closed and exit
            for p in local:
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
        results = [found[s] for s in registry if s in found]
        by_worker = {r["slug"]: r.pop("worker", None) for r in results}
        return write_report(report_path, started, results, log, run_id=run_id, workers=by_worker)
    finally:
        lock.release()
