"""The meetings a meeting list page shows, in a few statements per page (not six per meeting): one
SELECT of those already archived, one executemany INSERT of the new, one executemany UPDATE of
the rest (the same rows and values the row-at-a-time ``upsert`` of each link leaves).

An UPDATE takes the meeting row's lock (PostgreSQL), as ``upsert`` does; a meeting another writer
inserts between the SELECT and the INSERT is not returned by ``ON CONFLICT DO NOTHING`` and is
upserted alone.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Connection, and_, bindparam, case, select, update
from sqlalchemy.dialects import postgresql, sqlite

from crawler.pages import MeetingLink
from pipeline.archive.writer.site import committee, meetings
from pipeline.archive.writer.sql import cached, upsert


def meeting_links(
    conn: Connection,
    council_id: int,
    links: list[MeetingLink],
    committee_name: str | None,
    now: datetime,
    result,
) -> None:
    if not links:
        return
    committees: dict[int, int] = {}  # a list page shows one committee's meetings: upserted once
    for link in links:
        sid = link.committee_site_id or 0
        if sid not in committees:
            committees[sid] = committee(conn, council_id, sid, committee_name, now, result)
    sites = sorted({link.site_id for link in links})
    ids = dict(conn.execute(_existing(), {"b_council": council_id, "b_sites": sites}).all())
    first: dict[int, MeetingLink] = {}  # new meetings: the first link to each is the row inserted
    for link in links:
        if link.site_id not in ids:
            first.setdefault(link.site_id, link)
    if first:
        rows = [_new_row(council_id, committees[lk.committee_site_id or 0], lk, now) for lk in first.values()]
        inserted = dict(conn.execute(_insert(conn), rows).all())
        result.new_rows += len(inserted)
        for site_id in first.keys() - inserted.keys():  # another writer's: found (and locked), updated
            ids[site_id], _ = upsert(conn, meetings, {"council_id": council_id, "site_id": site_id})
        ids |= inserted
    else:
        inserted = {}
    done = {id(first[site_id]) for site_id in inserted}  # links whose values the INSERT wrote
    later = [_listed(ids[lk.site_id], lk, now) for lk in links if id(lk) not in done]
    if later:  # in page order: a meeting listed twice ends with its last link's suffix, as before
        conn.execute(_update(), later)


def _new_row(council_id: int, committee_id: int, link: MeetingLink, now: datetime) -> dict:
    return {
        "council_id": council_id,
        "site_id": link.site_id,
        "committee_id": committee_id,
        "url": link.url,
        "status": "cancelled" if link.cancelled else "scheduled",
        "date": link.date,
        "time": link.time,
        "list_suffix": link.suffix or None,
        "first_seen": now,
        "last_seen": now,
    }


def _listed(meeting_id: int, link: MeetingLink, now: datetime) -> dict:
    return {
        "b_id": meeting_id,
        "b_now": now,
        "b_suffix": link.suffix or None,
        "b_date": link.date,
        "b_time": link.time,
        "b_cancelled": bool(link.cancelled),
    }


def _existing():
    return cached(
        ("listed_existing",),
        lambda: select(meetings.c.site_id, meetings.c.id).where(
            meetings.c.council_id == bindparam("b_council"),
            meetings.c.site_id.in_(bindparam("b_sites", expanding=True)),
        ),
    )


def _insert(conn: Connection):
    def build():
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(meetings).on_conflict_do_nothing(index_elements=["council_id", "site_id"])
        return stmt.returning(meetings.c.site_id, meetings.c.id)

    return cached(("listed_insert", conn.dialect.name), build)


def _update():
    """Seen now, its list suffix; date, time and cancellation only while no meeting page gave them
    (the page, once read, is the authority). Every right-hand side reads the row before the UPDATE."""

    def build():
        c = meetings.c
        undated = c.date.is_(None)
        cancelled = bindparam("b_cancelled", type_=Boolean)
        return (
            update(meetings)
            .where(c.id == bindparam("b_id"))
            .values(
                last_seen=bindparam("b_now", type_=c.last_seen.type),
                list_suffix=bindparam("b_suffix", type_=c.list_suffix.type),
                date=case((undated, bindparam("b_date", type_=c.date.type)), else_=c.date),
                time=case((undated, bindparam("b_time", type_=c.time.type)), else_=c.time),
                status=case((and_(undated, cancelled), "cancelled"), else_=c.status),
            )
        )

    return cached(("listed_update",), build)
