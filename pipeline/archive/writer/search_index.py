"""The full-text index (FTS5 / tsvector table of migration 0004), kept in step with the rows it
indexes, in the same transaction."""

from __future__ import annotations

from sqlalchemy import Connection, text

_INSERT = text(
    "INSERT INTO search_index (kind, ref_id, council_id, committee_id, meeting_date, title, body) "
    "VALUES (:kind, :ref_id, :council_id, :committee_id, :meeting_date, :title, :body)"
)
_DELETE = text("DELETE FROM search_index WHERE kind = :kind AND ref_id = :ref_id")


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
    unindex(conn, kind, ref_id)
    conn.execute(
        _INSERT,
        {
            "kind": kind,
            "ref_id": ref_id,
            "council_id": council_id,
            "committee_id": committee_id,
            "meeting_date": meeting_date,
            "title": title,
            "body": body,
        },
    )


def unindex(conn: Connection, kind: str, ref_id: int) -> None:
    conn.execute(_DELETE, {"kind": kind, "ref_id": ref_id})
