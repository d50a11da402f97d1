"""The writer's SQL toolkit: race-free upserts on natural keys, append-only versions, retries.

``upsert`` is ``INSERT ... ON CONFLICT DO NOTHING`` on the row's natural key (SQLite and
PostgreSQL both have it), so two writers can never create the same row twice. An existing row is
updated with ``UPDATE ... RETURNING``, which on PostgreSQL also locks it until the transaction ends:
the identity row of a page or document is the mutex under which its next version is appended.
On SQLite every write transaction is ``BEGIN IMMEDIATE`` (see ``pipeline.archive.db``), which
serialises writers outright.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, and_, bindparam, case, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, OperationalError

T = TypeVar("T")


def utcnow() -> datetime:
    """Naive UTC (the archive stores UTC throughout; SQLite keeps no zone)."""
    return datetime.now(UTC).replace(tzinfo=None)


def fingerprint(*values: Any) -> str:
    return hashlib.sha256(json.dumps(values, default=str, ensure_ascii=False).encode()).hexdigest()


# Statements built once and run with their values as parameters: building a statement (and its
# cache key) per call cost the crawl as much CPU as running it (profiled: bench/crawl.py).
_STATEMENTS: dict[tuple, Any] = {}


def cached(key: tuple, build: Callable[[], Any]) -> Any:
    stmt = _STATEMENTS.get(key)
    if stmt is None:
        stmt = _STATEMENTS[key] = build()
    return stmt


def insert_returning(table: Table):
    """``INSERT ... RETURNING id``, its columns those of the values it is executed with."""
    return cached(("insert", table.name), lambda: insert(table).returning(table.c.id))


def insert_ignore(conn: Connection, table: Table, index: list[str], **values):
    """``INSERT ... ON CONFLICT (index) DO NOTHING RETURNING id``: the new id, or None if it existed."""

    def build():
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(table).on_conflict_do_nothing(index_elements=index)
        return stmt.returning(table.c.id) if "id" in table.c else stmt

    result = conn.execute(
        cached(("insert_ignore", conn.dialect.name, table.name, tuple(index)), build), values
    )
    return result.scalar() if "id" in table.c else None


def _update_returning(table: Table, keys: tuple[str, ...], touch: tuple[str, ...]):
    """``UPDATE table SET touch WHERE keys RETURNING id`` with parameters ``k_<key>``, ``t_<column>``."""

    def build():
        where = and_(*(table.c[k] == bindparam(f"k_{k}") for k in keys))
        values = {t: bindparam(f"t_{t}") for t in touch} or {keys[0]: table.c[keys[0]]}
        return update(table).where(where).values(values).returning(table.c.id)

    return cached(("update_returning", table.name, keys, touch), build)


def upsert(
    conn: Connection, table: Table, keys: dict, insert_values: dict | None = None, touch: dict | None = None
) -> tuple[int, bool]:
    """(id, created) of the row whose natural key is ``keys``.

    A new row gets ``insert_values`` (and ``touch``); an existing one has ``touch`` set (and is
    locked on PostgreSQL until commit). Safe against a concurrent writer inserting the same key.
    """
    if any(v is None for v in keys.values()):  # "= NULL" is never true: compare with IS NULL
        where = and_(*(table.c[k] == v for k, v in keys.items()))
        first = next(iter(keys))
        stmt, params = update(table).where(where).values(touch or {first: table.c[first]}), {}
        stmt = stmt.returning(table.c.id)
    else:
        # SET key = key when there is nothing to touch: still returns the id and takes the row lock.
        stmt = _update_returning(table, tuple(keys), tuple(touch or ()))
        params = {f"k_{k}": v for k, v in keys.items()} | {f"t_{t}": v for t, v in (touch or {}).items()}
    for _ in range(3):
        found = conn.execute(stmt, params).scalar()
        if found is not None:
            return found, False
        new = insert_ignore(conn, table, list(keys), **{**keys, **(insert_values or {}), **(touch or {})})
        if new is not None:
            return new, True
    raise RuntimeError(f"upsert into {table.name} {keys}: row neither found nor inserted")


def advance(
    conn: Connection,
    table: Table,
    parent_col: str,
    parent_id: int,
    key_col: str,
    key: str,
    now: datetime,
    from_previous: Callable[[Any], dict] | None = None,
    **values,
) -> tuple[int, bool]:
    """Append a version unless ``key`` equals the latest one's (then only move its last_seen).

    Comparing with the latest version only (not any earlier one) is what makes A -> B -> A three
    versions. Callers hold the parent row's lock (``upsert``), so two writers cannot both append.
    ``from_previous(key of the version it follows)``: more values of a new version, computed from
    the latest row already read here (one SELECT fewer than asking again).
    """
    latest_stmt = cached(
        ("latest", table.name, parent_col, key_col),
        lambda: (
            select(table.c.id, table.c[key_col])
            .where(table.c[parent_col] == bindparam("parent"))
            .order_by(table.c.id.desc())
            .limit(1)
        ),
    )
    latest = conn.execute(latest_stmt, {"parent": parent_id}).first()
    if latest is not None and latest[1] == key:
        touch_last_seen(conn, table, latest[0], now)
        return latest[0], False
    row = {parent_col: parent_id, key_col: key, "first_seen": now, "last_seen": now, **values}
    if from_previous is not None and latest is not None:
        row.update(from_previous(latest[1]))
    return conn.execute(insert_returning(table), row).scalar_one(), True


def touch_last_seen(conn: Connection, table: Table, row_id: int, now: datetime) -> None:
    def build():
        at = bindparam("now", type_=table.c.last_seen.type)
        later = case((table.c.last_seen < at, at), else_=table.c.last_seen)
        return update(table).where(table.c.id == bindparam("row_id")).values(last_seen=later)

    conn.execute(cached(("touch_last_seen", table.name), build), {"row_id": row_id, "now": now})


# Errors another writer or a restarting server can cause: the whole item is tried again.
_TRANSIENT = (
    "deadlock detected",
    "could not serialize",
    "database is locked",
    "database table is locked",
    "connection failed",
    "could not connect",
    "connection refused",
    "server closed the connection",
    "terminating connection",
    "the database system is",  # ... shutting down / starting up / in recovery mode
    "connection is closed",
    "consuming input failed",
)


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    text = str(getattr(exc, "orig", exc)).lower()
    return isinstance(exc, OperationalError | DBAPIError) and any(t in text for t in _TRANSIENT)


def with_retries(work: Callable[[], T], attempts: int = 7, pause: float = 0.2) -> T:
    """Run ``work`` (one whole transaction) again after a transient database error: backing off
    0.2, 0.4 ... 6.4 s, about 12 s in all, which a database restart fits in."""
    for attempt in range(attempts):
        try:
            return work()
        except DBAPIError as exc:
            if attempt == attempts - 1 or not is_transient(exc):
                raise
            time.sleep(pause * (2**attempt))
    raise AssertionError("unreachable")
