"""The full-text index (FTS5 / tsvector table of migrations 0004 and 0011), kept in step with the
rows it indexes, in the same transaction.

On SQLite each row also carries its filters as indexed tokens (``facets``), so the read side can
filter inside the full-text match, and its rowid is derived from (kind, ref_id): replacing a row
is a rowid lookup, not a scan of the FTS5 table. Each change there is also logged, in the same
transaction, for the search mirror (``search_sync.py``) to apply: the outbox of migration 0012.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

_INSERT = text(
    "INSERT INTO search_index (kind, ref_id, council_id, committee_id, meeting_date, title, body) "
    "VALUES (:kind, :ref_id, :council_id, :committee_id, :meeting_date, :title, :body)"
)
_DELETE = text("DELETE FROM search_index WHERE kind = :kind AND ref_id = :ref_id")
_INSERT_SQLITE = text(
    "INSERT INTO search_index (rowid, kind, ref_id, council_id, committee_id, meeting_date, title, body, "
    "facets) VALUES (:rowid, :kind, :ref_id, :council_id, :committee_id, :meeting_date, :title, :body, :facets)"
)
_DELETE_SQLITE = text("DELETE FROM search_index WHERE rowid = :rowid")
_LOG_SQLITE = text("INSERT INTO search_index_changes (kind, ref_id) VALUES (:kind, :ref_id)")


def rowid(kind: str, ref_id: int) -> int:
    return 2 * ref_id + (kind == "page")


def facets(council_id: int, committee_id: int | None, meeting_date) -> str:
    """The filter tokens of one row ("council1 committee7 y2010 m201003"); migration 0011 makes the
    same ones in SQL."""
    out = [f"council{council_id}"]
    if committee_id is not None:
        out.append(f"committee{committee_id}")
    if meeting_date is not None:
        day = str(meeting_date)
        out += [f"y{day[:4]}", f"m{day[:4]}{day[5:7]}"]
    return " ".join(out)


def index(
    conn: Connection,
    kind: str,
    ref_id: int,
    council_id: int,
    committee_id: int | None,
    meeting_date,
    title: str | None,
    body: str,
) -> None:
    """(Re)index one row: whatever was indexed for it before is replaced."""
    index_many(conn, kind, [(ref_id, council_id, committee_id, meeting_date, title, body)])


def index_many(conn: Connection, kind: str, rows: list[tuple]) -> None:
    """(Re)index rows of one kind, each (ref_id, council_id, committee_id, meeting_date, title,
    body): three executemany statements for the lot (a derive re-indexes hundreds at once)."""
    if not rows:
        return
    params = [
        {
            "kind": kind,
            "ref_id": ref_id,
            "council_id": council_id,
            "committee_id": committee_id,
            "meeting_date": meeting_date,
            "title": title,
            "body": body,
        }
        for ref_id, council_id, committee_id, meeting_date, title, body in rows
    ]
    keys = [{"kind": kind, "ref_id": p["ref_id"]} for p in params]
    if conn.dialect.name == "sqlite":
        for p in params:
            p["rowid"] = rowid(kind, p["ref_id"])
            p["facets"] = facets(p["council_id"], p["committee_id"], p["meeting_date"])
        conn.execute(_DELETE_SQLITE, [{"rowid": p["rowid"]} for p in params])
        conn.execute(_INSERT_SQLITE, params)
        conn.execute(_LOG_SQLITE, keys)
    else:
        conn.execute(_DELETE, keys)
        conn.execute(_INSERT, params)


def unindex(conn: Connection, kind: str, ref_id: int) -> None:
    _remove(conn, kind, ref_id)
    if conn.dialect.name == "sqlite":
        conn.execute(_LOG_SQLITE, {"kind": kind, "ref_id": ref_id})


def _remove(conn: Connection, kind: str, ref_id: int) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(_DELETE_SQLITE, {"rowid": rowid(kind, ref_id)})
    else:
        conn.execute(_DELETE, {"kind": kind, "ref_id": ref_id})
