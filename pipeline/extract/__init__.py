"""PDF bytes to raw text per page (pdfminer.six by default), in a pool of child processes.

Extraction knows PDFs, not minutes: repairs of the text (running headers, hyphenation...) are
``pipeline.parse.cleanup``, applied after, so they can be redone by ``reprocess``.
"""

from pipeline.extract.engines import DEFAULT, engine
from pipeline.extract.pool import ExtractionPool
from pipeline.extract.result import ExtractedPage, Extraction, is_pdf


def extract_pdf(data: bytes, extractor: str = DEFAULT) -> Extraction:
    """Extract in this process (what each pool worker runs)."""
    return engine(extractor).extract(data)


__all__ = ["DEFAULT", "ExtractedPage", "Extraction", "ExtractionPool", "engine", "extract_pdf", "is_pdf"]
