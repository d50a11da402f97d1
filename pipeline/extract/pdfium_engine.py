"""PDF text with PDFium (pypdfium2), opt-in: much faster than pdfminer, with no layout analysis.

PDFium gives a page's text in the order the content stream draws it, one ``\\r\\n`` per line it
detects (lines on one baseline are joined: "69 DECLARATIONS OF INTEREST" stays one line, a "69"
above its heading stays a line of its own). Two things are repaired here so the text reads like
pdfminer's and the minute parser sees the same headings:

- a hyphen PDFium takes for a soft one at a line's end comes back as U+FFFE with the line break
  removed ("recom\\ufffemendation"): it is put back as "-\\n" (``pipeline.parse.cleanup`` joins it);
- Word and agenda-pack tools often draw the running footer first, so it would head the page and
  hide the real header from the cleanup: runs of lines that go down the page are kept whole and
  a run that lies wholly above an earlier one is moved before it. ``cheap`` skips that.

``get_text_range`` (PDFium's FPDFText_GetText) rather than ``get_text_bounded``: it is the only
one whose output maps back to character positions. It is limited to UCS-2 (pypdfium2's docs),
which council papers do not need beyond.

PDFium is not thread-safe: every call into it holds ``LOCK``.
"""

from __future__ import annotations

import ctypes
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from pipeline.extract.result import Extraction, failed, finish, is_pdf

try:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c
except ImportError:  # opt-in engine: only its use fails (engines.py imports it lazily anyway)
    pdfium = pdfium_c = None

NAME = "pypdfium2"
VERSION = pdfium.PYPDFIUM_INFO.version if pdfium else ""
MISSING = "pypdfium2 not installed: pip install pypdfium2"
LOCK = threading.RLock()

_BREAK = re.compile("\r\n|\ufffe")  # a line end, or PDFium's soft-hyphen join


def extract(data: bytes, cheap: bool = False) -> Extraction:
    """Never raises for a bad PDF: it is ``failed`` with PDFium's error."""
    with open_pdf(data) as (doc, error):
        if error:
            return failed(error, NAME, VERSION)
        try:
            pages = [page_text(doc, i, reorder=not cheap) for i in range(page_count(doc))]
        except MemoryError:
            return failed("MemoryError: over the extraction memory cap", NAME, VERSION)
        except Exception as exc:  # a page PDFium cannot load
            return failed(f"{type(exc).__name__}: {exc}", NAME, VERSION)
    return finish(pages, NAME, VERSION)


@contextmanager
def open_pdf(data: bytes) -> Iterator[tuple[object | None, str | None]]:
    """``(document, None)`` or ``(None, error)``; the document is closed after, whatever happens.

    No password is passed, so PDFium tries the empty user password (most "encrypted" council
    PDFs only restrict printing or copying). Callers hold ``LOCK`` around their own PDFium calls."""
    if pdfium is None:
        yield None, MISSING
        return
    if not data:
        yield None, "empty file (0 bytes)"
        return
    if not is_pdf(data):
        yield None, "not a PDF (no %PDF header)"
        return
    try:
        with LOCK:
            doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        yield None, _open_error(exc)
        return
    except MemoryError:
        yield None, "MemoryError: over the extraction memory cap"
        return
    except Exception as exc:  # never raise for bad input, whatever pypdfium2 makes of it
        yield None, f"{type(exc).__name__}: {exc}"
        return
    try:
        yield doc, None
    finally:
        with LOCK:
            doc.close()  # frees PDFium's document and any page left open, not left to the GC


def page_count(doc) -> int:
    with LOCK:
        return len(doc)


def _open_error(exc: Exception) -> str:
    if "password" in str(exc).lower():
        return "encrypted PDF: it needs a password (the empty user password did not open it)"
    return f"PdfiumError: {exc}"


def page_text(doc, index: int, reorder: bool = True) -> str:
    """One page's text, ``\\n`` line ends; its page and text page closed at once, not left to the GC."""
    with LOCK:
        return _page_text(doc, index, reorder)


def _page_text(doc, index: int, reorder: bool) -> str:
    page = doc[index]
    try:
        textpage = page.get_textpage()
        try:
            text = textpage.get_text_range()
            if reorder and page.get_rotation() == 0 and "\r\n" in text:
                lines = _reading_order(textpage, text)
                if lines is not None:
                    return "\n".join(lines)
            return text.replace("\ufffe", "-\n").replace("\r\n", "\n")
        finally:
            textpage.close()
    finally:
        page.close()


@dataclass
class _Run:
    top: float | None = None  # the first positioned line's box, PDF units (y grows up the page)
    bottom: float | None = None
    lines: list[str] = field(default_factory=list)


def _reading_order(textpage, text: str) -> list[str] | None:
    """Lines with runs reordered top to bottom; None where positions cannot be trusted."""
    pieces, start = [], 0
    for m in _BREAK.finditer(text):
        pieces.append((text[start : m.start()], m.group() == "\ufffe"))
        start = m.end()
    pieces.append((text[start:], False))

    runs = [_Run()]
    prev: tuple[float, float] | None = None  # the previous positioned line's (bottom, top)
    units = 0  # PDFium's text index counts UTF-16 units
    for line, hyphen in pieces:
        box = _line_box(textpage, line, units)
        if box is False:
            return None
        units += _utf16_len(line) + (1 if hyphen else 2)
        if box is not None and prev is not None and box[0] > prev[1]:
            runs.append(_Run())  # wholly above the previous line: the drawing went back up
        run = runs[-1]
        run.lines.append(line + "-" if hyphen else line)
        if box is not None:
            if run.top is None:
                run.bottom, run.top = box
            prev = box

    ordered: list[_Run] = []
    for run in runs:
        at = len(ordered)
        # move it before earlier runs whose first line lies wholly below its own
        while at > 0 and _above(run, ordered[at - 1]):
            at -= 1
        ordered.insert(at, run)
    return [line for run in ordered for line in run.lines]


def _above(a: _Run, b: _Run) -> bool:
    return a.bottom is not None and b.top is not None and a.bottom > b.top


def _line_box(textpage, line: str, units: int) -> tuple[float, float] | None | bool:
    """(bottom, top) of the line's first visible character; None for a blank line; False when
    the text index does not map back to that character (then the page keeps PDFium's order)."""
    stripped = line.lstrip()
    if not stripped:
        return None
    offset = units + _utf16_len(line[: len(line) - len(stripped)])
    char = pdfium_c.FPDFText_GetCharIndexFromTextIndex(textpage, offset)
    if char < 0 or pdfium_c.FPDFText_GetUnicode(textpage, char) != ord(stripped[0]):
        return False
    rect = pdfium_c.FS_RECTF()
    if not pdfium_c.FPDFText_GetLooseCharBox(textpage, char, ctypes.byref(rect)):
        return False
    return rect.bottom, rect.top


def _utf16_len(s: str) -> int:
    if s.isascii():
        return len(s)
    return len(s) + sum(1 for ch in s if ord(ch) > 0xFFFF)  # astral characters take two units
