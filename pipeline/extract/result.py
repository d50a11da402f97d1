"""What an extractor returns: the raw text of each page of one byte string. Pure data."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_CID = re.compile(r"\(cid:\d+\)")
CID_OCR_THRESHOLD = 0.3  # share of (cid:NN) tokens above which a page needs OCR


@dataclass
class ExtractedPage:
    number: int  # 1-based
    text: str  # as the extractor gave it; repairs (pipeline.parse.cleanup) come later, and can be redone
    needs_ocr: bool = False


@dataclass
class Extraction:
    status: str  # ok | empty | failed
    pages: list[ExtractedPage] = field(default_factory=list)
    error: str | None = None
    extractor: str = ""
    extractor_version: str = ""

    @property
    def text(self) -> str:
        """The whole document, pages separated by form feeds (page numbers stay recoverable)."""
        return "\f".join(p.text for p in self.pages)


def is_pdf(data: bytes) -> bool:
    return data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n\x00").startswith(b"%PDF")


def cid_ratio(text: str) -> float:
    """Share of tokens that are ``(cid:NN)``: high means the font has no usable Unicode map."""
    tokens = len(text.split())
    return len(_CID.findall(text)) / tokens if tokens else 0.0


def finish(pages: list[str], extractor: str, version: str) -> Extraction:
    """Pages of raw text -> an Extraction: ``ok`` when any page has usable text, else ``empty``."""
    out = [
        ExtractedPage(i + 1, text.strip(), cid_ratio(text) > CID_OCR_THRESHOLD)
        for i, text in enumerate(pages)
    ]
    usable = any(p.text and not p.needs_ocr for p in out)
    return Extraction("ok" if usable else "empty", out, None, extractor, version)


def pages_needing_ocr(extraction: Extraction) -> list[int]:
    """Page numbers (1-based) whose text layer is missing or unusable (mostly ``(cid:NN)``)."""
    return [p.number for p in extraction.pages if p.needs_ocr or not p.text.strip()]


def failed(error: str, extractor: str, version: str) -> Extraction:
    return Extraction("failed", [], error[:500], extractor, version)


def not_a_pdf(data: bytes, content_type: str | None, engine) -> Extraction:
    """What a document that is no PDF gets instead of text: a failed extraction saying what it was."""
    if not data:
        return failed("empty file (0 bytes)", engine.NAME, engine.VERSION)
    kind = (content_type or "").split(";")[0].strip() or "unknown type"
    return failed(f"not a PDF ({kind}, {len(data):,} bytes): no text extracted", engine.NAME, engine.VERSION)
