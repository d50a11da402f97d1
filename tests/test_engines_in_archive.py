"""The opt-in engines in the archive: `--extractor pdfium` and `--ocr` on crawl and reprocess.

A document extracted by two engines keeps both texts; scanned pages (a scan made here: text
rendered, rasterised, saved as a PDF of pictures) are read back by Tesseract as their own extraction.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import crawl_site, run_cli
from tests.test_extract_engines import scanned_pdf

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="tesseract not installed: apt-get install tesseract-ocr"
)


def query(db_url: str, sql: str, **params) -> list:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql), params).all()
    finally:
        engine.dispose()


def engines_per_pdf(db_url: str) -> dict[str, set[str]]:
    """sha256 -> the engines that read it (PDFs only: bytes some engine did not fail on)."""
    out: dict[str, set[str]] = {}
    for sha, extractor, status in query(db_url, "SELECT sha256, extractor, status FROM text_extractions"):
        out.setdefault(sha, set()).add(extractor if status != "failed" else f"{extractor} failed")
    return {sha: e for sha, e in out.items() if not all(x.endswith(" failed") for x in e)}


def minutes(db_url: str) -> set[tuple]:
    return set(query(db_url, "SELECT meeting_id, number, title FROM minutes"))


def minutes_per_engine(db_url: str) -> dict[str, Counter]:
    rows = query(
        db_url,
        "SELECT e.extractor, d.number FROM detected_minutes d JOIN text_extractions e ON e.id = d.extraction_id",
    )
    out: dict[str, Counter] = {}
    for extractor, number in rows:
        out.setdefault(extractor, Counter())[number] += 1
    return out


def test_a_document_extracted_by_both_engines_keeps_both(site_factory, new_db):
    server = site_factory(committees=1, years=(2024,), meetings_per_year=2, seed=3)
    crawled, reprocessed = new_db(), new_db()

    crawl_site(server, crawled)  # pdfminer.six, the default
    first = engines_per_pdf(crawled)
    assert first and all(e == {"pdfminer.six"} for e in first.values())
    before = minutes(crawled)

    crawl_site(server, crawled, "--extractor", "pdfium")  # the name for pypdfium2
    both = engines_per_pdf(crawled)
    assert both.keys() == first.keys() and all(e == {"pdfminer.six", "pypdfium2"} for e in both.values())
    per_engine = minutes_per_engine(crawled)
    assert per_engine["pypdfium2"] == per_engine["pdfminer.six"]  # the same minutes from either text
    assert minutes(crawled) == before  # one minute however many texts show it
    again = run_cli("reprocess", "--extractor", "pypdfium2", "--db", crawled)  # the old name works too
    assert again.returncode == 0, again.stderr
    assert "0 texts extracted with pypdfium2" in again.stdout

    # the same, offline: reprocess extracts the stored bytes with the new engine, no request sent
    crawl_site(server, reprocessed)
    server.hits.clear()
    result = run_cli("reprocess", "--extractor", "pdfium", "--db", reprocessed)
    assert result.returncode == 0, result.stderr
    assert f"{len(first)} texts extracted with pypdfium2 from the stored bytes" in result.stdout
    assert not server.hits
    assert engines_per_pdf(reprocessed) == both
    assert minutes_per_engine(reprocessed) == per_engine
    assert minutes(reprocessed) == minutes(crawled)


def test_an_unknown_extractor_is_one_line(db_url):
    result = run_cli("crawl", "--base-url", "http://127.0.0.1:9/", "--extractor", "nope", "--db", db_url)
    assert result.returncode == 2 and "invalid choice: 'nope'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def with_scanned_minutes(server) -> tuple[str, list[str]]:
    """Replace the first printed minutes of the site by a scan of them: (route, its lines)."""
    meeting = server.site.meetings[0]
    doc = next(d for d in meeting.documents if d.kind == "printed_minutes")
    route = next(
        k for k in server.site.routes if k.startswith(f"/documents/g{meeting.gid}/") and k.endswith("?t=1")
    )
    lines = doc.text
    server.site.routes[route] = ("application/pdf", scanned_pdf([lines[:8], lines[8:]]))
    return route, lines


@needs_tesseract
def test_ocr_reads_scanned_minutes_in_a_crawl_and_in_reprocess(site_factory, new_db):
    server = site_factory(committees=1, years=(2024,), meetings_per_year=1, seed=3)
    _, lines = with_scanned_minutes(server)
    with_ocr, without = new_db(), new_db()

    crawl_site(server, with_ocr, "--ocr")
    rows = query(
        with_ocr,
        "SELECT e.sha256, e.status, p.page_no, p.text FROM text_extractions e "
        "JOIN text_pages p ON p.extraction_id = e.id WHERE e.extractor = 'tesseract' ORDER BY p.page_no",
    )
    assert [(r.status, r.page_no) for r in rows] == [("ok", 1), ("ok", 2)]  # only the scan was read
    sha = rows[0].sha256
    layer = query(
        with_ocr, "SELECT status FROM text_extractions WHERE sha256 = :s AND extractor != 'tesseract'", s=sha
    )
    assert layer == [("empty",)]  # the text layer's extraction stays, with nothing in it
    words = set(re.findall(r"[a-z]+", " ".join(r.text for r in rows).lower()))
    expected = set(re.findall(r"[a-z]+", " ".join(lines).lower()))
    assert len(words & expected) >= 0.9 * len(expected)
    headings = [m.group(1) for line in lines if (m := re.match(r"(\d+)\. [A-Z]", line))]
    assert sorted(minutes_per_engine(with_ocr)["tesseract"]) == sorted(headings)

    crawl_site(server, without)  # no --ocr: no Tesseract
    assert "tesseract" not in minutes_per_engine(without)
    assert not query(without, "SELECT id FROM text_extractions WHERE extractor = 'tesseract'")
    result = run_cli("reprocess", "--ocr", "--db", without)
    assert result.returncode == 0, result.stderr
    assert "1 texts extracted with tesseract from the stored bytes" in result.stdout
    ocr_text = "SELECT p.text FROM text_extractions e JOIN text_pages p ON p.extraction_id = e.id "
    ocr_text += "WHERE e.extractor = 'tesseract' ORDER BY p.page_no"
    assert query(without, ocr_text) == query(with_ocr, ocr_text)
    assert minutes_per_engine(without)["tesseract"] == minutes_per_engine(with_ocr)["tesseract"]
    assert minutes(without) == minutes(with_ocr)


def test_nightly_hands_the_engines_to_every_crawl(tmp_path, monkeypatch):
    from pipeline.cli import main
    from pipeline.ops import nightly
    from tests.test_nightly import registry

    handed = []
    monkeypatch.setattr(nightly, "run_nightly", lambda *args, **kwargs: handed.append(kwargs) or 0)
    config = registry(tmp_path, {"sample": "http://127.0.0.1:9/"})
    argv = ["nightly", "--config", str(config), "--db", f"sqlite:///{tmp_path}/a.sqlite"]
    argv += ["--lock", str(tmp_path / "lock"), "--extractor", "pdfium", "--ocr"]
    assert main(argv) == 0
    [kwargs] = handed
    assert (kwargs["extractor"], kwargs["ocr"], kwargs["full"]) == ("pdfium", True, False)
