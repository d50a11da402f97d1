"""The opt-in extraction engines: pypdfium2 (text layer) and tesseract (OCR of scanned pages)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys

import pytest
from fpdf import FPDF
from fpdf.enums import EncryptionMethod

from pipeline.demo.sample_site import render_pdf
from pipeline.extract import ExtractionPool, engine, extract_pdf, ocr_engine, pdfium_engine
from pipeline.extract.engines import DEFAULT, names
from pipeline.extract.result import ExtractedPage, Extraction, pages_needing_ocr
from pipeline.parse.cleanup import clean_pages
from pipeline.parse.document import parse_text
from tests.corpus.score import CORPUS

MERTON = CORPUS / "real" / "merton-agenda-pack-2009-10-22.pdf"
HAS_TESSERACT = shutil.which("tesseract") is not None
needs_tesseract = pytest.mark.skipif(
    not HAS_TESSERACT, reason="tesseract not installed: apt-get install tesseract-ocr tesseract-ocr-eng"
)


def minutes(pages: list[str]) -> list[tuple[str, str]]:
    """What the archive keeps of a document: the minutes the parser finds in the repaired text."""
    return [(m.number, m.title) for m in parse_text("\f".join(clean_pages(pages))).minutes]


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n")]


def make_pdf(pages: list[list[str]], user_password: str | None = None) -> bytes:
    pdf = FPDF()
    if user_password is not None:
        pdf.set_encryption(
            owner_password="owner-secret",
            user_password=user_password,
            encryption_method=EncryptionMethod.AES_128,
        )
    pdf.set_font("Helvetica", size=11)
    for page_lines in pages:
        pdf.add_page()
        for line in page_lines:
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


# -- registry -----------------------------------------------------------------------------------


def test_both_engines_are_registered_and_pdfminer_stays_the_default():
    assert DEFAULT == "pdfminer.six" and engine().NAME == "pdfminer.six"
    assert {"pdfminer.six", "pypdfium2", "tesseract"} <= set(names())
    assert engine("pypdfium2") is pdfium_engine and engine("tesseract") is ocr_engine
    with pytest.raises(ValueError, match="unknown extractor 'nope'.*pypdfium2.*tesseract"):
        engine("nope")


def test_importing_the_extractors_loads_neither_pdfium_nor_tesseract():
    code = (
        "import sys, pipeline.extract, pipeline.extract.pool\n"
        "print(sorted(m for m in ('pypdfium2', 'pytesseract') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_missing_pypdfium2_fails_the_extraction_not_the_import(monkeypatch):
    monkeypatch.setattr(pdfium_engine, "pdfium", None)
    result = pdfium_engine.extract(MERTON.read_bytes())
    assert result.status == "failed" and result.error == "pypdfium2 not installed: pip install pypdfium2"


# -- pypdfium2 ----------------------------------------------------------------------------------


def test_pdfium_on_the_merton_pack():
    result = engine("pypdfium2").extract(MERTON.read_bytes())
    assert result.status == "ok" and len(result.pages) == 8
    assert [p.number for p in result.pages] == list(range(1, 9))
    assert result.extractor == "pypdfium2" and re.fullmatch(r"\d+\.\d+\.\d+.*", result.extractor_version)
    assert "\r" not in result.text
    page3 = lines(result.pages[2].text)
    # headings on lines of their own (PDFium joins the number and the title on one baseline)
    assert "1 DECLARATIONS OF INTEREST" in page3
    assert "2 MINUTES OF THE MEETING HELD ON 23 JUNE 2009 (Agenda item 3)" in page3
    assert "3 AUDIT COMMISSION INTERIM REPORT (Agenda item 4)" in page3
    # The pack draws each page's footer first: it is moved below the body, so the real header
    # heads the page and the cleanup can drop the footer as it does pdfminer's.
    assert page3[0] == "AUDIT COMMITTEE"
    assert page3[-1].startswith("please check the calendar of events")
    assert result.pages[7].text.startswith("This page is intentionally blank")
    clean = clean_pages([p.text for p in result.pages])
    assert not any("All minutes are draft" in text for text in clean)


def test_pdfium_finds_the_same_minutes_as_pdfminer_on_the_merton_pack():
    data = MERTON.read_bytes()
    by_pdfminer = minutes([p.text for p in extract_pdf(data).pages])
    by_pdfium = minutes([p.text for p in engine("pypdfium2").extract(data).pages])
    assert [n for n, _ in by_pdfium] == [n for n, _ in by_pdfminer] == ["1", "2", "3", "4", "5", "6", "7"]
    # titles too, minute 4's running over a page break included
    assert by_pdfium == by_pdfminer
    assert ("4", "AUDITED FINAL ACCOUNTS 2008/09 AND USE OF RESOURCES JUDGEMENT") in by_pdfium


def test_pdfium_cheap_keeps_the_content_order():
    result = pdfium_engine.extract(MERTON.read_bytes(), cheap=True)
    assert result.status == "ok" and len(result.pages) == 8
    assert lines(result.pages[2].text)[0].startswith("All minutes are draft")


def test_pdfium_keeps_generated_minute_headings_on_their_own_lines():
    text = [
        "Minutes of the Meeting of the Cabinet held on 3 June 2021",
        "69. Declarations of Interest",
        "No interests were declared.",
        "70",
        "DECLARATIONS OF INTEREST",
        "None.",
        "71. Minutes of the previous meeting",
        "RESOLVED: that the minutes be agreed as a correct record.",
    ]
    data = render_pdf(text)
    result = pdfium_engine.extract(data)
    assert result.status == "ok"
    assert lines(result.pages[0].text) == text
    by_pdfium = minutes([p.text for p in result.pages])
    assert [n for n, _ in by_pdfium] == ["69", "70", "71"]
    assert by_pdfium == minutes([p.text for p in extract_pdf(data).pages])


def test_pdfium_soft_hyphen_comes_back_as_a_hyphen_and_a_line_break():
    # PDFium joins "recom-" and "mendation" with U+FFFE and drops the line break: both put back
    data = render_pdf(["the committee considered the recom-", "mendation of officers", "69. Next item"])
    text = pdfium_engine.extract(data).pages[0].text
    assert "\ufffe" not in text and "recom-\nmendation" in text
    assert "recommendation of officers" in clean_pages([text])[0]
    assert pdfium_engine.extract(data, cheap=True).pages[0].text == text


def test_pdfium_moves_a_footer_drawn_first_below_the_body_but_keeps_columns():
    pdf = FPDF()
    pdf.set_auto_page_break(False)
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.set_xy(10, 280)
    pdf.cell(0, 6, "All minutes are draft until agreed")
    pdf.set_xy(10, 20)
    pdf.multi_cell(0, 6, "69\nDECLARATIONS OF INTEREST\nNone were declared.")
    pdf.add_page()
    pdf.set_xy(10, 20)
    pdf.multi_cell(80, 6, "Left one\nLeft two\nLeft three")
    pdf.set_xy(110, 20)
    pdf.multi_cell(80, 6, "Right one\nRight two")
    result = pdfium_engine.extract(bytes(pdf.output()))
    first, second = (lines(p.text) for p in result.pages)
    assert first == [
        "69",
        "DECLARATIONS OF INTEREST",
        "None were declared.",
        "All minutes are draft until agreed",
    ]
    # a second column starts level with the first, not wholly above it: it stays after it
    assert second == ["Left one", "Left two", "Left three", "Right one", "Right two"]


def test_pdfium_encrypted_with_the_empty_user_password_opens():
    data = make_pdf([["Minutes of the Meeting of Cabinet", "held on 3 June 2021"]], user_password="")
    assert b"/Encrypt" in data
    result = pdfium_engine.extract(data)
    assert result.status == "ok" and "Minutes of the Meeting of Cabinet" in result.pages[0].text


def test_pdfium_encrypted_with_a_real_password_fails_clearly():
    data = make_pdf([["Exempt report"]], user_password="secret")
    result = pdfium_engine.extract(data)
    assert result.status == "failed" and not result.pages
    assert result.error == "encrypted PDF: it needs a password (the empty user password did not open it)"


@pytest.mark.parametrize(
    "data, error",
    [
        (b"", "empty file (0 bytes)"),
        (b"<html>challenge</html>", "not a PDF (no %PDF header)"),
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage", "PdfiumError: "),
        (b"%PDF-1.7\n" + b"\x00" * 64, "PdfiumError: "),
    ],
)
def test_pdfium_bad_input_is_failed_never_raised(data, error):
    result = pdfium_engine.extract(data)
    assert result.status == "failed" and result.error.startswith(error)
    assert result.extractor == "pypdfium2" and result.pages == []


def test_pdfium_truncated_pdf_is_failed_or_partial_never_raised():
    data = MERTON.read_bytes()
    for cut in (len(data) // 3, len(data) // 2, len(data) - 100):
        result = pdfium_engine.extract(data[:cut])
        assert result.status in ("ok", "empty", "failed")
        assert result.error if result.status == "failed" else result.pages


def test_pdfium_page_without_text_layer_is_empty():
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    result = pdfium_engine.extract(bytes(pdf.output()))
    assert result.status == "empty" and len(result.pages) == 1 and result.pages[0].text == ""


def test_pdfium_closes_everything_it_opens():
    from pypdfium2.internal import ObjectTracker

    def live() -> int:
        return sum(len(refs) for refs in ObjectTracker.values())

    before = live()
    data = MERTON.read_bytes()
    for _ in range(20):
        pdfium_engine.extract(data)
        pdfium_engine.extract(data, cheap=True)
        pdfium_engine.extract(data[: len(data) // 2])
    assert live() == before  # documents, pages and text pages all closed, none left to the GC


def test_pool_runs_pdfium():
    with ExtractionPool(workers=2, extractor="pypdfium2") as pool:
        result = pool.extract(MERTON.read_bytes())
        assert result.status == "ok" and result.extractor == "pypdfium2" and len(result.pages) == 8
        assert minutes([p.text for p in result.pages])[0] == ("1", "DECLARATIONS OF INTEREST")
        bad = pool.extract(b"%PDF-1.4\n garbage")
        assert bad.status == "failed" and bad.extractor == "pypdfium2"
        results = [f.result() for f in [pool.submit(render_pdf([f"{n}. Item {n}"])) for n in range(6)]]
        assert [r.pages[0].text for r in results] == [f"{n}. Item {n}" for n in range(6)]


# -- OCR ----------------------------------------------------------------------------------------

SCANNED_LINES = [
    "Minutes of the Meeting of the Cabinet held on 3 June 2021",
    "69. Declarations of Interest",
    "No interests were declared.",
    "70",
    "MINUTES OF THE PREVIOUS MEETING",
    "RESOLVED: that the minutes be agreed.",
]


def scanned_pdf(pages: list[list[str]], dpi: int = 200) -> bytes:
    """A scan: text set by fpdf2, each page rasterised by PDFium, and a PDF of the pictures only."""
    import pypdfium2 as pdfium

    pdf = FPDF()
    pdf.set_font("Helvetica", size=14)
    for page_lines in pages:
        pdf.add_page()
        for line in page_lines:
            pdf.multi_cell(0, 9, line, new_x="LMARGIN", new_y="NEXT")
    doc = pdfium.PdfDocument(bytes(pdf.output()))
    images = []
    try:
        for i in range(len(doc)):
            page = doc[i]
            bitmap = page.render(scale=dpi / 72, grayscale=True)
            images.append(bitmap.to_pil().copy())  # the copy owns its pixels
            bitmap.close()
            page.close()
    finally:
        doc.close()
    out = io.BytesIO()
    images[0].save(out, format="PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return out.getvalue()


def test_pages_needing_ocr_is_pages_with_no_usable_text():
    extraction = Extraction(
        "ok",
        [
            ExtractedPage(1, "69. Declarations of Interest"),
            ExtractedPage(2, ""),
            ExtractedPage(3, "(cid:12)(cid:7) (cid:9)", needs_ocr=True),
            ExtractedPage(4, "  \n "),
        ],
    )
    assert pages_needing_ocr(extraction) == [2, 3, 4]
    assert pages_needing_ocr(Extraction("failed", error="x")) == []


def test_a_scan_has_no_text_layer_for_the_other_engines():
    data = scanned_pdf([SCANNED_LINES])
    for name in ("pdfminer.six", "pypdfium2"):
        result = engine(name).extract(data)
        assert result.status == "empty" and pages_needing_ocr(result) == [1]


def test_missing_tesseract_is_a_one_line_failed_extraction(monkeypatch):
    import pytesseract

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    monkeypatch.setattr(ocr_engine, "VERSION", "")
    result = ocr_engine.extract(make_pdf([["text"]]))
    assert (
        result.status == "failed" and result.error == "tesseract not installed: apt-get install tesseract-ocr"
    )
    # gone after the version was read: the same message, from the OCR call itself
    monkeypatch.setattr(ocr_engine, "VERSION", "5.3.0")
    result = ocr_engine.extract(make_pdf([["text"]]))
    assert (
        result.status == "failed" and result.error == "tesseract not installed: apt-get install tesseract-ocr"
    )


def test_missing_pytesseract_is_a_failed_extraction(monkeypatch):
    monkeypatch.setattr(ocr_engine, "pytesseract", None)
    result = ocr_engine.extract(make_pdf([["text"]]))
    assert result.status == "failed" and result.error == "pytesseract not installed: pip install pytesseract"


@needs_tesseract
def test_ocr_reads_a_scanned_page_back():
    data = scanned_pdf([SCANNED_LINES, ["71. Any other business", "There was none."]])
    result = engine("tesseract").extract(data)
    assert result.status == "ok" and len(result.pages) == 2, result.error
    assert result.extractor == "tesseract" and re.match(r"\d+\.\d+", result.extractor_version)
    assert [line for line in lines(result.pages[0].text) if line] == SCANNED_LINES
    assert "Any other business" in result.pages[1].text
    assert pages_needing_ocr(result) == []
    assert [n for n, _ in minutes([p.text for p in result.pages])] == ["69", "70", "71"]


@needs_tesseract
def test_ocr_cheap_and_only_some_pages():
    data = scanned_pdf([SCANNED_LINES, ["71. Any other business"]])
    cheap = ocr_engine.extract(data, cheap=True)
    assert cheap.status == "ok" and "Declarations of Interest" in cheap.pages[0].text
    some = ocr_engine.extract(data, pages=[2])
    assert some.pages[0].text == "" and "Any other business" in some.pages[1].text


@needs_tesseract
@pytest.mark.parametrize(
    "data, error",
    [
        (b"", "empty file (0 bytes)"),
        (b"<html>challenge</html>", "not a PDF (no %PDF header)"),
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage", "PdfiumError: "),
    ],
)
def test_ocr_bad_input_is_failed(data, error):
    result = ocr_engine.extract(data)
    assert result.status == "failed" and result.error.startswith(error)


@needs_tesseract
def test_pool_runs_ocr():
    with ExtractionPool(workers=1, extractor="tesseract") as pool:
        result = pool.extract(scanned_pdf([SCANNED_LINES]))
    assert result.status == "ok" and "MINUTES OF THE PREVIOUS MEETING" in result.pages[0].text


def test_ocr_renders_a_huge_page_at_a_lower_dpi():
    pdf = FPDF(format=(5000, 5000))  # mm: a 197-inch plan would be 3.5 Gpx at 300 dpi
    pdf.add_page()
    with pdfium_engine.open_pdf(bytes(pdf.output())) as (doc, error):
        assert error is None
        image = ocr_engine._render(doc, 0, ocr_engine.DPI / 72)
    assert image.width * image.height <= ocr_engine.MAX_PIXELS * 1.01 and image.mode == "L"  # rounded up


@needs_tesseract
def test_ocr_without_the_language_data_says_what_to_install(monkeypatch):
    monkeypatch.setattr(ocr_engine, "LANG", "xqz")
    result = ocr_engine.extract(scanned_pdf([["Minutes"]]))
    assert result.status == "failed"
    assert result.error == "tesseract has no 'xqz' language data: apt-get install tesseract-ocr-xqz"
