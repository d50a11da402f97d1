"""Where the archive lives and how it is opened: for writing (and migrating), or read-only.

``--db URL`` on every command, else ``COUNCIL_ARCHIVE_DB``, else ``sqlite:///data/archive.sqlite``.
Blobs live beside a SQLite file (``data/blobs/`` for the default), or in ``COUNCIL_ARCHIVE_BLOBS``.

Writers (crawls, reprocess, migrations) open it with ``open_archive_engine``: on SQLite every
transaction is ``BEGIN IMMEDIATE``, so two writer processes queue for the lock instead of failing
half way. Read commands open it with ``open_read_engine``: never a write, never a migration (a
SQLite file opened read-only, a PostgreSQL session with read-only transactions), and a one-line
error when the schema is older than this version.
"""

from __future__ import annotations

import os
import sys
from importlib.resources import files
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

DEFAULT_DB = "sqlite:///data/archive.sqlite"


class DatabaseError(RuntimeError):
    """The archive cannot be opened or migrated; the message is one line for the user."""


def resolve_db_url(db: str | None = None) -> str:
    return db or os.environ.get("COUNCIL_ARCHIVE_DB") or DEFAULT_DB


def _parse(db_url: str) -> URL:
    try:
        return make_url(db_url)
    except ArgumentError as exc:
        raise DatabaseError(f"not a database URL: {db_url!r}") from exc


def _sqlite_file(url: URL) -> str | None:
    return (
        url.database
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
        else None
    )


def blob_root(db_url: str) -> Path:
    env = os.environ.get("COUNCIL_ARCHIVE_BLOBS")
    if env:
        return Path(env)
    path = _sqlite_file(_parse(db_url))
    return Path(path).resolve().parent / "blobs" if path else Path("data/blobs").resolve()


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    # WAL: readers (exports, Datasette) do not block the crawler; a crash loses no committed row.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()
    # Transactions are begun by SQLAlchemy's "begin" event below, not by pysqlite.
    dbapi_conn.isolation_level = None


def _sqlite_read_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA query_only=ON")
    cur.close()


def make_engine(db_url: str) -> Engine:
    """An engine for writing (the folder of a new SQLite file is made)."""
    url = _parse(db_url)
    path = _sqlite_file(url)
    if path:
        folder = Path(path).resolve().parent
        if not folder.is_dir():
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseError(f"cannot create the folder for {path}: {exc.strerror}") from exc
    try:
        engine = create_engine(url, pool_pre_ping=url.get_backend_name() != "sqlite")
    except Exception as exc:  # missing driver, bad options
        raise DatabaseError(f"cannot open database {db_url}: {exc}") from exc
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        # IMMEDIATE: take the write lock at BEGIN, so a transaction that read cannot later fail to write.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    return engine


def make_read_engine(db_url: str) -> Engine:
    """An engine that cannot write: SQLite opened read-only (a missing file is an error, not a new
    empty archive), PostgreSQL sessions with read-only transactions."""
    url = _parse(db_url)
    path = _sqlite_file(url)
    try:
        if path:
            if not Path(path).is_file():
                raise DatabaseError(f"no archive at {path} (the file does not exist)")
            uri = f"file:{Path(path).resolve()}?mode=ro"
            engine = create_engine("sqlite://", creator=lambda: _sqlite_ro(uri))
            event.listen(engine, "connect", _sqlite_read_pragmas)
            return engine
        args = (
            {"options": "-c default_transaction_read_only=on"}
            if url.get_backend_name() == "postgresql"
            else {}
        )
        return create_engine(url, connect_args=args, pool_pre_ping=True)
    except DatabaseError:
        raise
    except Exception as exc:
        raise DatabaseError(f"cannot open database {db_url}: {exc}") from exc


def _sqlite_ro(uri: str):
    import sqlite3

    return sqlite3.connect(uri, uri=True, check_same_thread=False)


# The schema this version reads and writes: the head of migrations/ (tests/test_migrations.py checks
# that it is alembic's). A constant, so that read commands need not import alembic (a sixth of an
# export's start-up) to check an archive's schema.
SCHEMA_REVISION = "0013"


def alembic_config(engine: Engine | None = None):
    from alembic.config import Config

    # Config's default stdout is sys.stdout as it was when alembic was first imported, which with
    # a lazy import may be a stream long closed (a test's capture): the current one, explicitly
    cfg = Config(stdout=sys.stdout)
    cfg.set_main_option("script_location", str(files("migrations")))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    return SCHEMA_REVISION


def current_revision(engine: Engine) -> str | None:
    """The archive's schema revision as alembic records it (None before the first migration)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.scalar(text("SELECT version_num FROM alembic_version"))


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    try:
        command.upgrade(alembic_config(engine), revision)
    except SQLAlchemyError as exc:
        raise DatabaseError(
            f"cannot open database {engine.url.render_as_string()}: {first_line(exc)}"
        ) from exc


def open_archive_engine(db: str | None = None, *, migrate: bool = True) -> Engine:
    """Engine for writing the archive, upgraded to the latest schema when ``migrate``."""
    engine = make_engine(resolve_db_url(db))
    try:
        with engine.connect() as conn:
            inspect(conn).get_table_names()
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot open database {resolve_db_url(db)}: {first_line(exc)}") from exc
    if migrate and current_revision(engine) != SCHEMA_REVISION:  # alembic only when there is work
        upgrade(engine)
    return engine


def open_read_engine(db: str | None = None) -> Engine:
    """Engine for read commands: read-only, and only on a schema this version knows."""
    db_url = resolve_db_url(db)
    engine = make_read_engine(db_url)
    try:
        found = current_revision(engine)
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot open database {db_url}: {first_line(exc)}") from exc
    head = head_revision()
    if found is None:
        raise DatabaseError(f"{db_url} is not an archive yet (no schema): crawl into it first")
    if found != head:
        raise DatabaseError(
            f"the archive {db_url} has schema {found}, this version reads {head}: "
            "run `council-archive db upgrade` first"
        )
    return engine


def first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__
