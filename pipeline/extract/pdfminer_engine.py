"""PDF text with pdfminer.six (the default engine), page by page, in the calling process.

pdfminer's default layout analysis can take minutes on a page with thousands of text boxes: the
pool retries such a document once with ``LAParams(boxes_flow=None)``. ``laparams=None`` is never
used: it loses the line breaks that minute headings depend on.
"""

from __future__ import annotations

import io

import pdfminer

from pipeline.extract.result import Extraction, failed, finish, is_pdf

NAME = "pdfminer.six"
VERSION = pdfminer.__version__


def extract(data: bytes, cheap: bool = False) -> Extraction:
    """Never raises for a bad PDF: a malformed one is ``failed`` with pdfminer's error.

    ``cheap``: layout analysis without ``boxes_flow`` (the retry after a time-out)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer

    if not data:
        return failed("empty file (0 bytes)", NAME, VERSION)
    if not is_pdf(data):
        return failed("not a PDF (no %PDF header)", NAME, VERSION)
    try:
        pages = [
            "".join(el.get_text() for el in layout if isinstance(el, LTTextContainer))
            for layout in extract_pages(
                io.BytesIO(data), password="", laparams=LAParams(boxes_flow=None if cheap else 0.5)
            )
        ]
    except MemoryError:
        return failed("MemoryError: over the extraction memory cap", NAME, VERSION)
    except Exception as exc:  # pdfminer raises many types for malformed files
        return failed(f"{type(exc).__name__}: {exc}", NAME, VERSION)
    return finish(pages, NAME, VERSION)
