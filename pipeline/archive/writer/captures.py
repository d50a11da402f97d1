"""Captures: the blob rows (bytes are on disk first), the fetch log (one row per request), and the
pages fetched, each with its append-only versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from crawler.items import Fetch, PageItem
from pipeline.archive.blobs import BlobStore
from pipeline.archive.models import Blob, FetchLog, Page, PageVersion
from pipeline.archive.writer.sql import advance, insert_ignore, insert_returning, upsert, utcnow

blobs_table = Blob.__table__
fetches = FetchLog.__table__
pages = Page.__table__
page_versions = PageVersion.__table__


def ensure_blob(conn: Connection, blobs: BlobStore, sha256: str, size: int, url: str) -> None:
    if not blobs.exists(sha256):  # the capture stage writes blobs before any row names them
        raise RuntimeError(f"blob {sha256} missing on disk for {url}")
    insert_ignore(conn, blobs_table, ["sha256"], sha256=sha256, size=size, stored_at=utcnow())


def log_fetch(conn: Connection, blobs: BlobStore, council_id: int, run_id: int | None, f: Fetch) -> int:
    if f.ok and f.sha256:
        ensure_blob(conn, blobs, f.sha256, len(f.body), f.url)
    row = {
        "run_id": run_id,
        "council_id": council_id,
        "url": f.url,
        "final_url": f.final_url,
        "status": f.status,
        "fetched_at": f.fetched_at,
        "content_type": f.content_type,
        "headers": f.headers or None,
        "sha256": f.sha256 if f.ok else None,
        "error": f.error,
    }
    return conn.execute(insert_returning(fetches), row).scalar_one()


def page_version(
    conn: Connection, council_id: int, item: PageItem, fetch_id: int, now: datetime, result
) -> tuple[int, bool]:
    """(version id, created) of the fetched page: a new version when its bytes changed."""
    page_id, created = upsert(
        conn,
        pages,
        {"council_id": council_id, "url": item.fetch.url},
        {"kind": item.page_kind, "first_seen": now},
        {"last_seen": now},
    )
    result.new_rows += created
    version_id, created = advance(
        conn,
        page_versions,
        "page_id",
        page_id,
        "sha256",
        item.fetch.sha256,
        now,
        size=len(item.fetch.body),
        fetch_id=fetch_id,
    )
    result.new_versions += created
    return version_id, created
