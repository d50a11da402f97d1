"""`council-archive history URL` and `diff URL`: every version of a document or page. Read-only."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime

from parsel import Selector
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from pipeline.archive.blobs import BlobStore
from pipeline.archive.models import (
    Document,
    DocumentEvent,
    DocumentVersion,
    Page,
    PageVersion,
    TextExtraction,
    TextPage,
)
from pipeline.extract import engine as extractor_engine

EXTRACTOR = extractor_engine()  # the default extractor's text is what history and diff show


class UnknownURL(ValueError):
    pass


@dataclass
class Version:
    n: int
    sha256: str
    size: int
    first_seen: datetime
    last_seen: datetime
    pages: int | None
    text_status: str
    same_text_as_previous: bool | None = None


@dataclass
class History:
    url: str
    kind: str  # document | page
    versions: list[Version]
    events: list[tuple[str, datetime]]  # (removed|restored, when)
    removed_at: datetime | None = None


def history(engine: Engine, url: str) -> History:
    with Session(engine) as conn:
        doc = conn.scalars(select(Document).where(Document.url == url)).first()
        if doc is None:  # an earlier link of a re-published document (a CMIS token of last year)
            doc = conn.scalars(
                select(Document)
                .join(DocumentVersion, DocumentVersion.document_id == Document.id)
                .where(Document.doc_key.is_not(None), DocumentVersion.fetched_url == url)
            ).first()
        if doc is not None:
            rows = conn.execute(
                select(DocumentVersion, TextExtraction.pages, TextExtraction.status)
                .outerjoin(
                    TextExtraction,
                    (TextExtraction.sha256 == DocumentVersion.sha256)
                    & (TextExtraction.extractor == EXTRACTOR.NAME)
                    & (TextExtraction.extractor_version == EXTRACTOR.VERSION),
                )
                .where(DocumentVersion.document_id == doc.id)
                .order_by(DocumentVersion.id)
            ).all()
            versions = [
                Version(
                    n + 1,
                    r.DocumentVersion.sha256,
                    r.DocumentVersion.size,
                    r.DocumentVersion.first_seen,
                    r.DocumentVersion.last_seen,
                    r.pages,
                    r.status or "pending",
                    r.DocumentVersion.same_text_as_previous,
                )
                for n, r in enumerate(rows)
            ]
            events = [
                (e.event, e.at)
                for e in conn.scalars(
                    select(DocumentEvent)
                    .where(DocumentEvent.document_id == doc.id)
                    .order_by(DocumentEvent.id)
                )
            ]
            return History(url, "document", versions, events, doc.removed_at)
        page = conn.scalars(select(Page).where(Page.url == url)).first()
        if page is None:
            raise UnknownURL(f"no document or page with URL {url!r} in this archive")
        rows = conn.execute(
            select(PageVersion).where(PageVersion.page_id == page.id).order_by(PageVersion.id)
        ).scalars()
        versions = [
            Version(n + 1, v.sha256, v.size, v.first_seen, v.last_seen, None, "html")
            for n, v in enumerate(rows)
        ]
        return History(url, "page", versions, [])


def version_text(engine: Engine, blobs: BlobStore, kind: str, version: Version) -> str:
    """The text of one version: extracted pages of a document, the visible text of a page."""
    sha256 = version.sha256
    if kind == "page":
        try:
            html = blobs.get(sha256).decode("utf-8", errors="replace")
        except OSError:
            raise UnknownURL(
                f"version {version.n} ({sha256[:12]}) is missing from the blob store {blobs.root}: "
                "restore it from a backup"
            ) from None
        root = Selector(text=html).css("div#modgov") or Selector(text=html).css("body")
        parts = root.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]").getall()
        return "\n".join(" ".join(p.split()) for p in parts if p.strip())
    with engine.connect() as conn:
        pages = conn.execute(
            select(TextPage.page_no, TextPage.text)
            .join(TextExtraction, TextExtraction.id == TextPage.extraction_id)
            .where(
                TextExtraction.sha256 == sha256,
                TextExtraction.extractor == EXTRACTOR.NAME,
                TextExtraction.extractor_version == EXTRACTOR.VERSION,
            )
            .order_by(TextPage.page_no)
        ).all()
    if version.text_status != "ok" and not any(p.text for p in pages):
        raise UnknownURL(
            f"version {version.n} ({sha256[:12]}) has no text to compare ({version.text_status})"
        )
    return "\n".join(f"--- page {p.page_no} ---\n{p.text}" for p in pages)


def diff(
    engine: Engine, blobs: BlobStore, url: str, from_sha: str | None = None, to_sha: str | None = None
) -> str:
    h = history(engine, url)
    if len(h.versions) < 2 and not (from_sha and to_sha):
        raise UnknownURL(f"{url} has {len(h.versions)} version(s): nothing to compare")

    def pick(prefix: str | None, default: Version) -> Version:
        if prefix is None:
            return default
        matches = [v for v in h.versions if v.sha256.startswith(prefix.lower())]
        if len(matches) != 1:
            raise UnknownURL(f"{prefix!r} matches {len(matches)} versions of {url}")
        return matches[0]

    a = pick(from_sha, h.versions[-2] if len(h.versions) > 1 else h.versions[0])
    b = pick(to_sha, h.versions[-1])
    old, new = (version_text(engine, blobs, h.kind, v).splitlines() for v in (a, b))
    return "\n".join(
        difflib.unified_diff(
            old,
            new,
            f"version {a.n} {a.sha256[:12]} ({a.first_seen:%Y-%m-%d})",
            f"version {b.n} {b.sha256[:12]} ({b.first_seen:%Y-%m-%d})",
            lineterm="",
        )
    )
