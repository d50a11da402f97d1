"""`council-archive nightly`: crawl every enabled council of the registry, one after another.

One run at a time: an OS file lock (flock, via filelock) is held for the whole run; a second run
exits at once with code 75, and the lock of a process that died is released by the kernel, so a
stale lock never blocks the next night. Each council is crawled in a child process (Scrapy's
reactor runs once per process); its crawl_runs row and a JSON report record what happened.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import Engine, func, select

from pipeline.archive.models import Council, CrawlRun, Meeting
from pipeline.ops import registry
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
    entries = {slug: dict(entry) for slug, entry in registry.councils(registry.load(path)).items()}
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


def crawl_council(
    engine: Engine, db_url: str, slug: str, entry: dict, crawl_args: list[str]
) -> CouncilResult:
    had = _meetings(engine, slug)
    started = _now()
    cmd = [
        sys.executable,
        "-m",
        "pipeline.cli",
        "crawl",
        "--base-url",
        entry["base_url"],
        "--council",
        slug,
        "--db",
        db_url,
        *crawl_args,
    ]
    if entry.get("name"):
        cmd += ["--name", entry["name"]]
    proc = subprocess.run(cmd, capture_output=True, text=True)
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
    if proc.returncode != 0 and not reason:
        lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
        reason = lines[-1] if lines else f"crawl exited {proc.returncode}"
    result = CouncilResult(
        slug,
        "ok" if proc.returncode == 0 else "failed",
        proc.returncode,
        run.id if run else None,
        stats,
        [],
        reason,
    )
    text = f"{reason or ''} {proc.stderr[-4000:]}"
    if proc.returncode != 0 and any(mark in text for mark in UNREACHABLE):
        result.flags.append("host not answering")
    if had and not stats.get("meetings_listed"):
        result.flags.append(f"returned zero meetings (the archive had {had})")
    if result.flags and result.status == "ok":
        result.status = "flagged"
    return result


def run_nightly(
    engine: Engine,
    db_url: str,
    registry: dict[str, dict],
    lock_path: Path,
    report_path: Path,
    crawl_args: list[str],
    log=print,
) -> int:
    lock = FileLock(str(lock_path), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        holder = lock_path.with_suffix(".pid")
        pid = holder.read_text().strip() if holder.exists() else "?"
        log(f"council-archive: another nightly run holds {lock_path} (pid {pid}); exiting", file=sys.stderr)
        return EXIT_LOCKED
    try:
        lock_path.with_suffix(".pid").write_text(str(os.getpid()))
        started = _now()
        results = []
        for slug, entry in registry.items():
            log(f"{slug}: crawling {entry['base_url']}")
            r = crawl_council(engine, db_url, slug, entry, crawl_args)
            log(
                f"{slug}: {r.status}"
                + (f" ({'; '.join(r.flags)})" if r.flags else "")
                + (f": {r.reason}" if r.reason and r.status == "failed" else "")
            )
            results.append(r)
        ok = sum(r.status == "ok" for r in results)
        report = {
            "started_at": started.isoformat(),
            "finished_at": _now().isoformat(),
            "councils": [asdict(r) for r in results],
            "summary": {s: sum(r.status == s for r in results) for s in ("ok", "flagged", "failed")},
        }
        report_path.parent.mkdir(parents=True, exist_ok=True)
        report_path.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
        log(f"report: {report_path}")
        if not results or ok == len(results):
            return 0
        return 2 if ok == 0 else 1
    finally:
        lock.release()
