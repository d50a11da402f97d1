"""A meeting page's agenda items and their append-only versions, a few statements per page
(not four per item): one SELECT of the meeting's rows, one executemany per kind of change.

The caller holds the meeting row's lock (``site._meeting``: ``upsert``), under which all of a
meeting's items are written, so nothing read here changes before commit. The result is the one the
row-at-a-time ``upsert`` + ``advance`` gives: items in page order, a duplicate key on the page
being the same row, and a version appended only when an item differs from its latest one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, case, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from crawler.pages import AgendaItem as ParsedItem
from pipeline.archive.models import AgendaItem, AgendaItemVersion
from pipeline.archive.writer.sql import cached, fingerprint, upsert

items = AgendaItem.__table__
versions = AgendaItemVersion.__table__


def store(
    conn: Connection, meeting_id: int, parsed: list[ParsedItem], page_version_id: int, now: datetime, result
) -> list[int]:
    """The ids of ``parsed`` in order; items the page no longer shows are marked removed."""
    keys = [_key(p) for p in parsed]
    rows = {
        key: (item_id, removed_at)
        for item_id, key, removed_at in conn.execute(_rows(), {"b_meeting": meeting_id})
    }
    ids = {key: row[0] for key, row in rows.items()}
    new: dict[str, ParsedItem] = {}
    for key, p in zip(keys, parsed, strict=True):
        if key not in ids:
            new.setdefault(key, p)  # a key shown twice is one row
    if new:
        inserted, created = _insert(conn, meeting_id, new, now)
        ids.update(inserted)
        result.new_rows += created
    seen = {ids[k] for k in keys}
    old = [{"b_id": item_id, "b_now": now} for key, (item_id, _) in rows.items() if item_id in seen]
    if old:  # still shown: last seen now, and back if it had gone
        conn.execute(_seen(), old)
    gone = [
        {"b_id": item_id, "b_now": now}
        for item_id, removed in rows.values()
        if item_id not in seen and removed is None
    ]
    if gone:
        conn.execute(_removed(), gone)
    latest = dict(_latest(conn, meeting_id)) if old else {}  # item id -> (version id, fingerprint)
    append, touch = [], set()
    for key, p in zip(keys, parsed, strict=True):
        item_id = ids[key]
        content = fingerprint(p.number, p.title, p.minutes_html, p.decision_html, p.full_text_url)
        known = latest.get(item_id)
        if known is not None and known[1] == content:
            if known[0] is not None:
                touch.add(known[0])
            continue
        latest[item_id] = (None, content)  # a version appended now: already last seen now
        append.append(_version(item_id, p, content, page_version_id, now))
    if append:
        conn.execute(insert(versions), append)
        result.new_versions += len(append)
    if touch:
        conn.execute(_touch_version(), [{"b_id": v, "b_now": now} for v in sorted(touch)])
    return [ids[k] for k in keys]


def _key(p: ParsedItem) -> str:
    return f"AI{p.ai_id}" if p.ai_id is not None else f"row:{p.number}"


def _insert(
    conn: Connection, meeting_id: int, new: dict[str, ParsedItem], now: datetime
) -> tuple[dict[str, int], int]:
    """(ids of the new items, how many were created): one multi-row INSERT; a key another writer
    got in first is upserted."""

    def build():
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        stmt = dialect.insert(items).on_conflict_do_nothing(index_elements=["meeting_id", "item_key"])
        return stmt.returning(items.c.id, items.c.item_key)

    stmt = cached(("agenda_insert", conn.dialect.name), build)
    values = [
        {"meeting_id": meeting_id, "item_key": k, "ai_id": p.ai_id, "first_seen": now, "last_seen": now}
        for k, p in new.items()
    ]
    got = {key: item_id for item_id, key in conn.execute(stmt, values)}
    created = len(got)
    for key in new.keys() - got.keys():
        got[key], _ = upsert(
            conn, items, {"meeting_id": meeting_id, "item_key": key}, touch={"last_seen": now}
        )
    return got, created


def _version(item_id: int, p: ParsedItem, content: str, page_version_id: int, now: datetime) -> dict:
    return {
        "agenda_item_id": item_id,
        "page_version_id": page_version_id,
        "number": p.number,
        "title": p.title,
        "minutes_html": p.minutes_html,
        "minutes_text": p.minutes_text,
        "decision_html": p.decision_html,
        "decision_text": p.decision_text,
        "full_text_url": p.full_text_url,
        "fingerprint": content,
        "first_seen": now,
        "last_seen": now,
    }


def _rows():
    return cached(
        ("agenda_rows",),
        lambda: select(items.c.id, items.c.item_key, items.c.removed_at).where(
            items.c.meeting_id == bindparam("b_meeting")
        ),
    )


def _latest(conn: Connection, meeting_id: int):
    """(item id, (id, fingerprint) of its latest version) for each item of the meeting."""

    def build():
        newest = (
            select(func.max(versions.c.id))
            .join(items, items.c.id == versions.c.agenda_item_id)
            .where(items.c.meeting_id == bindparam("b_meeting"))
            .group_by(versions.c.agenda_item_id)
        )
        return select(versions.c.agenda_item_id, versions.c.id, versions.c.fingerprint).where(
            versions.c.id.in_(newest.scalar_subquery())
        )

    for item_id, version_id, content in conn.execute(
        cached(("agenda_latest",), build), {"b_meeting": meeting_id}
    ):
        yield item_id, (version_id, content)


def _seen():
    return cached(
        ("agenda_seen",),
        lambda: (
            update(items)
            .where(items.c.id == bindparam("b_id"))
            .values(last_seen=bindparam("b_now", type_=items.c.last_seen.type), removed_at=None)
        ),
    )


def _removed():
    return cached(
        ("agenda_removed",),
        lambda: (
            update(items)
            .where(items.c.id == bindparam("b_id"))
            .values(removed_at=bindparam("b_now", type_=items.c.removed_at.type))
        ),
    )


def _touch_version():
    def build():
        at = bindparam("b_now", type_=versions.c.last_seen.type)
        later = case((versions.c.last_seen < at, at), else_=versions.c.last_seen)
        return update(versions).where(versions.c.id == bindparam("b_id")).values(last_seen=later)

    return cached(("agenda_touch_version",), build)
