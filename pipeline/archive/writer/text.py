"""Extracted text: one row per (bytes, extractor version), its pages raw and repaired, indexed for
search, and the minutes detected in it."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select

from pipeline.archive.models import TextExtraction, TextPage
from pipeline.archive.writer import detected, search_index
from pipeline.archive.writer.sql import insert_ignore

extractions = TextExtraction.__table__
text_pages = TextPage.__table__


# Built once: the crawl asks this for every document it fetches (a third of the cost is building it).
_EXISTS = (
    select(extractions.c.id)
    .where(
        extractions.c.sha256 == bindparam("sha256"),
        extractions.c.extractor == bindparam("extractor"),
        extractions.c.extractor_version == bindparam("version"),
    )
    .limit(1)
)


def exists(conn: Connection, sha256: str, extractor: str, version: str) -> bool:
    found = conn.scalar(_EXISTS, {"sha256": sha256, "extractor": extractor, "version": version})
    return found is not None


def store(
    conn: Connection,
    sha256: str,
    extraction,
    clean_pages: list[str] | None,
    parsed,
    parser_version: str | None,
    now: datetime,
    council_id: int,
    meeting: tuple | None,
) -> None:
    """Record one extraction (once: the same bytes may arrive twice in a run, or from two writers)."""
    ok = extraction.status != "failed"
    new_id = insert_ignore(
        conn,
        extractions,
        ["sha256", "extractor", "extractor_version"],
        sha256=sha256,
        extractor=extraction.extractor,
        extractor_version=extraction.extractor_version,
        status=extraction.status,
        error=extraction.error,
        pages=len(extraction.pages),
        # of the raw text: equal text, equal hash, whatever the repairs of the day
        text_sha256=hashlib.sha256(extraction.text.encode()).hexdigest() if ok else None,
        created_at=now,
        parser_version=parser_version if clean_pages is not None else None,
    )
    if new_id is None:
        return
    clean = clean_pages if clean_pages is not None else [p.text for p in extraction.pages]
    committee_id, meeting_date = (meeting[1], meeting[2]) if meeting else (None, None)
    for p, text in zip(extraction.pages, clean, strict=True):
        page_id = conn.execute(
            insert(text_pages)
            .values(extraction_id=new_id, page_no=p.number, text=text, raw_text=p.text, needs_ocr=p.needs_ocr)
            .returning(text_pages.c.id)
        ).scalar_one()
        if text:
            search_index.index(conn, "page", page_id, council_id, committee_id, meeting_date, None, text)
    if parsed is not None:
        detected.store(conn, parsed, parser_version, extraction_id=new_id)
