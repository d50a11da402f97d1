"""`reprocess --extractor NAME` / `--ocr`: the text an archive lacks, extracted from its stored bytes.

Every PDF of a council with no extraction by the pool's engine (and version) is read from the blob
store, extracted in the caller's pool (pipeline.extract, the crawl's way: time limit, memory cap),
parsed, and stored in one transaction like a crawl's (``text.store``): the texts already there stay,
so a document extracted by two engines keeps both. For OCR only the pages an earlier extraction
could not give (flagged ``needs_ocr``, or empty) are read. The derive that follows links the minutes.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, select

from pipeline.archive.blobs import BlobStore
from pipeline.archive.models import Document, DocumentVersion, Meeting, TextExtraction, TextPage
from pipeline.archive.writer import text
from pipeline.archive.writer.sql import utcnow
from pipeline.extract.engines import OCR
from pipeline.extract.result import is_pdf
from pipeline.parse import document as parsing
from pipeline.parse.profile import Profile

BATCH = 200

extractions = TextExtraction.__table__
text_pages = TextPage.__table__
documents = Document.__table__
doc_versions = DocumentVersion.__table__
meetings = Meeting.__table__


def missing_text(
    engine: Engine,
    blobs: BlobStore,
    council_id: int,
    pool,
    profile: Profile,
    parser_version: str,
    failed: list[str],
    log: Callable[[str], None] = lambda _: None,
) -> int:
    """Extract what ``pool``'s engine has not; returns how many texts were stored."""
    name, version = pool.extractor.NAME, pool.extractor.VERSION
    ocr = name == OCR
    done, after, seen = 0, 0, set()
    while True:
        batch = _candidates(engine, council_id, name, version, ocr, after)
        if not batch:
            return done
        after = batch[-1][0]
        for extraction_id, sha256 in batch:
            if sha256 in seen:  # read by two engines already: one new text is enough
                continue
            seen.add(sha256)
            pages = _pages_needing_ocr(engine, extraction_id) if ocr else None
            if ocr and not pages:
                continue
            try:
                data = blobs.get(sha256)
            except OSError as exc:
                failed.append(f"blob {sha256[:12]} unreadable ({exc.strerror})")
                continue
            if not is_pdf(data):
                continue
            extraction = pool.extract(data, pages=pages) if ocr else pool.extract(data)
            clean, parsed = parsing.parse_pages([p.text for p in extraction.pages], profile)
            with engine.begin() as conn:
                text.store(
                    conn,
                    sha256,
                    extraction,
                    clean,
                    parsed if extraction.status == "ok" else None,
                    parser_version,
                    utcnow(),
                    council_id,
                    _meeting_of(conn, sha256, council_id),
                )
            done += 1
            if done % 100 == 0:
                log(f"{done} texts extracted with {name}")


def _candidates(engine: Engine, council_id: int, name: str, version: str, ocr: bool, after: int):
    """(extraction id, sha256) of the council's bytes some other engine read, in id order."""
    mine = select(extractions.c.sha256).where(
        extractions.c.extractor == name, extractions.c.extractor_version == version
    )
    council_bytes = (
        select(doc_versions.c.sha256)
        .join(documents, documents.c.id == doc_versions.c.document_id)
        .where(documents.c.council_id == council_id)
    )
    q = select(extractions.c.id, extractions.c.sha256).where(
        extractions.c.id > after,
        extractions.c.extractor != OCR,
        extractions.c.sha256.in_(council_bytes),
        extractions.c.sha256.not_in(mine),
    )
    if ocr:  # a text layer that failed to open will not render either
        q = q.where(extractions.c.status != "failed")
    with engine.connect() as conn:
        return conn.execute(q.order_by(extractions.c.id).limit(BATCH)).all()


def _pages_needing_ocr(engine: Engine, extraction_id: int) -> list[int]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(text_pages.c.page_no, text_pages.c.raw_text, text_pages.c.text, text_pages.c.needs_ocr)
            .where(text_pages.c.extraction_id == extraction_id)
            .order_by(text_pages.c.page_no)
        ).all()
    return [r.page_no for r in rows if r.needs_ocr or not (r.raw_text or r.text or "").strip()]


def _meeting_of(conn, sha256: str, council_id: int) -> tuple | None:
    """(meeting id, committee id, date) of the first document with these bytes: how it is indexed."""
    row = conn.execute(
        select(meetings.c.id, meetings.c.committee_id, meetings.c.date)
        .select_from(doc_versions)
        .join(documents, documents.c.id == doc_versions.c.document_id)
        .join(meetings, meetings.c.id == documents.c.meeting_id)
        .where(doc_versions.c.sha256 == sha256, documents.c.council_id == council_id)
        .order_by(documents.c.id)
        .limit(1)
    ).first()
    return tuple(row) if row else None
