"""The Redis queue of council jobs behind `nightly --redis` and `council-archive worker`.

The unit of work is a council: one worker crawls all of a council's site, so one host's
politeness (one request at a time, the delay, AutoThrottle) holds however many workers run.

Keys, all under ``<prefix>:`` (default ``council-archive``); every key of a run carries the run id,
so nothing of tonight's run (queue, leases, results) can make tomorrow's skip anything:

    runs                      zset: open run ids (score: when they were opened)
    run:<id>:meta             hash: total, lease_ms
    run:<id>:jobs             hash: slug -> job (JSON)
    run:<id>:pending          list: slugs not yet taken (taken from the right, requeued at the right)
    run:<id>:leases           zset: slug -> lease expiry (Redis server time, ms)
    run:<id>:owner            hash: slug -> worker id holding the lease
    run:<id>:attempts         hash: slug -> leases given out
    run:<id>:results          hash: slug -> the council's report line (JSON)

A worker holds a lease on its council and renews it (heartbeat) while the crawl runs; a lease not
renewed in time expires and the council goes back to the queue, for whoever asks next. Every step
is one Lua script (atomic on the server) and uses the server's clock, so workers on machines whose
clocks differ agree on expiry. Values are JSON, never pickle: a queue shared over the network must
not be able to run code in its readers.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import socket
from datetime import UTC, datetime
from urllib.parse import urlsplit

import redis

DEFAULT_PREFIX = "council-archive"
DEFAULT_LEASE_S = 60.0
MAX_ATTEMPTS = 3  # a council whose worker died this many times is reported failed, not retried forever
KEEP_RUN_S = 3 * 24 * 3600  # every run key expires: a run abandoned by its nightly leaves nothing forever

# Expired leases back on the queue (or failed after MAX_ATTEMPTS), then the next pending slug leased.
_CLAIM = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local pending, leases, owner, attempts, results, jobs = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
if redis.call('EXISTS', jobs) == 0 then return false end
for _, slug in ipairs(redis.call('ZRANGEBYSCORE', leases, '-inf', now)) do
  redis.call('ZREM', leases, slug)
  redis.call('HDEL', owner, slug)
  if tonumber(redis.call('HGET', attempts, slug) or '0') >= tonumber(ARGV[3]) then
    redis.call('HSETNX', results, slug, ARGV[4])
  else
    redis.call('RPUSH', pending, slug)
  end
end
if ARGV[5] ~= '1' then return false end
local slug = redis.call('RPOP', pending)
if not slug then return false end
redis.call('ZADD', leases, now + tonumber(ARGV[2]), slug)
redis.call('HSET', owner, slug, ARGV[1])
redis.call('HINCRBY', attempts, slug, 1)
return {slug, redis.call('HGET', jobs, slug)}
"""

# Renew a lease, only if this worker still holds it (1), else 0: the council was taken over.
_RENEW = """
if redis.call('HGET', KEYS[2], ARGV[2]) ~= ARGV[1] then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[3]), ARGV[2])
return 1
"""

# Record a council's result and drop its lease, only if this worker still holds it.
_COMPLETE = """
if redis.call('HGET', KEYS[2], ARGV[2]) ~= ARGV[1] then return 0 end
redis.call('ZREM', KEYS[1], ARGV[2])
redis.call('HDEL', KEYS[2], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
return 1
"""


class QueueError(RuntimeError):
    """Redis cannot be reached or used; the message is one line for the user."""


def connect(url: str) -> redis.Redis:
    try:
        client = redis.Redis.from_url(url, decode_responses=True, socket_connect_timeout=10)
        client.ping()
    except ValueError as exc:
        raise QueueError(f"not a Redis URL: {url!r} ({exc})") from None
    except redis.RedisError as exc:
        raise QueueError(f"cannot reach Redis at {url}: {str(exc).splitlines()[0]}") from None
    return client


def exposure_warning(url: str) -> str | None:
    """A warning for a Redis URL that may be reachable from outside a private network without a
    password (the queue says which sites to crawl and what to store: keep it private)."""
    parts = urlsplit(url)
    if parts.scheme == "unix" or parts.password:
        return None
    host = parts.hostname or "localhost"
    if host == "localhost":
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"Redis at {host} without a password: bind it to a private network only (docs/scaling.md)"
    if not address.is_global:  # loopback, private (10/8, 192.168/16 ...), link-local
        return None
    return (
        f"Redis at public address {host} without a password: bind it to a private network (docs/scaling.md)"
    )


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def new_run_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


class JobQueue:
    def __init__(self, client: redis.Redis, prefix: str = DEFAULT_PREFIX):
        self.r = client
        self.prefix = prefix
        self._claim = client.register_script(_CLAIM)
        self._renew = client.register_script(_RENEW)
        self._complete = client.register_script(_COMPLETE)

    def key(self, run_id: str, name: str) -> str:
        return f"{self.prefix}:run:{run_id}:{name}"

    def _keys(self, run_id: str, *names: str) -> list[str]:
        return [self.key(run_id, n) for n in names]

    # --- the nightly side -------------------------------------------------------------------------

    def open_run(self, jobs: dict[str, dict], lease_s: float = DEFAULT_LEASE_S) -> str:
        """Enqueue tonight's councils (``slug -> JSON-safe job``) under a new run id."""
        run_id = new_run_id()
        meta, jobs_key, pending = self._keys(run_id, "meta", "jobs", "pending")
        with self.r.pipeline() as p:  # MULTI/EXEC: workers see the whole run or none of it
            p.hset(meta, mapping={"total": len(jobs), "lease_ms": int(lease_s * 1000)})
            if jobs:
                p.hset(jobs_key, mapping={slug: json.dumps(job) for slug, job in jobs.items()})
                p.lpush(pending, *jobs)  # taken from the right: registry order
            for name in ("meta", "jobs", "pending"):
                p.expire(self.key(run_id, name), KEEP_RUN_S)
            p.zadd(f"{self.prefix}:runs", {run_id: datetime.now(UTC).timestamp()})
            p.execute()
        return run_id

    def results(self, run_id: str) -> dict[str, dict]:
        # a result the claim script wrote for a council given up on names no slug: the key does
        found = self.r.hgetall(self.key(run_id, "results"))
        return {slug: {**json.loads(v), "slug": slug} for slug, v in found.items()}

    def pending_count(self, run_id: str) -> int:
        return self.r.llen(self.key(run_id, "pending"))

    def owners(self, run_id: str) -> dict[str, str]:
        return self.r.hgetall(self.key(run_id, "owner"))

    def requeue_expired(self, run_id: str, failed_result: dict) -> None:
        """Put back what dead workers held even when no live worker is asking (the claim does it)."""
        self.claim(run_id, "", failed_result, take=False)

    def run_exists(self, run_id: str) -> bool:
        return bool(self.r.exists(self.key(run_id, "meta")))

    def run_complete(self, run_id: str) -> bool:
        """Every council of the run has its result (or the run was closed)."""
        total = self.r.hget(self.key(run_id, "meta"), "total")
        return total is None or self.r.hlen(self.key(run_id, "results")) >= int(total)

    def close_run(self, run_id: str) -> None:
        names = ("meta", "jobs", "pending", "leases", "owner", "attempts", "results")
        with self.r.pipeline() as p:
            p.delete(*self._keys(run_id, *names))
            p.zrem(f"{self.prefix}:runs", run_id)
            p.execute()

    # --- the worker side --------------------------------------------------------------------------

    def open_runs(self) -> list[str]:
        runs = list(self.r.zrange(f"{self.prefix}:runs", 0, -1))
        gone = [rid for rid in runs if not self.r.exists(self.key(rid, "meta"))]
        if gone:  # a run whose nightly died and whose keys expired
            self.r.zrem(f"{self.prefix}:runs", *gone)
        return [rid for rid in runs if rid not in gone]

    def lease_s(self, run_id: str) -> float:
        return int(self.r.hget(self.key(run_id, "meta"), "lease_ms") or DEFAULT_LEASE_S * 1000) / 1000

    def claim(
        self, run_id: str, worker: str, failed_result: dict, take: bool = True
    ) -> tuple[str, dict] | None:
        """Lease the next council of the run: (slug, job), or None when nothing is pending."""
        keys = self._keys(run_id, "pending", "leases", "owner", "attempts", "results", "jobs")
        lease_ms = int(self.lease_s(run_id) * 1000)
        args = [worker, lease_ms, MAX_ATTEMPTS, json.dumps(failed_result), "1" if take else "0"]
        found = self._claim(keys=keys, args=args)
        self._keep(run_id)
        if not found:
            return None
        slug, job = found
        return slug, json.loads(job)

    def _keep(self, run_id: str) -> None:
        """Keys made after the run opened expire too (EXPIRE of a key not yet made does nothing)."""
        with self.r.pipeline(transaction=False) as p:
            for name in ("leases", "owner", "attempts", "results"):
                p.expire(self.key(run_id, name), KEEP_RUN_S)
            p.execute()

    def renew(self, run_id: str, worker: str, slug: str) -> bool:
        lease_ms = int(self.lease_s(run_id) * 1000)
        return bool(self._renew(keys=self._keys(run_id, "leases", "owner"), args=[worker, slug, lease_ms]))

    def complete(self, run_id: str, worker: str, slug: str, result: dict) -> bool:
        keys = self._keys(run_id, "leases", "owner", "results")
        kept = bool(self._complete(keys=keys, args=[worker, slug, json.dumps(result, default=str)]))
        self._keep(run_id)
        return kept
