"""Crawl generated ModernGov sites served on 127.0.0.1 and check the archive row by row."""

from __future__ import annotations

import csv
import hashlib
import io
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, func, select

from pipeline.archive.blobs import BlobStore
from pipeline.archive.db import blob_root
from pipeline.archive.models import (
    AgendaItem,
    AgendaItemVersion,
    Blob,
    Committee,
    CrawlRun,
    Document,
    DocumentVersion,
    FetchLog,
    Meeting,
    MeetingState,
    Page,
    PageVersion,
)
from pipeline.demo.sample_site import route_key
from tests.conftest import crawl_site, run_cli

pytestmark = pytest.mark.slow


def crawl(server, db_url, *extra):
    return crawl_site(server, db_url, *extra, check=False)


def counts(engine) -> dict:
    with engine.connect() as c:
        return {
            m.__tablename__: c.scalar(select(func.count()).select_from(m))
            for m in (
                Committee,
                Meeting,
                MeetingState,
                AgendaItem,
                AgendaItemVersion,
                Document,
                DocumentVersion,
                PageVersion,
                Blob,
            )
        }


def test_crawl_archives_the_site_row_by_row_and_recrawl_adds_nothing(site_factory, db_url):
    server = site_factory(
        committees=2,
        years=(2024, 2025),
        meetings_per_year=3,
        prefix="/democracy/",
        tr_layout_committees=1,
        cancelled_every=4,
    )
    site = server.site
    result = crawl(server, db_url)
    assert result.returncode == 0, result.stderr
    engine = create_engine(db_url)
    with engine.connect() as c:
        committees = {r.site_id: r.name for r in c.execute(select(Committee))}
        assert committees == {sc.site_id: sc.name for sc in site.committees}
        meetings = {r.site_id: r for r in c.execute(select(Meeting))}
        assert set(meetings) == {m.mid for m in site.meetings}
        for m in site.meetings:
            row = meetings[m.mid]
            assert (row.date, row.time) == (m.when, m.at)
            assert row.status == ("cancelled" if m.cancelled else "scheduled")
            assert row.venue == m.venue
            assert row.url == f"{server.base_url}ieListDocuments.aspx?CId={m.committee_id}&MId={m.mid}&Ver=4"
            assert (row.list_suffix or "") == m.suffix.removeprefix(" - ")
            items = c.execute(
                select(
                    AgendaItem.ai_id,
                    AgendaItemVersion.number,
                    AgendaItemVersion.title,
                    AgendaItemVersion.minutes_text,
                )
                .join(AgendaItemVersion, AgendaItemVersion.agenda_item_id == AgendaItem.id)
                .where(AgendaItem.meeting_id == row.id)
                .order_by(AgendaItem.ai_id)
            ).all()
            assert [(i.ai_id, i.number, i.title, i.minutes_text) for i in items] == [
                (it.ai_id, str(it.number), it.title, it.minutes) for it in m.items
            ]
        assert sum(m.cancelled for m in site.meetings) >= 2
        # Every document of the site, with the exact bytes the server holds, stored once by sha256.
        docs = c.execute(
            select(
                Document.url,
                Document.kind,
                Document.title,
                Meeting.site_id,
                DocumentVersion.sha256,
                DocumentVersion.size,
            )
            .join(Meeting, Meeting.id == Document.meeting_id)
            .join(DocumentVersion, DocumentVersion.document_id == Document.id)
        ).all()
        expected = {
            (m.mid, d.title, d.kind)
            for m in site.meetings
            for d in [*m.documents, *(x for it in m.items for x in it.documents)]
        }
        assert {(d.site_id, d.title, d.kind) for d in docs} == expected
        assert len(docs) == len(expected)
        blobs = BlobStore(blob_root(db_url))
        for d in docs:
            body = blobs.get(d.sha256)
            assert hashlib.sha256(body).hexdigest() == d.sha256 and len(body) == d.size
            assert body.startswith(b"%PDF")
            if d.kind != "agenda_pack":  # packs come from the PDF behind mgChooseDocPack.aspx
                parts = urlsplit(d.url)
                served = site.routes[route_key(parts.path + ("?" + parts.query if parts.query else ""))]
                assert served[1] == body
        assert c.scalar(select(func.count()).select_from(FetchLog).where(FetchLog.error.is_not(None))) == 0
        run = c.execute(select(CrawlRun)).one()
        assert run.status == "finished" and run.stats["committees"] == 2
    first = counts(engine)

    again = crawl(server, db_url)
    assert again.returncode == 0, again.stderr
    assert counts(engine) == first  # no new versions, rows or blobs for an unchanged site
    with engine.connect() as c:
        runs = c.execute(select(CrawlRun).order_by(CrawlRun.id)).all()
        assert [r.status for r in runs] == ["finished", "finished"]
        assert runs[1].stats["new_versions"] == 0 and runs[1].stats["new_rows"] == 0
        assert c.scalar(select(func.count()).select_from(FetchLog).where(FetchLog.run_id == runs[1].id)) > 0
    engine.dispose()


def test_changed_document_adds_a_version_and_failures_are_recorded(site_factory, db_url):
    server = site_factory(
        committees=1, years=(2025,), meetings_per_year=2, cancelled_every=0, has_list_committees=False
    )  # falls back to mgCommitteeStructure.aspx
    site = server.site
    assert crawl(server, db_url).returncode == 0
    m = site.meetings[0]
    minutes = next(d for d in m.documents if d.kind == "printed_minutes")
    minutes_key = route_key("/" + minutes.href.replace("\r\n", ""))
    report = next(d for it in m.items for d in it.documents)
    report_key = route_key("/" + report.href)
    frontsheet = next(d for d in m.documents if d.kind == "agenda_frontsheet")
    front_key = route_key("/" + frontsheet.href)
    # Amend the minutes, put a firewall challenge page in front of a report, remove the frontsheet.
    site.routes[minutes_key] = ("application/pdf", site.routes[minutes_key][1] + b"\n% amended\n")
    site.routes[report_key] = ("text/html", b"<!DOCTYPE html><html><body>Request Rejected</body></html>")
    del site.routes[front_key]
    result = crawl(server, db_url)
    assert result.returncode == 0, result.stderr
    engine = create_engine(db_url)
    with engine.connect() as c:

        def versions(title):
            return c.scalar(
                select(func.count())
                .select_from(DocumentVersion)
                .join(Document)
                .where(
                    Document.meeting_id
                    == select(Meeting.id).where(Meeting.site_id == m.mid).scalar_subquery(),
                    Document.title == title,
                )
            )

        assert versions("Printed minutes") == 2
        assert versions(report.title) == 1  # the challenge page was not stored as the document
        assert versions("Agenda frontsheet") == 1
        errors = dict(
            c.execute(select(FetchLog.url, FetchLog.error).where(FetchLog.error.is_not(None))).all()
        )
        assert any("got an HTML page" in e for u, e in errors.items() if "/s" in u)
        assert any(e == "HTTP 404" for u, e in errors.items() if "Agenda%20frontsheet" in u)
        run = c.execute(select(CrawlRun).order_by(CrawlRun.id.desc())).first()
        assert run.stats["documents_failed"] == 2 and run.status == "finished"
    engine.dispose()
    every = run_cli("export", "documents", "--all-versions", "--council", "sample", "--db", db_url)
    assert every.returncode == 0, every.stderr
    rows = [r for r in csv.DictReader(io.StringIO(every.stdout)) if r["meeting_id"] == str(m.mid)]
    minutes_rows = [r for r in rows if r["title"] == "Printed minutes"]
    assert len(minutes_rows) == 2 and len({r["sha256"] for r in minutes_rows}) == 2
    assert minutes_rows[0]["first_seen"] < minutes_rows[1]["first_seen"]
    latest = run_cli("export", "documents", "--council", "sample", "--db", db_url)
    assert (
        sum(
            1
            for r in csv.DictReader(io.StringIO(latest.stdout))
            if r["meeting_id"] == str(m.mid) and r["title"] == "Printed minutes"
        )
        == 1
    )
    refused = run_cli("export", "minutes", "--all-versions", "--db", db_url)
    assert refused.returncode == 2 and "--all-versions applies to meetings and documents" in refused.stderr


def test_site_that_is_not_moderngov_exits_non_zero(site_factory, db_url):
    server = site_factory(committees=1, years=(2025,), meetings_per_year=1)
    server.site.routes.clear()  # every page 404s
    result = crawl(server, db_url)
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        .splitlines()[-1]
        .startswith("council-archive: crawl failed: not a ModernGov site")
    )
    engine = create_engine(db_url)
    with engine.connect() as c:
        assert c.execute(select(CrawlRun.status)).scalar_one() == "failed"
    engine.dispose()


def test_date_range_limits_meetings(site_factory, db_url):
    server = site_factory(committees=1, years=(2023, 2024, 2025), meetings_per_year=2, cancelled_every=0)
    wanted = [m for m in server.site.meetings if m.when.year == 2024]
    result = crawl(server, db_url, "--from", "2024-01-01", "--to", "2024-12-31")
    assert result.returncode == 0, result.stderr
    engine = create_engine(db_url)
    with engine.connect() as c:
        got = set(c.scalars(select(Meeting.site_id).where(Meeting.first_seen.is_not(None))))
        visited = set(
            c.scalars(select(Meeting.site_id).join(MeetingState, MeetingState.meeting_id == Meeting.id))
        )
    assert visited == {m.mid for m in wanted}
    assert got >= visited  # meetings listed on the fetched year pages are known, only wanted ones visited
    engine.dispose()


def test_transient_503_is_retried_and_oversized_document_is_a_recorded_failure(site_factory, db_url):
    server = site_factory(committees=1, years=(2025,), meetings_per_year=1, cancelled_every=0)
    m = server.site.meetings[0]
    minutes = next(d for d in m.documents if d.kind == "printed_minutes")
    minutes_key = route_key("/" + minutes.href.replace("\r\n", ""))
    report = next(d for it in m.items for d in it.documents)
    report_key = route_key("/" + report.href)
    server.fail_next[minutes_key] = 2  # two 503s, then the PDF
    big = server.site.routes[report_key][1] + b"\n%" + b"x" * 20_000
    server.site.routes[report_key] = ("application/pdf", big)
    result = run_cli(
        "crawl",
        "--base-url",
        server.base_url,
        "--council",
        "sample",
        "--delay",
        "0",
        "--db",
        db_url,
        env={"COUNCIL_ARCHIVE_MAX_DOCUMENT_BYTES": "15000"},
    )
    assert result.returncode == 0, result.stderr
    assert server.hits[minutes_key] == 3
    engine = create_engine(db_url)
    with engine.connect() as c:

        def versions(title):
            return c.scalar(
                select(func.count())
                .select_from(DocumentVersion)
                .join(Document)
                .where(Document.title == title)
            )

        assert versions("Printed minutes") == 1
        assert versions(report.title) == 0
        error = c.scalar(
            select(FetchLog.error).where(FetchLog.url.contains("/s"), FetchLog.error.is_not(None))
        )
        assert error and "Cancel" in error
    engine.dispose()


def test_scrapy_crawl_command_uses_the_same_pipeline(site_factory, tmp_path):
    import subprocess
    import sys

    server = site_factory(committees=1, years=(2025,), meetings_per_year=2, cancelled_every=0)
    db = f"sqlite:///{tmp_path / 'scrapy.sqlite'}"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "moderngov",
            "-a",
            f"base_url={server.base_url}",
            "-a",
            "council=viascrapy",
            "-s",
            "DOWNLOAD_DELAY=0",
            "-s",
            "AUTOTHROTTLE_ENABLED=0",
            "-s",
            "LOG_LEVEL=WARNING",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "COUNCIL_ARCHIVE_DB": db},
    )
    assert result.returncode == 0, result.stderr
    engine = create_engine(db)
    with engine.connect() as c:
        assert set(c.scalars(select(Meeting.site_id))) == {m.mid for m in server.site.meetings}
        assert c.scalar(select(func.count()).select_from(DocumentVersion)) == sum(
            len(m.documents) + sum(len(it.documents) for it in m.items) for m in server.site.meetings
        )
    engine.dispose()


def test_crawl_extracts_each_pdf_once_and_stores_minutes_per_source(site_factory, db_url):
    from pipeline.archive.models import DetectedMinute, DetectedReference, TextExtraction, TextPage

    server = site_factory(committees=2, years=(2025,), meetings_per_year=3, cancelled_every=0)
    site = server.site
    assert crawl(server, db_url).returncode == 0
    engine = create_engine(db_url)

    def snapshot(c):
        return {
            m.__tablename__: c.scalar(select(func.count()).select_from(m))
            for m in (TextExtraction, TextPage, DetectedMinute, DetectedReference)
        }

    with engine.connect() as c:
        pdf_shas = set(c.scalars(select(DocumentVersion.sha256)))
        assert set(c.scalars(select(TextExtraction.sha256))) == pdf_shas
        assert c.scalar(select(func.count()).select_from(TextExtraction)) == len(pdf_shas)
        assert set(c.scalars(select(TextExtraction.status))) == {"ok"}
        for m in site.meetings:
            expected = [str(it.number) for it in m.items]
            # from the printed minutes PDF: the meeting's own minutes, dated by their heading
            minutes_sha = c.scalar(
                select(DocumentVersion.sha256)
                .join(Document)
                .join(Meeting, Meeting.id == Document.meeting_id)
                .where(Meeting.site_id == m.mid, Document.kind == "printed_minutes")
            )
            rows = c.execute(
                select(DetectedMinute.number, DetectedMinute.meeting_date)
                .join(TextExtraction, TextExtraction.id == DetectedMinute.extraction_id)
                .where(TextExtraction.sha256 == minutes_sha)
                .order_by(DetectedMinute.position)
            ).all()
            assert [r.number for r in rows] == expected and {r.meeting_date for r in rows} == {m.when}
            # from the meeting page's rows
            page_rows = c.scalars(
                select(DetectedMinute.number)
                .join(PageVersion, PageVersion.id == DetectedMinute.page_version_id)
                .where(
                    PageVersion.page_id
                    == select(Page.id).where(Page.url.contains(f"MId={m.mid}&")).scalar_subquery()
                )
                .order_by(DetectedMinute.position)
            ).all()
            assert page_rows == expected
        # "the minutes of the meeting held on ..." in each "Minutes" item is a meeting reference
        n_minutes_items = sum(it.title == "Minutes" for m in site.meetings for it in m.items)
        assert n_minutes_items >= 1
        # once from the meeting page, once from the printed minutes PDF
        assert (
            c.scalar(
                select(func.count()).select_from(DetectedReference).where(DetectedReference.kind == "meeting")
            )
            == 2 * n_minutes_items
        )
        before = snapshot(c)
    assert crawl(server, db_url).returncode == 0
    with engine.connect() as c:
        assert snapshot(c) == before  # known bytes are never extracted or parsed again
    engine.dispose()
