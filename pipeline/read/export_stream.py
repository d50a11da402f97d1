"""How export rows leave the database: straight from the driver's cursor, in batches, with no
SQLAlchemy row or type processing per row (the speed of `council-archive export`, bench/export.py).
SQLite hands dates and times over as their ISO text, PostgreSQL as objects; ``_iso`` and ``_hhmm``
take either, so each export's shape function is the same on both."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Engine

BATCH = 2000


def _stream(engine: Engine, query, shape) -> Iterator[list]:
    """``shape(row)`` of each row of the SELECT ``query``: bound values are processed as SQLAlchemy
    would send them; PostgreSQL streams through a server-side cursor."""
    dialect = engine.dialect
    compiled = query.compile(dialect=dialect)
    params = compiled.construct_params()
    for name, value in params.items():  # bound values as SQLAlchemy would send them (dates on SQLite)
        process = compiled.binds[name].type.bind_processor(dialect)
        params[name] = process(value) if process else value
    args = [params[name] for name in compiled.positiontup] if compiled.positional else params
    with engine.connect() as conn:
        driver = conn.connection.driver_connection
        cursor = driver.cursor(name="export") if dialect.name == "postgresql" else driver.cursor()
        try:
            cursor.execute(compiled.string, args)
            while batch := cursor.fetchmany(BATCH):
                for row in batch:
                    yield shape(row)
        finally:
            cursor.close()


def _iso(value) -> str:
    if value is None:
        return ""
    if value.__class__ is str:  # SQLite's text: "2024-05-01" or "2024-05-01 18:30:00.000000"
        return value[:19]
    return value.isoformat(sep=" ", timespec="seconds") if hasattr(value, "hour") else value.isoformat()


def _hhmm(value) -> str:
    if not value:
        return ""
    return value[:5] if value.__class__ is str else value.strftime("%H:%M")
