"""Where the archive lives and how it is opened and migrated.

``--db URL`` on every command, else ``COUNCIL_ARCHIVE_DB``, else ``sqlite:///data/archive.sqlite``.
Blobs live beside a SQLite file (``data/blobs/`` for the default), or in ``COUNCIL_ARCHIVE_BLOBS``.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

DEFAULT_DB = "sqlite:///data/archive.sqlite"


class DatabaseError(RuntimeError):
    """The archive cannot be opened or migrated; the message is one line for the user."""


def resolve_db_url(db: str | None = None) -> str:
    return db or os.environ.get("COUNCIL_ARCHIVE_DB") or DEFAULT_DB


def blob_root(db_url: str) -> Path:
    env = os.environ.get("COUNCIL_ARCHIVE_BLOBS")
    if env:
        return Path(env)
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database).resolve().parent / "blobs"
    return Path("data/blobs").resolve()


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    # WAL: readers (exports, Datasette) do not block the crawler; a crash loses no committed row.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(db_url: str) -> Engine:
    try:
        url = make_url(db_url)
    except ArgumentError as exc:
        raise DatabaseError(f"not a database URL: {db_url!r}") from exc
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        folder = Path(url.database).resolve().parent
        if not folder.is_dir():
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseError(f"cannot create the folder for {url.database}: {exc.strerror}") from exc
    try:
        engine = create_engine(url, future=True)
    except Exception as exc:  # missing driver, bad options
        raise DatabaseError(f"cannot open database {db_url}: {exc}") from exc
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(files("migrations")))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    try:
        command.upgrade(alembic_config(engine), revision)
    except SQLAlchemyError as exc:
        raise DatabaseError(
            f"cannot open database {engine.url.render_as_string()}: {_first_line(exc)}"
        ) from exc


def open_archive_engine(db: str | None = None, *, migrate: bool = True) -> Engine:
    """Engine for the archive, upgraded to the latest schema when ``migrate``."""
    engine = make_engine(resolve_db_url(db))
    try:
        with engine.connect() as conn:
            inspect(conn).get_table_names()
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot open database {resolve_db_url(db)}: {_first_line(exc)}") from exc
    if migrate:
        upgrade(engine)
    return engine


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__
