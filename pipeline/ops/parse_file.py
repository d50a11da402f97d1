"""Read one file for ``council-archive parse``: PDF (extracted in a child process), HTML or text."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from crawler.moderngov_pages import NotModernGov, parse_meeting_page
from pipeline.extract import ExtractionPool, is_pdf
from pipeline.parse.document import ParseResult, parse_pages, parse_text
from pipeline.parse.document import parse_meeting_page as minutes_of_page
from pipeline.parse.profile import MUNICIPAL, Profile


class ParseFileError(ValueError):
    """The file cannot be read or parsed; the message is one line for the user."""


def parse_file(
    path: str, profile: Profile = MUNICIPAL, extractor: str | None = None, meeting_date: date | None = None
) -> ParseResult:
    """``meeting_date``: the date of the meeting a meeting page's text is for, where the text does
    not print it (a copy without its title)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ParseFileError(f"cannot read {path}: {exc.strerror}") from None
    if not data:
        raise ParseFileError(f"{path} is empty (0 bytes)")
    if is_pdf(data):
        with ExtractionPool(workers=1, **({"extractor": extractor} if extractor else {})) as pool:
            extraction = pool.extract(data)
        if extraction.status == "failed":
            raise ParseFileError(f"cannot extract text from {path}: {extraction.error}")
        return parse_pages([p.text for p in extraction.pages], profile)[1]
    if b"\x00" in data[:4096]:
        raise ParseFileError(f"{path} is neither a PDF, an HTML page nor text")
    text = data.decode("utf-8", errors="replace")
    head = text[:2048].lower()
    if "<html" in head or "<!doctype html" in head:
        try:
            page = parse_meeting_page(text, Path(path).resolve().as_uri())
        except NotModernGov:
            return parse_text(_html_text(text), profile)
        return minutes_of_page(page, profile)
    return parse_text(text, profile, page_date=meeting_date)


def _html_text(html: str) -> str:
    from parsel import Selector

    return "\n".join(t.strip() for t in Selector(text=html).xpath("//body//text()").getall() if t.strip())
