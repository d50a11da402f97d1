"""What the spider hands to the pipeline: one item per fetched URL, parsed content attached.

One item per fetch keeps the archive's unit of work simple: the storage stage writes each item
whole, in one transaction (blob first, then the rows that point at it; several items may share it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crawler.pages import CommitteeLink, DocumentLink, MeetingList, MeetingPage


@dataclass
class Fetch:
    """One HTTP exchange as it happened: what the fetch log and the blob store record."""

    url: str  # the URL requested (the page's identity), before any redirect
    fetched_at: datetime
    final_url: str | None = None  # where redirects ended, when elsewhere
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    content_type: str | None = None
    error: str | None = None
    sha256: str | None = None  # set by the capture stage once the blob is safely on disk

    @property
    def ok(self) -> bool:
        return self.error is None and self.body is not None

    @property
    def not_modified(self) -> bool:
        """A 304 to a conditional request: the version we hold is still current."""
        return self.status == 304 and self.error is None


@dataclass
class PageItem:
    """An HTML page of the site, with whatever the spider parsed from it."""

    council: str
    fetch: Fetch
    page_kind: str  # committee_list | meeting_list | meeting | doc_pack
    committees: list[CommitteeLink] = field(default_factory=list)
    meeting_list: MeetingList | None = None
    meeting: MeetingPage | None = None
    meeting_url: str | None = None
    parsed: Any = None  # minutes and references of a meeting page (set by the parse stage)
    parser_version: str | None = None  # of ``parsed``
    stage_error: str | None = None  # a stage could not do its work (the blob store was full, say)
    warnings: list[str] = field(default_factory=list)  # what a stage left undone (parsing timed out)


@dataclass
class DocumentItem:
    """A document linked from a meeting page (PDF or other), fetched or failed."""

    council: str
    fetch: Fetch
    link: DocumentLink
    meeting_url: str
    extraction: Any = None  # raw text of the bytes (set by the extract stage, only for bytes never extracted)
    clean_pages: list[str] | None = None  # that text repaired, page by page (set by the parse stage)
    parsed: Any = None  # minutes and references found in it (set by the parse stage)
    parser_version: str | None = None  # of ``clean_pages`` and ``parsed``
    ocr: Any = None  # OCR of the pages with no usable text (``--ocr``): an extraction of its own
    ocr_parsed: Any = None  # (repaired pages, minutes and references) of ``ocr``, by the parse stage
    stage_error: str | None = None  # a stage could not do its work (the blob store was full, say)
    warnings: list[str] = field(default_factory=list)  # what a stage left undone (parsing timed out)
