"""`council-archive worker`: take council jobs from Redis and crawl each into the shared archive.

Each council is crawled by `council-archive crawl` in a child process, exactly as `nightly` crawls
it (the incremental plan, or a full crawl for a council with nothing archived), into the shared
database and blob store. While the child runs, the worker renews its lease; if it ever finds the
lease taken over (it was too slow to renew), it stops the child, so two workers never crawl one
council at once. The child is tied to the worker (PR_SET_PDEATHSIG): a worker killed outright
takes its crawl with it, and the council's lease runs out and goes to another worker.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import redis
import tomlkit
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from pipeline.archive.db import first_line
from pipeline.archive.models import Council, CrawlRun, Meeting
from pipeline.ops.jobs import MAX_ATTEMPTS, JobQueue, worker_id
from pipeline.ops.nightly import UNREACHABLE, CouncilResult

RETRY_S = 5.0
GIVEN_UP = asdict(
    CouncilResult(
        "", "failed", 1, reason=f"its worker stopped answering {MAX_ATTEMPTS} times (lease expired)"
    )
)


def _tie_to_parent() -> None:  # runs in the child between fork and exec
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the worker


def plain(entry: dict) -> dict:
    """A registry entry as JSON-safe plain values (tomlkit items unwrapped)."""
    return {k: (v.unwrap() if hasattr(v, "unwrap") else v) for k, v in entry.items()}


def _meetings(engine: Engine, slug: str) -> int:
    with engine.connect() as conn:
        q = select(func.count()).select_from(Meeting).join(Council, Council.id == Meeting.council_id)
        return conn.scalar(q.where(Council.slug == slug)) or 0


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def result_of(
    engine: Engine, slug: str, returncode: int, stderr: str, had: int, started: datetime
) -> CouncilResult:
    """The council's report line, by the rules of `nightly` (status, flags, reason)."""
    with engine.connect() as conn:
        run = conn.execute(
            select(CrawlRun)
            .join(Council, Council.id == CrawlRun.council_id)
            .where(Council.slug == slug, CrawlRun.started_at >= started)
            .order_by(CrawlRun.id.desc())
            .limit(1)
        ).first()
    stats = dict(run.stats or {}) if run else {}
    reason = run.reason if run and run.reason else None
    if returncode != 0 and not reason:
        lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
        reason = lines[-1] if lines else f"crawl exited {returncode}"
    status = "ok" if returncode == 0 else "failed"
    result = CouncilResult(slug, status, returncode, run.id if run else None, stats, [], reason)
    if returncode != 0 and any(mark in f"{reason or ''} {stderr[-4000:]}" for mark in UNREACHABLE):
        result.flags.append("host not answering")
    if had and not stats.get("meetings_listed"):
        result.flags.append(f"returned zero meetings (the archive had {had})")
    if result.flags and result.status == "ok":
        result.status = "flagged"
    return result


def crawl_job(engine, db_url: str, slug: str, job: dict, still_mine, beat_s: float, blobs=None):
    """Crawl one council in a child process; its CouncilResult, or None if the lease was lost."""
    entry = job["entry"]
    with tempfile.TemporaryDirectory(prefix="council-archive-worker-") as tmp:
        config = Path(tmp) / "councils.toml"  # the child reads the council's registry entry from here
        config.write_text(tomlkit.dumps({"councils": {slug: entry}}), encoding="utf-8")
        cmd = [sys.executable, "-m", "pipeline.cli", "crawl", "--base-url", entry["base_url"]]
        cmd += ["--council", slug, "--db", db_url, "--config", str(config), *job.get("args", [])]
        env = {**os.environ, **({"COUNCIL_ARCHIVE_BLOBS": str(blobs)} if blobs else {})}
        had, started = _meetings(engine, slug), _now()
        with open(Path(tmp) / "stderr", "w+", encoding="utf-8", errors="replace") as err:
            child = subprocess.Popen(
                cmd, stdout=subprocess.DEVNULL, stderr=err, env=env, preexec_fn=_tie_to_parent
            )
            while True:
                try:
                    child.wait(timeout=beat_s)
                    break
                except subprocess.TimeoutExpired:
                    if not still_mine():  # taken over: stop, the other worker crawls it
                        child.kill()
                        child.wait()
                        return None
            err.seek(0)
            stderr = err.read()
    return result_of(engine, slug, child.returncode, stderr, had, started)


def run_worker(
    queue: JobQueue,
    engine: Engine,
    db_url: str,
    *,
    blobs=None,
    run_id: str | None = None,
    until_done: bool = False,
    poll_s: float = 1.0,
    me: str | None = None,
    log=print,
) -> int:
    """Take and crawl councils until stopped; with ``until_done``, until run ``run_id`` is complete."""
    me = me or worker_id()
    log(f"worker {me}: waiting for councils")
    while True:
        try:
            taken = _take(queue, me, run_id)
            if taken is None:
                if until_done and run_id and queue.run_complete(run_id):
                    return 0
                time.sleep(poll_s)
                continue
            rid, slug, job = taken
            log(f"{slug}: crawling {job['entry']['base_url']} (run {rid})")
            beat = max(queue.lease_s(rid) / 3, 0.2)
            try:
                result = crawl_job(
                    engine, db_url, slug, job, partial(_still_mine, queue, rid, me, slug), beat, blobs
                )
            except SQLAlchemyError as exc:  # the archive unreachable: this council fails, the worker goes on
                result = CouncilResult(
                    slug, "failed", 1, reason=f"the archive could not be read: {first_line(exc)}"
                )
            if result is None:
                log(f"{slug}: lease lost, left to the worker that took it over")
                continue
            kept = queue.complete(rid, me, slug, {**asdict(result), "worker": me})
            log(f"{slug}: {result.status}" + ("" if kept else " (lease lost meanwhile; result not kept)"))
        except redis.RedisError as exc:  # Redis restarting, a network blip: wait and ask again
            log(f"worker {me}: Redis: {str(exc).splitlines()[0]}; retrying in {RETRY_S:.0f} s")
            time.sleep(RETRY_S)


def _take(queue: JobQueue, me: str, run_id: str | None):
    for rid in [run_id] if run_id else queue.open_runs():
        found = queue.claim(rid, me, GIVEN_UP)
        if found:
            return rid, *found
    return None


def _still_mine(queue: JobQueue, run_id: str, me: str, slug: str) -> bool:
    try:
        return queue.renew(run_id, me, slug)
    except redis.RedisError:  # cannot tell: keep crawling; a lease lost meanwhile shows at the next beat
        return True
