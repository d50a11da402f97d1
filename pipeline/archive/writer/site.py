"""The site's structure: committees, meetings (with every state their page showed), agenda items.

Identity comes from the site (council + site ids); a meeting page's state and each agenda item's
text are append-only versions, with the latest state cached on the meeting row for easy queries.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, select, update

from crawler.pages import CommitteeLink, MeetingPage
from pipeline.archive.models import (
    Committee,
    Meeting,
    MeetingState,
    PageVersion,
)
from pipeline.archive.writer import agenda
from pipeline.archive.writer.sql import advance, cached, fingerprint, upsert

page_versions = PageVersion.__table__
committees = Committee.__table__
meetings = Meeting.__table__
states = MeetingState.__table__


def committee(
    conn: Connection,
    council_id: int,
    site_id: int,
    name: str | None,
    now: datetime,
    result,
    url: str | None = None,
) -> int:
    cid, created = upsert(
        conn,
        committees,
        {"council_id": council_id, "site_id": site_id},
        {"name": name or _placeholder(site_id), "url": url, "first_seen": now},
        {"last_seen": now},
    )
    result.new_rows += created
    if not created:
        if url:
            conn.execute(_fill_url(), {"b_id": cid, "b_url": url})
        if name:  # a name seen first on a meeting page replaces the placeholder a bare id gave
            conn.execute(_fill_name(), {"b_id": cid, "b_placeholder": _placeholder(site_id), "b_name": name})
    return cid


# The statements every page runs, built once (sql.cached): parameters are named b_<what>.
def _fill_url():
    return cached(
        ("committee_url",),
        lambda: (
            update(committees)
            .where(committees.c.id == bindparam("b_id"), committees.c.url.is_(None))
            .values(url=bindparam("b_url"))
        ),
    )


def _fill_name():
    return cached(
        ("committee_name",),
        lambda: (
            update(committees)
            .where(committees.c.id == bindparam("b_id"), committees.c.name == bindparam("b_placeholder"))
            .values(name=bindparam("b_name"))
        ),
    )


def _placeholder(site_id: int) -> str:
    return f"Committee {site_id}"


def committee_links(
    conn: Connection, council_id: int, links: list[CommitteeLink], now: datetime, result
) -> None:
    for link in links:
        committee(conn, council_id, link.site_id, link.name, now, result, url=link.url)


def _meeting(conn, council_id, committee_site_id, committee_name, site_id, url, now, result) -> int:
    committee_id = committee(conn, council_id, committee_site_id or 0, committee_name, now, result)
    mid, created = upsert(
        conn,
        meetings,
        {"council_id": council_id, "site_id": site_id},
        {"committee_id": committee_id, "url": url, "status": "scheduled", "first_seen": now},
        {"last_seen": now},
    )
    result.new_rows += created
    return mid


def meeting_page(
    conn: Connection,
    council_id: int,
    url: str,
    page: MeetingPage,
    page_version_id: int,
    now: datetime,
    result,
) -> tuple[int, list[int]] | None:
    """Store what a meeting page shows; returns (meeting id, the ids of ``page.items`` in order), or
    None when the page carries no meeting id."""
    if page.site_id is None:
        return None
    mid = _meeting(
        conn, council_id, page.committee_site_id, page.committee_name, page.site_id, url, now, result
    )
    state = (page.date, page.time, page.status, page.venue, page.title)
    _, created = advance(
        conn,
        states,
        "meeting_id",
        mid,
        "fingerprint",
        fingerprint(*state),
        now,
        page_version_id=page_version_id,
        date=page.date,
        time=page.time,
        status=page.status,
        venue=page.venue,
        title=page.title,
    )
    result.new_versions += created
    conn.execute(
        _page_state(),
        {
            "b_id": mid,
            "b_date": page.date,
            "b_time": page.time,
            "b_status": page.status,
            "b_venue": page.venue,
            "b_title": page.title,
            "b_modified": page.date_modified,
        },
    )
    return mid, agenda.store(conn, mid, page.items, page_version_id, now, result)


def _page_state():
    """The meeting row's cache of its latest state (meeting_states holds them all)."""
    columns = ("date", "time", "status", "venue", "title")
    return cached(
        ("meeting_page_state",),
        lambda: (
            update(meetings)
            .where(meetings.c.id == bindparam("b_id"))
            .values(
                {c: bindparam(f"b_{c}", type_=meetings.c[c].type) for c in columns}
                | {"date_modified": bindparam("b_modified", type_=meetings.c.date_modified.type)}
            )
        ),
    )


def meeting_id_for_url(conn: Connection, council_id: int, url: str) -> tuple[int, int, object] | None:
    """(meeting id, committee id, date) of the meeting whose page is ``url``."""
    stmt = cached(
        ("meeting_for_url",),
        lambda: (
            select(meetings.c.id, meetings.c.committee_id, meetings.c.date)
            .where(meetings.c.council_id == bindparam("b_council"), meetings.c.url == bindparam("b_url"))
            .order_by(meetings.c.id)
            .limit(1)
        ),
    )
    row = conn.execute(stmt, {"b_council": council_id, "b_url": url}).first()
    return tuple(row) if row else None


def mark_parsed(conn: Connection, page_version_id: int, parser_version: str | None) -> None:
    conn.execute(
        update(page_versions)
        .where(page_versions.c.id == page_version_id)
        .values(parser_version=parser_version)
    )
