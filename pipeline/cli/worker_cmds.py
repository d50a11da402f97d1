"""`worker` (take council jobs from Redis) and the `--redis` options of `nightly`."""

from __future__ import annotations

import sys
from pathlib import Path

from pipeline.archive.db import open_archive_engine, resolve_db_url
from pipeline.cli.common import CliError, add_db, non_negative_float, positive_int


def _redis_url(value: str) -> str:
    if not value.startswith(("redis://", "rediss://", "unix://")):
        import argparse

        raise argparse.ArgumentTypeError(f"not a Redis URL (redis://HOST:PORT/DB): {value!r}")
    return value


def add_queue_options(p) -> None:
    p.add_argument("--redis", type=_redis_url, metavar="URL", help="the Redis queue of council jobs")
    p.add_argument("--prefix", default="council-archive", help="prefix of the Redis keys (one per fleet)")


def add_nightly_options(p) -> None:
    """`nightly --redis URL --workers N`: the councils go to a Redis queue (docs/scaling.md)."""
    add_queue_options(p)
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="with --redis: local workers to start (0: only workers on other machines)",
    )
    p.add_argument(
        "--lease",
        type=non_negative_float,
        default=60.0,
        metavar="S",
        help="with --redis: seconds a worker's hold on a council lasts without a heartbeat",
    )


def register(sub) -> None:
    p = sub.add_parser("worker", help="crawl council jobs from a Redis queue (nightly --redis)")
    add_queue_options(p)
    add_db(p)
    p.add_argument("--blobs", help="the shared blob store (default: $COUNCIL_ARCHIVE_BLOBS or beside the db)")
    p.add_argument(
        "--jobs", type=positive_int, default=1, help="councils crawled at once (a child process each)"
    )
    p.add_argument("--run", help="only this run id")
    p.add_argument("--until-done", action="store_true", help="with --run: exit once the run is complete")
    p.set_defaults(handler=cmd_worker)


def _queue(args):
    from pipeline.ops.jobs import JobQueue, QueueError, connect, exposure_warning

    if not args.redis:
        raise CliError("give --redis URL")
    warning = exposure_warning(args.redis)
    if warning:
        print(f"council-archive: warning: {warning}", file=sys.stderr)
    try:
        return JobQueue(connect(args.redis), args.prefix)
    except QueueError as exc:
        raise CliError(str(exc)) from None


def cmd_worker(args) -> int:
    from functools import partial

    from pipeline.ops.worker import run_worker

    queue = _queue(args)
    db_url = resolve_db_url(args.db)
    engine = open_archive_engine(db_url)  # migrates a new archive once, before any crawl child
    if args.blobs:
        Path(args.blobs).mkdir(parents=True, exist_ok=True)
    work = partial(
        run_worker,
        queue,
        engine,
        db_url,
        blobs=Path(args.blobs).resolve() if args.blobs else None,
        run_id=args.run,
        until_done=args.until_done,
        log=partial(print, flush=True),
    )
    if args.jobs == 1:
        return work()
    import threading

    from pipeline.ops.jobs import worker_id

    # one loop per job, each holding its own lease under its own id; threads only wait on children
    loops = [
        threading.Thread(target=work, kwargs={"me": f"{worker_id()}.{k}"}, daemon=True)
        for k in range(args.jobs)
    ]
    for t in loops:
        t.start()
    for t in loops:
        t.join()
    return 0


def nightly_redis(args, councils: dict, db_url: str, report: Path) -> int:
    from functools import partial

    from pipeline.ops.nightly_redis import run_nightly_redis

    if not args.redis:
        raise CliError("--workers needs --redis URL")
    if args.workers is None:
        raise CliError("--redis needs --workers N (0: only workers on other machines)")
    queue = _queue(args)
    # what each council's `crawl` child is told: the nightly policy, and the politeness given
    crawl_args = [] if args.full else ["--incremental"]
    if args.delay is not None:
        crawl_args += ["--delay", str(args.delay)]
    if args.concurrency is not None:
        crawl_args += ["--concurrency", str(args.concurrency)]
    return run_nightly_redis(
        queue,
        args.redis,
        db_url,
        councils,
        Path(args.lock),
        report,
        crawl_args,
        args.workers,
        lease_s=max(args.lease, 1.0),
        log=partial(print, flush=True),
    )
