"""OCR for scanned pages, opt-in: each page rendered by PDFium (pypdfium2), read by Tesseract.

Tesseract is Debian's program (``tesseract-ocr`` + ``tesseract-ocr-eng``), run per page through
pytesseract: a thin wrapper over the command line, so a crash or a hang in Tesseract is a failed
subprocess (killed after ``PAGE_TIMEOUT``), never a dead worker. Its text keeps Tesseract's line
breaks, so a heading such as "69. Declarations of Interest" stays a line of its own.

OCR costs seconds a page: run it on the pages the text layer could not give
(``result.pages_needing_ocr``) rather than on every document.
"""

from __future__ import annotations

import os
from collections.abc import Collection

from pipeline.extract import pdfium_engine
from pipeline.extract.result import Extraction, failed, finish

try:
    import pytesseract
except ImportError:  # opt-in engine: only its use fails
    pytesseract = None

NAME = "tesseract"
DPI = 300  # what Tesseract is trained for; smaller text is lost below ~200
CHEAP_DPI = 150  # the retry after a pool time-out: about four times fewer pixels
PAGE_TIMEOUT = 60  # seconds for one page before Tesseract is killed
MAX_PIXELS = 60_000_000  # an A0 plan at 300 dpi is 140 Mpx: big pages are rendered at a lower dpi
LANG = "eng"
NOT_INSTALLED = "tesseract not installed: apt-get install tesseract-ocr"


def _tesseract_version() -> str:
    if pytesseract is None:
        return ""
    try:
        return str(pytesseract.get_tesseract_version())
    except (OSError, RuntimeError, SystemExit):  # not found, or a version pytesseract rejects
        return ""


VERSION = _tesseract_version()


def extract(data: bytes, cheap: bool = False, pages: Collection[int] | None = None) -> Extraction:
    """OCR every page (or only ``pages``, 1-based: the others come back with no text).

    Never raises: a missing program or language, a bad PDF, a time-out are ``failed``."""
    global VERSION
    if pytesseract is None:
        return failed("pytesseract not installed: pip install pytesseract", NAME, VERSION)
    if not VERSION:  # installed since this module was imported? Look again
        VERSION = _tesseract_version()
    if not VERSION:
        return failed(NOT_INSTALLED, NAME, VERSION)
    # One Tesseract thread per page: the pool already runs one worker per core, and OpenMP
    # threads on top of that only oversubscribe (Tesseract's own advice for parallel runs).
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    scale = (CHEAP_DPI if cheap else DPI) / 72
    texts: list[str] = []
    with pdfium_engine.open_pdf(data) as (doc, error):
        if error:
            return failed(error, NAME, VERSION)
        try:
            for index in range(pdfium_engine.page_count(doc)):
                if pages is not None and index + 1 not in pages:
                    texts.append("")
                    continue
                image = _render(doc, index, scale)
                texts.append(_ocr(image))
        except MemoryError:
            return failed("MemoryError: over the extraction memory cap", NAME, VERSION)
        except pytesseract.TesseractNotFoundError:
            return failed(NOT_INSTALLED, NAME, VERSION)
        except pytesseract.TesseractError as exc:
            return failed(_tesseract_error(exc), NAME, VERSION)
        except RuntimeError as exc:  # pytesseract's time-out is a bare RuntimeError
            if "timeout" in str(exc).lower():
                return failed(
                    f"tesseract timed out after {PAGE_TIMEOUT} s on page {len(texts) + 1}", NAME, VERSION
                )
            return failed(f"{type(exc).__name__}: {exc}", NAME, VERSION)
        except Exception as exc:  # a page PDFium cannot load or render
            return failed(f"{type(exc).__name__}: {exc}", NAME, VERSION)
    return finish(texts, NAME, VERSION)


def _render(doc, index: int, scale: float):
    """A grey-scale PIL image of one page (a third of RGB's memory; Tesseract binarises anyway)."""
    with pdfium_engine.LOCK:
        page = doc[index]
        try:
            width, height = page.get_size()  # PDF units, 1/72 inch
            scale = min(scale, (MAX_PIXELS / max(width * height, 1.0)) ** 0.5)
            bitmap = page.render(scale=scale, grayscale=True)
            try:
                return bitmap.to_pil().copy()  # a copy owns its pixels: the bitmap can go
            finally:
                bitmap.close()
        finally:
            page.close()


def _ocr(image) -> str:
    try:
        return pytesseract.image_to_string(image, lang=LANG, timeout=PAGE_TIMEOUT)
    finally:
        image.close()


def _tesseract_error(exc: Exception) -> str:
    message = getattr(exc, "message", "") or str(exc)
    if "Failed loading language" in message or "traineddata" in message:
        return f"tesseract has no {LANG!r} language data: apt-get install tesseract-ocr-{LANG}"
    return f"TesseractError: {message}"
