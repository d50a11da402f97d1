"""Councils and crawl runs: who was crawled, when, how it ended, with the run's statistics.

A run still ``running`` whose process is gone (same machine, pid no longer alive) was killed: it
is marked ``interrupted`` by the next run. Runs of live processes, or of other machines, are
never touched, so two crawls at once leave each other's rows alone.
"""

from __future__ import annotations

import os
import socket

from sqlalchemy import Connection, insert, select, update

from pipeline.archive.models import Council, CrawlRun
from pipeline.archive.writer.sql import upsert, utcnow

councils = Council.__table__
runs = CrawlRun.__table__


def ensure_council(
    conn: Connection,
    slug: str,
    base_url: str,
    name: str | None = None,
    platform: str | None = None,
    year_convention: str | None = None,
) -> int:
    touch = {"base_url": base_url}
    if name:
        touch["name"] = name
    if platform:
        touch["platform"] = platform
    if year_convention:
        touch["year_convention"] = touch["year_convention_set"] = year_convention
    council_id, _ = upsert(
        conn, councils, {"slug": slug}, {"name": name or slug, "created_at": utcnow()}, touch
    )
    return council_id


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start_run(conn: Connection, council_id: int, options: dict) -> int:
    host = socket.gethostname()
    for run_id, opts in conn.execute(
        select(runs.c.id, runs.c.options).where(runs.c.council_id == council_id, runs.c.status == "running")
    ):
        opts = opts or {}
        if opts.get("host") == host and isinstance(opts.get("pid"), int) and not _alive(opts["pid"]):
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(status="interrupted", reason="the process ended before the run finished")
            )
    return conn.execute(
        insert(runs)
        .values(
            council_id=council_id,
            started_at=utcnow(),
            status="running",
            options={**options, "host": host, "pid": os.getpid()},
        )
        .returning(runs.c.id)
    ).scalar_one()


def finish_run(conn: Connection, run_id: int, status: str, stats: dict, reason: str | None = None) -> None:
    conn.execute(
        update(runs)
        .where(runs.c.id == run_id)
        .values(finished_at=utcnow(), status=status, reason=reason, stats=stats)
    )
