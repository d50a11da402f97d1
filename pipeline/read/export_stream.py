"""How export rows leave the database: straight from the driver's cursor, in batches, with no
SQLAlchemy row or type processing per row (the speed of `council-archive export`, bench/export.py).
SQLite hands dates and times over as their ISO text, PostgreSQL as objects; ``_iso`` and ``_hhmm``
take either, so each export's shape function is the same on both. Also SQLite's planned minutes
query (the export's largest table)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Date, Engine, Integer, String, bindparam, literal_column, select, text

BATCH = 2000
# SQLite's batches of finished CSV text stay under glibc's mmap threshold (128 KiB): larger ones were
# mapped and unmapped each time, a page fault per 4 KiB written (a third of the export's time)
SMALL_BATCH = 200


def _stream(engine: Engine, query, shape) -> Iterator[list]:
    """``shape(row)`` of each row of the SELECT ``query``."""
    for batch in _batches(engine, query):
        for row in batch:
            yield shape(row)


def _batches(engine: Engine, query, size: int = BATCH) -> Iterator[list[tuple]]:
    """The driver's rows of the SELECT ``query``, a batch at a time: bound values are processed as
    SQLAlchemy would send them; PostgreSQL streams through a server-side cursor."""
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
            while batch := cursor.fetchmany(size):
                yield batch
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


# SQLite, whose planner (no ANALYZE statistics) would sort every minute: councils by slug, each
# one's meetings by date then id (index of migration 0011, whose entries end in the rowid), their
# minutes by id (ix_minutes_meeting_id): rows come in the export's order, nothing is sorted.
_SQLITE_MINUTES_FROM = (
    "councils co CROSS JOIN meetings me CROSS JOIN minutes mi INDEXED BY ix_minutes_meeting_id "
    "JOIN committees cm ON cm.id = mi.committee_id"
)


# (column, type, as text) of the planned query. As text (``cells``: SQLite's C code, no Python per
# row) each is the value minute_rows' shape hands csv_cells.cell: numbers in decimal, NULL or 0 years
# empty; the minute's id, then all but the text each followed by SEP, then the text (see exports)
_SQLITE_MINUTE_COLUMNS = [
    ("co.slug", String, "co.slug"),
    ("cm.name", String, "cm.name"),
    ("me.date", Date, "substr(coalesce(me.date, ''), 1, 19)"),
    ("mi.number", String, "mi.number"),
    ("mi.label", String, "mi.label"),
    ("mi.title", String, "mi.title"),
    # the first source and the number of sources, kept on the minute by the writer (migration 0013)
    ("mi.first_source_url", String, "mi.first_source_url"),
    ("mi.source_count", Integer, "CAST(mi.source_count AS TEXT)"),
    ("mi.year", Integer, "CASE WHEN mi.year THEN CAST(mi.year AS TEXT) ELSE '' END"),
    ("mi.text", String, "mi.text"),
]
SEP = "\x1f"


def sqlite_minutes(council, date_from, date_to, committee, cells=False, minute_id=None):
    """The planned minutes query: its typed columns, or with ``cells`` (id, cells but the last, text)."""
    if cells:
        head = "".join(f"{c} || char(31) || " for _, _, c in _SQLITE_MINUTE_COLUMNS[:-1])
        columns = [
            literal_column("mi.id", Integer),
            # as bytes (BLOB): UTF-8 as stored, no decoding (exports.cell_lines works on bytes)
            literal_column(f"CAST({head[:-4]} AS BLOB)"),
            literal_column("CAST(mi.text AS BLOB)"),
        ]
    else:
        columns = [literal_column(n, t) for n, t, _ in _SQLITE_MINUTE_COLUMNS]
    q = (
        select(*columns)
        .select_from(text(_SQLITE_MINUTES_FROM))
        # a minute no source shows any more (until drop_orphan_minutes) is not exported
        .where(
            text(
                "me.council_id = co.id AND mi.meeting_id = me.id AND mi.council_id = co.id AND mi.source_count > 0"
            )
        )
        .order_by(text("co.slug, me.date, me.id, mi.id"))
    )
    for value, cond, param in [
        (council, "co.slug = :council", bindparam("council", council)),
        (date_from, "me.date >= :date_from", bindparam("date_from", date_from, type_=Date)),
        (date_to, "me.date <= :date_to", bindparam("date_to", date_to, type_=Date)),
        (committee, "cm.name = :committee", bindparam("committee", committee)),
        (minute_id, "mi.id = :minute_id", bindparam("minute_id", minute_id)),
    ]:
        if value:
            q = q.where(text(cond).bindparams(param))
    return q
