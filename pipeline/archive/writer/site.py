"""The site's structure: committees, meetings (with every state their page showed), agenda items.

Identity comes from the site (council + site ids); a meeting page's state and each agenda item's
text are append-only versions, with the latest state cached on the meeting row for easy queries.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, select, update

from crawler.pages import AgendaItem as ParsedItem
from crawler.pages import CommitteeLink, MeetingLink, MeetingPage
from pipeline.archive.models import (
    AgendaItem,
    AgendaItemVersion,
    Committee,
    Meeting,
    MeetingState,
    PageVersion,
)
from pipeline.archive.writer.sql import advance, cached, fingerprint, upsert

page_versions = PageVersion.__table__
committees = Committee.__table__
meetings = Meeting.__table__
states = MeetingState.__table__
items = AgendaItem.__table__
item_versions = AgendaItemVersion.__table__


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


def _listed(cancelled: bool):
    def build():
        values = {"date": bindparam("b_date"), "time": bindparam("b_time")}
        if cancelled:
            values["status"] = "cancelled"
        return (
            update(meetings)
            .where(meetings.c.id == bindparam("b_id"), meetings.c.date.is_(None))
            .values(values)
        )

    return cached(("meeting_listed", cancelled), build)


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


def meeting_links(
    conn: Connection,
    council_id: int,
    links: list[MeetingLink],
    committee_name: str | None,
    now: datetime,
    result,
) -> None:
    for link in links:
        mid = _meeting(
            conn, council_id, link.committee_site_id, committee_name, link.site_id, link.url, now, result
        )
        suffix = cached(
            ("meeting_suffix",),
            lambda: (
                update(meetings)
                .where(meetings.c.id == bindparam("b_id"))
                .values(list_suffix=bindparam("b_suffix"))
            ),
        )
        conn.execute(suffix, {"b_id": mid, "b_suffix": link.suffix or None})
        # the meeting page, once read, is the authority for date, time and status
        conn.execute(_listed(bool(link.cancelled)), {"b_id": mid, "b_date": link.date, "b_time": link.time})


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
        update(meetings)
        .where(meetings.c.id == mid)
        .values(
            date=page.date,
            time=page.time,
            status=page.status,
            venue=page.venue,
            title=page.title,
            date_modified=page.date_modified,
        )
    )
    in_order: list[int] = []  # page.items' rows, in page order: their documents hang off them
    for parsed in page.items:
        in_order.append(_agenda_item(conn, mid, parsed, page_version_id, now, result))
    seen = set(in_order)
    for item_id, removed_at in conn.execute(
        select(items.c.id, items.c.removed_at).where(items.c.meeting_id == mid)
    ).all():
        if item_id in seen and removed_at is not None:
            conn.execute(update(items).where(items.c.id == item_id).values(removed_at=None))
        elif item_id not in seen and removed_at is None:
            conn.execute(update(items).where(items.c.id == item_id).values(removed_at=now))
    return mid, in_order


def _agenda_item(conn, meeting_id: int, parsed: ParsedItem, page_version_id: int, now, result) -> int:
    key = f"AI{parsed.ai_id}" if parsed.ai_id is not None else f"row:{parsed.number}"
    item_id, created = upsert(
        conn,
        items,
        {"meeting_id": meeting_id, "item_key": key},
        {"ai_id": parsed.ai_id, "first_seen": now},
        {"last_seen": now},
    )
    result.new_rows += created
    content = (parsed.number, parsed.title, parsed.minutes_html, parsed.decision_html, parsed.full_text_url)
    _, created = advance(
        conn,
        item_versions,
        "agenda_item_id",
        item_id,
        "fingerprint",
        fingerprint(*content),
        now,
        page_version_id=page_version_id,
        number=parsed.number,
        title=parsed.title,
        minutes_html=parsed.minutes_html,
        minutes_text=parsed.minutes_text,
        decision_html=parsed.decision_html,
        decision_text=parsed.decision_text,
        full_text_url=parsed.full_text_url,
    )
    result.new_versions += created
    return item_id


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
