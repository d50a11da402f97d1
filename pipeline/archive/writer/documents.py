"""Documents linked from meeting pages: identity (council + URL, or council + key where the site
re-publishes a document under a new URL: CMIS), append-only versions by sha256, and tombstones when
a document stops being linked (restorations when it comes back)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, and_, bindparam, exists, func, insert, select, update
from sqlalchemy.orm import aliased

from crawler.items import DocumentItem
from crawler.pages import DocumentLink
from pipeline.archive.models import Document, DocumentEvent, DocumentVersion, TextExtraction
from pipeline.archive.writer.sql import advance, cached, insert_ignore, touch_last_seen, upsert

documents = Document.__table__
versions = DocumentVersion.__table__
events = DocumentEvent.__table__
extractions = TextExtraction.__table__


def document(
    conn: Connection,
    council_id: int,
    link: DocumentLink,
    meeting_id: int | None,
    now: datetime,
    result,
    agenda_item_id: int | None = None,
    seen: bool = False,
) -> int:
    """The document's id (its row locked until commit); ``seen``: it was fetched now (last_seen)."""
    values = {
        "title": link.title,
        "kind": link.kind,
        "meeting_id": meeting_id,
        "agenda_item_id": agenda_item_id,
        "first_seen": now,
        "last_seen": now,
    }
    if link.key:
        doc_id, created = _keyed(conn, council_id, link, values)
        if not created and meeting_id is not None:
            conn.execute(_fill_meeting(), {"b_id": doc_id, "b_meeting": meeting_id})
        if not created and seen:
            conn.execute(_seen(), {"b_id": doc_id, "b_now": now})
    else:
        doc_id, created = _by_url(conn, council_id, link.url, meeting_id, now if seen else None, values)
    result.new_rows += created
    return doc_id


def _by_url(conn, council_id: int, url: str, meeting_id, seen, values: dict) -> tuple[int, bool]:
    """``upsert`` by URL, with the existing row's meeting (when it had none) and last_seen filled
    in by the same UPDATE that finds and locks it: one statement for a document already known."""

    def build():
        meeting = bindparam("b_meeting", type_=documents.c.meeting_id.type)
        fill = {"meeting_id": func.coalesce(documents.c.meeting_id, meeting)}
        if seen is not None:
            fill["last_seen"] = bindparam("b_now", type_=documents.c.last_seen.type)
        return (
            update(documents)
            .where(documents.c.council_id == bindparam("b_council"), documents.c.url == bindparam("b_url"))
            .values(fill)
            .returning(documents.c.id)
        )

    stmt = cached(("document_by_url", seen is not None), build)
    params = {"b_council": council_id, "b_url": url, "b_meeting": meeting_id, "b_now": seen}
    for _ in range(3):  # as upsert: found, or inserted, or found after another writer inserted it
        found = conn.execute(stmt, params).scalar()
        if found is not None:
            return found, False
        new = insert_ignore(conn, documents, ["council_id", "url"], council_id=council_id, url=url, **values)
        if new is not None:
            return new, True
    raise RuntimeError(f"document {url}: row neither found nor inserted")


def _fill_meeting():
    return cached(
        ("document_meeting",),
        lambda: (
            update(documents)
            .where(documents.c.id == bindparam("b_id"), documents.c.meeting_id.is_(None))
            .values(meeting_id=bindparam("b_meeting"))
        ),
    )


def _seen():
    return cached(
        ("document_seen",),
        lambda: (
            update(documents)
            .where(documents.c.id == bindparam("b_id"))
            .values(last_seen=bindparam("b_now", type_=documents.c.last_seen.type))
        ),
    )


def _keyed(conn: Connection, council_id: int, link: DocumentLink, values: dict) -> tuple[int, bool]:
    """The document of ``link.key``; its ``url`` follows the latest link (the token of tonight)."""
    other = aliased(Document)
    taken = exists().where(other.council_id == council_id)
    # A row archived by this very URL before keys existed becomes the keyed row (no duplicate).
    conn.execute(
        update(documents)
        .where(
            documents.c.council_id == council_id,
            documents.c.url == link.url,
            documents.c.doc_key.is_(None),
            ~taken.where(other.doc_key == link.key),
        )
        .values(doc_key=link.key)
    )
    doc_id, created = upsert(
        conn, documents, {"council_id": council_id, "doc_key": link.key}, {"url": link.url, **values}
    )
    if not created:  # re-published under a new token: the same document, found at its new URL
        conn.execute(
            update(documents)
            .where(
                documents.c.id == doc_id,
                documents.c.url != link.url,
                ~taken.where(and_(other.url == link.url, other.id != doc_id)),
            )
            .values(url=link.url)
        )
    return doc_id, created


def linked_from_page(
    conn: Connection,
    council_id: int,
    meeting_id: int,
    links: list[tuple[DocumentLink, int | None]],
    page_version_id: int,
    now: datetime,
    result,
) -> None:
    """The documents a meeting page links (each with its agenda item's id, or None), and tombstones
    for those it no longer does."""
    linked = set()
    for link, item_id in links:
        linked.add(document(conn, council_id, link, meeting_id, now, result, agenda_item_id=item_id))
    for doc_id, removed_at in conn.execute(
        select(documents.c.id, documents.c.removed_at).where(documents.c.meeting_id == meeting_id)
    ).all():
        if doc_id in linked and removed_at is not None:
            values, event = {"removed_at": None}, "restored"
        elif doc_id not in linked and removed_at is None:
            values, event = {"removed_at": now}, "removed"
        else:
            continue
        conn.execute(update(documents).where(documents.c.id == doc_id).values(**values))
        conn.execute(
            insert(events).values(document_id=doc_id, event=event, at=now, page_version_id=page_version_id)
        )
        result.new_versions += 1


def fetched(conn: Connection, doc_id: int, item: DocumentItem, fetch_id: int, now: datetime, result) -> None:
    """A fetch of the document (its last_seen already moved by ``document(seen=True)``): a 304 or a
    re-fetch of the same bytes moves the version's last_seen, new bytes are a new version."""
    if item.fetch.not_modified:
        latest = conn.scalar(
            select(versions.c.id)
            .where(versions.c.document_id == doc_id)
            .order_by(versions.c.id.desc())
            .limit(1)
        )
        if latest is not None:
            touch_last_seen(conn, versions, latest, now)
        return
    if not item.fetch.ok:
        return
    sha256 = item.fetch.sha256
    _, created = advance(
        conn,
        versions,
        "document_id",
        doc_id,
        "sha256",
        sha256,
        now,
        # the version it follows is the latest advance just read: compared there, in the INSERT
        from_previous=lambda previous: {"same_text_as_previous": _same_text(conn, previous, sha256)},
        size=len(item.fetch.body),
        content_type=item.fetch.content_type,
        fetched_url=_fetched_url(item),
        fetch_id=fetch_id,
    )
    result.new_versions += created


def _same_text(conn: Connection, previous: str, sha256: str) -> bool | None:
    """Did only the bytes change? (Compared on the text hash; None when either text is unknown.)"""
    hashes: dict[str, dict[str, str]] = {previous: {}, sha256: {}}  # bytes -> engine -> text hash
    for sha, extractor, text_sha in conn.execute(
        select(extractions.c.sha256, extractions.c.extractor, extractions.c.text_sha256).where(
            extractions.c.sha256.in_([previous, sha256]), extractions.c.text_sha256.is_not(None)
        )
    ).all():
        hashes[sha][extractor] = text_sha
    both = hashes[previous].keys() & hashes[sha256].keys()  # texts of one engine only compare
    if not both:
        return None
    return all(hashes[previous][e] == hashes[sha256][e] for e in both)


def _fetched_url(item: DocumentItem) -> str | None:
    """Where the bytes really came from, when not the document's own link (doc packs, redirects);
    always for a document known by key, whose link (a CMIS token) is tonight's, not this version's."""
    where = item.fetch.final_url or item.fetch.url
    return where if where != item.link.url or item.link.key else None
