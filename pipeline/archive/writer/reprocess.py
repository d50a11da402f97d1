"""`council-archive reprocess`: bring an archive's derived rows up to the current parser, offline.

For each council: every extracted text and every meeting page version whose rows were made by
another parser version (or under another profile) is parsed again from what the archive stores
(the raw extracted text, the page's bytes in the blob store): its repaired text, search index rows
and detected minutes and references are replaced. Then the council is derived again (minutes
linked, orphans dropped, references resolved), so the archive ends as a fresh crawl with the new
parser would leave it, without a single request. Streams: one source per transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine, select, update

from crawler.cmis_pages import NotCmis
from crawler.cmis_pages import parse_meeting as read_cmis_meeting
from crawler.moderngov_pages import NotModernGov
from crawler.moderngov_pages import parse_meeting_page as read_meeting_page
from pipeline.archive.blobs import BlobStore
from pipeline.archive.models import (
    Council,
    Document,
    DocumentVersion,
    Meeting,
    Page,
    PageVersion,
    TextExtraction,
    TextPage,
)
from pipeline.archive.writer import derive, detected, reextract, search_index
from pipeline.parse import document as parsing
from pipeline.parse import parser_version
from pipeline.parse.profile import Profile

BATCH = 200
PAGE_READERS = {"moderngov": read_meeting_page, "cmis": read_cmis_meeting}  # by councils.platform

councils = Council.__table__
extractions = TextExtraction.__table__
text_pages = TextPage.__table__
documents = Document.__table__
doc_versions = DocumentVersion.__table__
pages = Page.__table__
page_versions = PageVersion.__table__
meetings = Meeting.__table__


@dataclass
class ReprocessStats:
    texts: int = 0
    pages: int = 0
    extracted: dict[str, int] = field(default_factory=dict)  # engine -> texts it added (--extractor, --ocr)
    failed: list[str] = field(default_factory=list)
    derived: dict[str, derive.DeriveStats] = field(default_factory=dict)


class UnknownCouncil(ValueError):
    pass


def council_profile(engine: Engine, council_id: int) -> Profile:
    with engine.connect() as conn:
        convention = conn.scalar(select(councils.c.year_convention).where(councils.c.id == council_id))
    return Profile(year_convention=convention or "municipal")


def reprocess(
    engine: Engine,
    blobs: BlobStore,
    council: str | None = None,
    profiles: dict[str, Profile] | None = None,
    log: Callable[[str], None] = lambda _: None,
    pools: tuple = (),
) -> ReprocessStats:
    """``profiles``: councils' profiles as the registry now sets them; they replace the archive's.
    ``pools``: extraction pools whose engine should have read every stored PDF (reextract.py)."""
    stats = ReprocessStats()
    with engine.connect() as conn:
        q = select(councils.c.id, councils.c.slug).order_by(councils.c.slug)
        if council:
            q = q.where(councils.c.slug == council)
        targets = conn.execute(q).all()
    if council and not targets:
        raise UnknownCouncil(f"unknown council {council!r} (not in this archive)")
    for council_id, slug in targets:
        profile = (profiles or {}).get(slug)
        if profile is not None:
            with engine.begin() as conn:
                conn.execute(
                    update(councils)
                    .where(councils.c.id == council_id)
                    .values(
                        year_convention=profile.year_convention, year_convention_set=profile.year_convention
                    )
                )
        profile = council_profile(engine, council_id)
        version = parser_version(profile)
        for pool in pools:  # before the derive, which links the minutes of the new texts
            added = reextract.missing_text(
                engine, blobs, council_id, pool, profile, version, stats.failed, log
            )
            stats.extracted[pool.extractor.NAME] = stats.extracted.get(pool.extractor.NAME, 0) + added
        texts = _stale_texts(engine, council_id, version, stats, profile)
        page_count = _stale_pages(engine, blobs, council_id, version, stats, profile)
        stats.derived[slug] = derive.derive(engine, council_id, profile)
        log(f"{slug}: {texts} texts and {page_count} meeting pages parsed again")
    return stats


def _stale_texts(
    engine: Engine, council_id: int, version: str, stats: ReprocessStats, profile: Profile
) -> int:
    done = 0
    after = 0
    while True:
        with engine.connect() as conn:
            batch = conn.execute(
                select(extractions.c.id, extractions.c.status)
                .where(
                    extractions.c.id > after,
                    extractions.c.sha256.in_(
                        select(doc_versions.c.sha256)
                        .join(documents, documents.c.id == doc_versions.c.document_id)
                        .where(documents.c.council_id == council_id)
                    ),
                    (extractions.c.parser_version != version) | extractions.c.parser_version.is_(None),
                )
                .order_by(extractions.c.id)
                .limit(BATCH)
            ).all()
        if not batch:
            return done
        for extraction_id, status in batch:
            _reparse_text(engine, extraction_id, status, version, profile, council_id)
            done += 1
            stats.texts += 1
        after = batch[-1][0]


def _reparse_text(
    engine: Engine, extraction_id: int, status: str, version: str, profile: Profile, council_id
) -> None:
    with engine.begin() as conn:
        rows = conn.execute(
            select(text_pages.c.id, text_pages.c.text, text_pages.c.raw_text)
            .where(text_pages.c.extraction_id == extraction_id)
            .order_by(text_pages.c.page_no)
        ).all()
        if rows and all(r.raw_text is not None for r in rows):
            clean, parsed = parsing.parse_pages([r.raw_text for r in rows], profile)
            meeting = _meeting_of_text(conn, extraction_id, council_id)
            for r, text in zip(rows, clean, strict=True):
                if text != r.text:
                    conn.execute(update(text_pages).where(text_pages.c.id == r.id).values(text=text))
                    if text:
                        search_index.index(conn, "page", r.id, council_id, meeting[0], meeting[1], None, text)
                    else:
                        search_index.unindex(conn, "page", r.id)
        else:  # archived before raw text was kept: the repaired text is all there is
            parsed = parsing.parse_text("\f".join(r.text for r in rows), profile)
        detected.drop(conn, extraction_id=extraction_id)
        if status == "ok":
            detected.store(conn, parsed, version, extraction_id=extraction_id)
        conn.execute(
            update(extractions).where(extractions.c.id == extraction_id).values(parser_version=version)
        )


def _meeting_of_text(conn, extraction_id: int, council_id: int) -> tuple:
    """(committee id, date) of the meeting of the first document with this text: how it is indexed."""
    row = conn.execute(
        select(meetings.c.committee_id, meetings.c.date)
        .select_from(extractions)
        .join(doc_versions, doc_versions.c.sha256 == extractions.c.sha256)
        .join(documents, documents.c.id == doc_versions.c.document_id)
        .join(meetings, meetings.c.id == documents.c.meeting_id)
        .where(extractions.c.id == extraction_id, documents.c.council_id == council_id)
        .order_by(documents.c.id)
        .limit(1)
    ).first()
    return tuple(row) if row else (None, None)


def _stale_pages(
    engine: Engine, blobs: BlobStore, council_id: int, version: str, stats: ReprocessStats, profile: Profile
) -> int:
    done = 0
    after = 0
    with engine.connect() as conn:
        platform = conn.scalar(select(councils.c.platform).where(councils.c.id == council_id))
    read_page = PAGE_READERS.get(platform, read_meeting_page)  # the platform's own page parser
    while True:
        with engine.connect() as conn:
            batch = conn.execute(
                select(page_versions.c.id, page_versions.c.sha256, pages.c.url)
                .join(pages, pages.c.id == page_versions.c.page_id)
                .where(
                    pages.c.council_id == council_id,
                    pages.c.kind == "meeting",
                    page_versions.c.id > after,
                    (page_versions.c.parser_version != version) | page_versions.c.parser_version.is_(None),
                )
                .order_by(page_versions.c.id)
                .limit(BATCH)
            ).all()
        if not batch:
            return done
        for version_id, sha256, url in batch:
            try:
                html = blobs.get(sha256).decode("utf-8", errors="replace")
            except OSError as exc:
                stats.failed.append(f"{url}: blob {sha256[:12]} unreadable ({exc.strerror})")
                continue
            try:
                parsed = parsing.parse_meeting_page(read_page(html, url), profile)
            except (NotModernGov, NotCmis):
                parsed = None
            with engine.begin() as conn:
                detected.drop(conn, page_version_id=version_id)
                if parsed is not None:
                    detected.store(conn, parsed, version, page_version_id=version_id)
                conn.execute(
                    update(page_versions)
                    .where(page_versions.c.id == version_id)
                    .values(parser_version=version)
                )
            done += 1
            stats.pages += 1
        after = batch[-1][0]
