"""`council-archive nightly`: crawl every enabled council of the registry, many at once.

One run at a time: an OS file lock (flock, via filelock) is held for the whole run; a second run
exits at once with code 75, and the lock of a process that died is released by the kernel, so a
stale lock never blocks the next night. The councils are crawled concurrently in this process
(``pipeline.ops.crawl_many``: one crawler per council, politeness per host); each council's
crawl_runs row and a JSON report record what happened. A council with nothing archived gets a full
crawl (``pipeline.ops.plan.full_crawl_needed``), later nights are incremental.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import Engine, func, select

from pipeline.archive.models import Council, CrawlRun, Meeting
from pipeline.ops import registry
from pipeline.ops.crawl import CrawlOutcome
from pipeline.ops.crawl_many import DEFAULT_TIME_BUDGET_S, CouncilJob, crawl_many
from pipeline.ops.registry import RegistryError
from pipeline.ops.spiders import SPIDERS

EXIT_LOCKED = 75  # EX_TEMPFAIL: try again later
UNREACHABLE = ("host unreachable", "HTTP 5")  # how the crawl's one-line failure reasons begin


@dataclass
class CouncilResult:
    slug: str
    status: str  # ok | flagged | failed
    exit_code: int
    run_id: int | None = None
    stats: dict = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    reason: str | None = None


def load_registry(path: Path, only: list[str] | None = None) -> dict[str, dict]:
    """The councils a nightly run crawls: the enabled ones of a platform a spider crawls, or exactly ``only``."""
    entries = {slug: dict(entry) for slug, entry in registry.councils(registry.read(path)).items()}
    for slug, entry in entries.items():
        if "base_url" not in entry:
            raise RegistryError(f"{path}: council {slug!r} has no base_url")
    if only:
        unknown = [s for s in only if s not in entries]
        if unknown:
            raise RegistryError(f"unknown council {unknown[0]!r} (not in {path})")
        return {s: entries[s] for s in only}
    return {
        s: e
        for s, e in entries.items()
        if e.get("enabled", True) and e.get("platform", "moderngov") in SPIDERS
    }


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _meetings(engine: Engine, slug: str) -> int:
    with engine.connect() as conn:
        return (
            conn.scalar(
                select(func.count())
                .select_from(Meeting)
                .join(Council, Council.id == Meeting.council_id)
                .where(Council.slug == slug)
            )
            or 0
        )


def result_of(engine: Engine, slug: str, outcome: CrawlOutcome, had: int) -> CouncilResult:
    """A council's line of the report: its run row's stats and reason, and the flags a person should see."""
    run = None
    if outcome.run_id is not None:
        with engine.connect() as conn:
            run = conn.execute(select(CrawlRun).where(CrawlRun.id == outcome.run_id)).first()
    stats = dict(run.stats or {}) if run else {}
    reason = (run.reason if run else None) or outcome.failure_reason or outcome.partial_reason
    failed = outcome.run_id is None or bool(outcome.failure_reason or outcome.partial_reason)
    if failed and not reason:
        reason = "the crawl did not start"
    result = CouncilResult(
        slug, "failed" if failed else "ok", 1 if failed else 0, outcome.run_id, stats, [], reason
    )
    if failed and reason and reason.startswith(UNREACHABLE):
        result.flags.append("host not answering")
    if stats.get("stopped"):
        result.flags.append("over its time budget")
    if had and not stats.get("meetings_listed"):
        result.flags.append(f"returned zero meetings (the archive had {had})")
    if result.flags and result.status == "ok":
        result.status = "flagged"
    return result


def jobs_of(
    councils: dict[str, dict], full: bool, spider_for: Callable[[dict], type | str] | None = None
) -> list[CouncilJob]:
    """One crawl job per council; ``spider_for(entry)`` picks its spider (default: its registry
    platform's, pipeline.ops.spiders)."""
    from pipeline.ops.spiders import spider_for as platform_spider

    spider_for = spider_for or (lambda entry: platform_spider(entry.get("platform")))
    jobs = []
    for slug, entry in councils.items():
        job = CouncilJob(
            slug,
            entry["base_url"],
            entry.get("name"),
            entry.get("year_convention"),
            list(entry.get("allowed_hosts") or []),
            incremental=not full,
        )
        job.spider = spider_for(entry)
        jobs.append(job)
    return jobs


def run_nightly(
    engine: Engine,
    db_url: str,
    registry: dict[str, dict],
    lock_path: Path,
    report_path: Path,
    *,
    full: bool = False,
    max_hosts: int | None = None,
    time_budget: float | None = DEFAULT_TIME_BUDGET_S,
    spider_for: Callable[[dict], type | str] | None = None,
    log=print,
    **setting_overrides,
) -> int:
    """Crawl the councils at once in this process (``max_hosts`` at a time), report, exit code."""
    lock = take_lock(lock_path, log)
    if lock is None:
        return EXIT_LOCKED
    try:
        started = _now()
        had = {slug: _meetings(engine, slug) for slug in registry}
        by_slug: dict[str, CouncilResult] = {}

        def on_done(job: CouncilJob, outcome: CrawlOutcome) -> None:
            if outcome.full_because:
                log(f"{job.slug}: revisited everything: {outcome.full_because}")
            r = by_slug[job.slug] = result_of(engine, job.slug, outcome, had[job.slug])
            log(
                f"{job.slug}: {r.status}"
                + (f" ({'; '.join(r.flags)})" if r.flags else "")
                + (f": {r.reason}" if r.reason and r.status == "failed" else "")
            )

        crawl_many(
            db_url,
            jobs_of(registry, full, spider_for),
            max_hosts=max_hosts,
            time_budget=time_budget,
            on_start=lambda job: log(f"{job.slug}: crawling {job.base_url}"),
            on_done=on_done,
            **setting_overrides,
        )
        results = [asdict(by_slug[s]) for s in registry if s in by_slug]
        return write_report(report_path, started, results, log)
    finally:
        lock.release()


def take_lock(lock_path: Path, log=print) -> FileLock | None:
    """The one-run-at-a-time lock (its holder's pid beside it), or None after saying who holds it."""
    lock = FileLock(str(lock_path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        holder = lock_path.with_suffix(".pid")
        pid = holder.read_text().strip() if holder.exists() else "?"
        log(f"council-archive: another nightly run holds {lock_path} (pid {pid}); exiting", file=sys.stderr)
        return None
    lock_path.with_suffix(".pid").write_text(str(os.getpid()))
    return lock


def write_report(report_path: Path, started: datetime, results: list[dict], log=print, **extra) -> int:
    """The JSON report of a nightly run, and its exit code: 0 all ok, 1 some failed, 2 all failed."""
    ok = sum(r["status"] == "ok" for r in results)
    report = {
        "started_at": started.isoformat(),
        "finished_at": _now().isoformat(),
        "councils": results,
        "summary": {s: sum(r["status"] == s for r in results) for s in ("ok", "flagged", "failed")},
        **extra,
    }
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    log(f"report: {report_path}")
    if not results or ok == len(results):
        return 0
    return 2 if ok == 0 else 1
