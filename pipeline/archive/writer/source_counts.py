"""Each minute's first source (the URL of its source with the lowest id) and number of sources,
kept on the minute's row whenever minute_sources changes, so that the export reads them with the
minute instead of looking them up twice per row (migration 0013)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, bindparam, func, select, update

from pipeline.archive.models import Minute, MinuteSource
from pipeline.archive.writer.sql import cached

BATCH = 500

minutes = Minute.__table__
sources = MinuteSource.__table__


def recount(conn: Connection, minute_ids: Iterable[int]) -> None:
    """Set first_source_url and source_count of these minutes from their minute_sources now.

    PostgreSQL: the rows are locked first, and counted in the next statement. Two writers adding
    sources to one minute at once: the second waits for the first to commit, and its count (a new
    statement, so a new snapshot under READ COMMITTED) sees the first's source as well as its own.
    Counted in the UPDATE that waited, it would have seen only its own (a lost update). SQLite has
    one writer at a time."""
    ids = sorted(set(minute_ids))
    for start in range(0, len(ids), BATCH):
        chunk = {"b_ids": ids[start : start + BATCH]}
        if conn.dialect.name == "postgresql":
            conn.execute(_lock(), chunk)
        conn.execute(_recount(), chunk)


def _lock():
    return cached(
        ("minute_source_counts_lock",),
        lambda: (
            select(minutes.c.id)
            .where(minutes.c.id.in_(bindparam("b_ids", expanding=True)))
            .order_by(minutes.c.id)
            .with_for_update()
        ),
    )


def _recount():
    def build():
        of_minute = sources.c.minute_id == minutes.c.id
        first = select(sources.c.source_url).where(of_minute).order_by(sources.c.id).limit(1)
        count = select(func.count()).select_from(sources).where(of_minute)
        return (
            update(minutes)
            .where(minutes.c.id.in_(bindparam("b_ids", expanding=True)))
            .values(
                first_source_url=func.coalesce(first.scalar_subquery(), ""),
                source_count=count.scalar_subquery(),
            )
        )

    return cached(("minute_source_counts",), build)
