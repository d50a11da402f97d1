"""The generated SQLite archive copied into PostgreSQL (the project's migrations, then COPY), so
bench/search.py measures the same rows on both backends. Cached: a database holding as many
minutes is reused."""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pipeline.archive.db import open_archive_engine

TABLES = [
    "councils",
    "committees",
    "meetings",
    "minutes",
    "blobs",
    "pages",
    "page_versions",
    "detected_minutes",
    "minute_sources",
]
SEARCH_COLUMNS = "kind, ref_id, council_id, committee_id, meeting_date, title, body"


def copy_archive(sqlite_path: Path, admin_url: str, name: str = "ca_bench_search") -> str:
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    src = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    want = src.execute("SELECT count(*) FROM minutes").fetchone()[0]
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
    if exists:
        try:
            with create_engine(url).connect() as conn:
                if conn.execute(text("SELECT count(*) FROM search_index")).scalar() == want:
                    return url
        except Exception:  # noqa: BLE001 - a half-made copy is made again
            pass
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    open_archive_engine(url).dispose()
    t0 = time.perf_counter()
    engine = create_engine(url)
    with engine.begin() as conn:
        cur = conn.connection.driver_connection.cursor()
        for table in TABLES + ["search_index"]:
            cols = (
                SEARCH_COLUMNS
                if table == "search_index"
                else ", ".join(r[1] for r in src.execute(f"PRAGMA table_info({table})"))
            )
            bools = {r[1] for r in src.execute(f"PRAGMA table_info({table})") if r[2].upper() == "BOOLEAN"}
            positions = [i for i, c in enumerate(cols.split(", ")) if c in bools]
            with cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in src.execute(f"SELECT {cols} FROM {table}"):
                    if positions:
                        row = list(row)
                        for i in positions:
                            row[i] = None if row[i] is None else bool(row[i])
                    copy.write_row(row)
        for table in TABLES:
            if "id" not in {r[1] for r in src.execute(f"PRAGMA table_info({table})")}:
                continue
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                f" WHERE pg_get_serial_sequence('{table}', 'id') IS NOT NULL"
            )
    with engine.connect() as conn:
        conn.execute(text("COMMIT"))
        conn.connection.driver_connection.autocommit = True
        conn.connection.driver_connection.execute("VACUUM ANALYZE")
    print(f"copied to PostgreSQL in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return url
