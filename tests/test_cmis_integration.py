"""`council-archive crawl` of generated CMIS sites served on 127.0.0.1: the archive row by row.

The same tables as a ModernGov crawl (committees, meetings, agenda items, documents, versions,
tombstones, minutes, references), identities from the site (meeting and committee ids from DNN
path segments, documents by meeting + title since their ``Document.ashx?<token>`` changes on each
publication), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import aliased

from pipeline.archive.blobs import BlobStore
from pipeline.archive.db import blob_root, open_archive_engine
from pipeline.archive.models import (
    AgendaItem,
    AgendaItemVersion,
    Blob,
    Committee,
    Council,
    CrawlRun,
    DetectedMinute,
    Document,
    DocumentEvent,
    DocumentVersion,
    FetchLog,
    Meeting,
    Minute,
    PageVersion,
    ReferenceLink,
)
from pipeline.archive.writer import Archive
from pipeline.archive.writer.reprocess import reprocess
from pipeline.demo.cmis_site import build_cmis_site, render_cmis_site
from pipeline.demo.site_server import SiteServer
from tests.archive_snapshot import snapshot
from tests.conftest import run_cli

pytestmark = pytest.mark.slow
RANGE = ("--from", "2025-01-01", "--to", "2025-06-30")


@pytest.fixture
def cmis_server():
    servers = []

    def make(**kwargs) -> SiteServer:
        server = SiteServer(build_cmis_site(**kwargs)).__enter__()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.__exit__(None, None, None)


def crawl(db_url: str, *args: str):
    result = run_cli("crawl", *args, "--delay", "0", "--concurrency", "4", "--db", db_url, *RANGE)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def counts(engine) -> dict:
    tables = (Committee, Meeting, AgendaItem, AgendaItemVersion, Document, DocumentVersion, DocumentEvent)
    with engine.connect() as c:
        found = {t.__tablename__: c.scalar(select(func.count()).select_from(t)) for t in tables}
        found["page_versions"] = c.scalar(select(func.count()).select_from(PageVersion))
        found["blobs"] = c.scalar(select(func.count()).select_from(Blob))
        found["minutes"] = c.scalar(select(func.count()).select_from(Minute))
        found["references"] = c.scalar(select(func.count()).select_from(ReferenceLink))
    return found


def host_of(server) -> str:
    return server.base_url.rsplit(server.site.prefix, 1)[0]


def test_cmis_crawl_archives_the_site_row_by_row_and_a_recrawl_adds_nothing(cmis_server, db_url):
    # Documents in one list per meeting, as Birmingham's real pages show them (no agenda-item blocks).
    server = cmis_server(committees=3, meetings_per_month=2, seed=5)
    site, host = server.site, host_of(server)
    engine = open_archive_engine(db_url)  # an earlier run that failed as ModernGov proves nothing
    Archive(engine, BlobStore(blob_root(db_url))).ensure_council(
        "sample", server.base_url, platform="moderngov"
    )
    engine.dispose()
    crawl(db_url, "--base-url", server.base_url, "--council", "sample")  # detect: a CMIS folder
    engine = create_engine(db_url)
    with engine.connect() as c:
        council = c.execute(select(Council)).one()
        assert (council.platform, council.base_url) == ("cmis", server.base_url)
        committees = {r.site_id: r.name for r in c.execute(select(Committee))}
        assert committees == {sc.site_id: sc.name for sc in site.committees}
        meetings = {r.site_id: r for r in c.execute(select(Meeting))}
        assert set(meetings) == {m.meeting_id for m in site.meetings}
        by_row = {r.id: r.site_id for r in meetings.values()}
        committee_of = {r.id: r.site_id for r in c.execute(select(Committee))}
        for m in site.meetings:
            row = meetings[m.meeting_id]
            assert (row.date, row.time, row.venue, row.status) == (m.when, m.at, m.venue, m.status)
            assert committee_of[row.committee_id] == m.committee_id
            assert row.url == host + site.meeting_path(m)
        assert c.scalar(select(func.count()).select_from(AgendaItem)) == 0
        cancelled = [m for m in site.meetings if m.cancelled]
        assert cancelled and all(meetings[m.meeting_id].status == "cancelled" for m in cancelled)
        assert {r.site_id for r in meetings.values() if r.list_suffix == "CANCELLED"} == {
            m.meeting_id for m in cancelled
        }  # the month page's mark: a change of it brings the meeting back on an incremental run
        # Every document once, keyed by meeting + title, at its token URL, with the served bytes.
        docs = c.execute(
            select(
                Document.doc_key,
                Document.meeting_id,
                Document.title,
                Document.kind,
                Document.url,
                Document.removed_at,
                DocumentVersion.sha256,
            ).join(DocumentVersion, DocumentVersion.document_id == Document.id)
        ).all()
        expected = {d.key: (m, d) for m, d in site.documents}
        assert sorted(row.doc_key for row in docs) == sorted(expected)
        blobs = BlobStore(blob_root(db_url))
        for row in docs:
            m, d = expected[row.doc_key]
            assert (by_row[row.meeting_id], row.title, row.kind) == (m.meeting_id, d.title, d.kind)
            assert row.url == host + site.document_path(d) and row.removed_at is None
            assert row.sha256 == hashlib.sha256(d.body).hexdigest() and blobs.get(row.sha256) == d.body
        # Minutes: every numbered minute of every printed set, once, on its meeting.
        minutes = {(by_row[r.meeting_id], r.number) for r in c.execute(select(Minute))}
        assert minutes == {(m.meeting_id, str(n)) for m in site.meetings for n in m.minute_numbers}
        assert minutes
        # "the minutes of the meeting held on <date>" and "Further to Minute n": resolved where the
        # model says they point (the committee's previous meeting).
        citing, target = aliased(Minute), aliased(Minute)
        links = c.execute(
            select(citing.meeting_id, ReferenceLink.target_meeting_id, target.meeting_id, target.number)
            .join(citing, citing.id == ReferenceLink.citing_minute_id)
            .outerjoin(target, target.id == ReferenceLink.target_minute_id)
            .where(ReferenceLink.duplicate_of.is_(None))
        ).all()
        resolved_meetings = {(by_row[a], by_row[b]) for a, b, _, _ in links if b is not None}
        resolved_minutes = {(by_row[a], by_row[t], n) for a, _, t, n in links if t is not None}
        by_date = {(m.committee_id, m.when): m.meeting_id for m in site.meetings}
        for m in site.meetings:
            if m.minute_numbers and (m.committee_id, m.cites_meeting) in by_date:  # else before the site
                assert (m.meeting_id, by_date[(m.committee_id, m.cites_meeting)]) in resolved_meetings
            if m.cites_minute:
                previous = next(
                    p
                    for p in site.meetings
                    if p.committee_id == m.committee_id and m.cites_minute in p.minute_numbers
                )
                assert (m.meeting_id, previous.meeting_id, str(m.cites_minute)) in resolved_minutes
        assert c.scalar(select(func.count()).select_from(FetchLog).where(FetchLog.error.is_not(None))) == 0
        run = c.execute(select(CrawlRun)).one()
        assert run.status == "finished"
    first = counts(engine)

    crawl(db_url, "--base-url", server.base_url, "--council", "sample")
    assert counts(engine) == first
    with engine.connect() as c:
        second = c.execute(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(1)).one()
        assert second.status == "finished"
        assert (second.stats["new_versions"], second.stats["new_rows"]) == (0, 0)
    engine.dispose()


def test_republished_documents_keep_their_identity_and_removals_are_tombstoned(cmis_server, db_url, tmp_path):
    server = cmis_server(committees=2, meetings_per_month=2, seed=7, agenda_items=True)
    site, host = server.site, host_of(server)
    # By slug: the registry says CMIS, and its URL is a page inside the install (as shipped).
    config = tmp_path / "councils.toml"
    config.write_text(
        f'[councils.luton]\nname = "Luton"\nplatform = "cmis"\nenabled = true\n'
        f'base_url = "{server.base_url}Councillors.aspx/"\n',
        encoding="utf-8",
    )
    by_slug = ("--council", "luton", "--config", str(config))
    crawl(db_url, *by_slug)
    engine = create_engine(db_url)
    first = counts(engine)
    assert first["documents"] == first["document_versions"] == len(site.documents)
    with engine.connect() as c:  # agenda items (modelled blocks), their minutes and their papers
        for m in site.meetings:
            row = c.execute(select(Meeting).where(Meeting.site_id == m.meeting_id)).one()
            items = c.execute(
                select(
                    AgendaItem.id,
                    AgendaItemVersion.number,
                    AgendaItemVersion.title,
                    AgendaItemVersion.minutes_text,
                )
                .join(AgendaItemVersion, AgendaItemVersion.agenda_item_id == AgendaItem.id)
                .where(AgendaItem.meeting_id == row.id)
                .order_by(AgendaItem.id)
            ).all()
            assert [(i.number, i.title, i.minutes_text) for i in items] == [
                (it.number, it.title, it.minutes) for it in m.items
            ]
            for item, it in zip(items, m.items, strict=True):
                keys = c.scalars(select(Document.doc_key).where(Document.agenda_item_id == item.id)).all()
                assert sorted(keys) == sorted(d.key for d in it.documents)

    server.site = site.second_state()  # one document re-tokenised, one re-tokenised with new bytes
    same, changed = server.site.republished["same_bytes"], server.site.republished["new_bytes"]
    new_docs = {d.key: d for _, d in server.site.documents}
    crawl(db_url, *by_slug)
    after = counts(engine)
    assert after["documents"] == first["documents"]  # a new token is no new document
    assert after["document_versions"] == first["document_versions"] + 1  # only the new bytes
    assert after["document_events"] == 0  # nothing tombstoned for a token that moved
    with engine.connect() as c:

        def versions(key):
            doc = c.execute(select(Document).where(Document.doc_key == key)).one()
            shas = c.scalars(
                select(DocumentVersion.sha256)
                .where(DocumentVersion.document_id == doc.id)
                .order_by(DocumentVersion.id)
            ).all()
            return doc, shas

        doc, shas = versions(same)
        assert doc.url == host + server.site.document_path(new_docs[same])  # the latest token
        assert shas == [hashlib.sha256(new_docs[same].body).hexdigest()]
        doc, shas = versions(changed)
        assert doc.url == host + server.site.document_path(new_docs[changed])
        old = next(d for _, d in site.documents if d.key == changed)
        assert shas == [
            hashlib.sha256(old.body).hexdigest(),
            hashlib.sha256(new_docs[changed].body).hexdigest(),
        ]
    # Last year's token still finds the document and both versions.
    shown = run_cli("history", host + site.document_path(old), "--json", "--db", db_url)
    assert shown.returncode == 0, shown.stderr
    assert [v["sha256"] for v in json.loads(shown.stdout)["versions"]] == shas

    # A document withdrawn from its meeting page: tombstoned, and restored when it comes back.
    third = server.site
    meeting = next(m for m in third.meetings if m.documents and not m.cancelled)
    withdrawn = meeting.documents.pop()
    render_cmis_site(third)
    crawl(db_url, *by_slug)
    with engine.connect() as c:
        doc = c.execute(select(Document).where(Document.doc_key == withdrawn.key)).one()
        assert doc.removed_at is not None
        events = c.scalars(select(DocumentEvent.event).where(DocumentEvent.document_id == doc.id)).all()
        assert events == ["removed"]
    meeting.documents.append(withdrawn)
    render_cmis_site(third)
    crawl(db_url, *by_slug)
    with engine.connect() as c:
        doc = c.execute(select(Document).where(Document.doc_key == withdrawn.key)).one()
        assert doc.removed_at is None
        events = c.scalars(
            select(DocumentEvent.event).where(DocumentEvent.document_id == doc.id).order_by(DocumentEvent.id)
        ).all()
        assert events == ["removed", "restored"]
        assert c.scalar(select(func.count()).select_from(Document)) == first["documents"]
    engine.dispose()


def test_nightly_crawls_enabled_cmis_councils_incrementally(cmis_server, db_url, tmp_path):
    now = date.today().replace(day=1)  # no range: the crawl walks back from this month
    server = cmis_server(
        committees=2,
        meetings_per_month=1,
        seed=9,
        months=(now - timedelta(days=100), now + timedelta(days=27)),
    )
    config = tmp_path / "councils.toml"
    config.write_text(
        f'[councils.luton]\nname = "Luton"\nplatform = "cmis"\nenabled = true\nbase_url = "{server.base_url}"\n'
        f'[councils.braintree]\nname = "Braintree"\nplatform = "cmis"\nenabled = false\n'
        f'base_url = "http://127.0.0.9:9/braintree/"\n',
        encoding="utf-8",
    )
    report = tmp_path / "report.json"
    args = ["nightly", "--config", str(config), "--db", db_url, "--delay", "0", "--concurrency", "4"]
    args += ["--lock", str(tmp_path / "n.lock"), "--report", str(report)]
    done = run_cli(*args)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(report.read_text())
    assert [(r["slug"], r["status"]) for r in summary["councils"]] == [("luton", "ok")]
    engine = create_engine(db_url)
    with engine.connect() as c:
        assert c.scalar(select(Council.platform)) == "cmis"
        assert c.scalar(select(func.count()).select_from(Meeting)) == len(server.site.meetings)
    before = counts(engine)
    done = run_cli(*args)  # incremental: the window's months and meetings, rotation; nothing new
    assert done.returncode == 0, done.stderr[-3000:]
    assert counts(engine) == before
    with engine.connect() as c:
        runs = c.execute(select(CrawlRun).order_by(CrawlRun.id)).all()
        assert [r.status for r in runs] == ["finished", "finished"]
        assert [r.options["incremental"] for r in runs] == [False, True]
        docs_before = c.scalar(select(func.count()).select_from(Document))

    # Every document re-published under a new token: asked for by key with its validators, so an
    # unchanged one costs a 304 even at a URL never seen; only the new bytes are fetched in full.
    server.site = server.site.second_state(retoken_all=True)
    server.not_modified = 0
    done = run_cli(*args)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(report.read_text())
    assert [(r["slug"], r["status"], r["flags"]) for r in summary["councils"]] == [("luton", "ok", [])]
    assert server.not_modified > 0
    changed = next(d for _, d in server.site.documents if d.key == server.site.republished["new_bytes"])
    with engine.connect() as c:
        run = c.execute(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(1)).one()
        full = c.scalars(
            select(FetchLog.url).where(
                FetchLog.run_id == run.id, FetchLog.status == 200, FetchLog.url.contains("Document.ashx")
            )
        ).all()
        assert set(full) <= {host_of(server) + server.site.document_path(changed)}
        assert c.scalar(select(func.count()).select_from(Document)) == docs_before
    engine.dispose()


def test_reprocess_reads_a_cmis_councils_stored_pages_as_cmis(cmis_server, db_url):
    """`reprocess` parses stored meeting pages with the council's platform's parser: a CMIS archive
    ends exactly as its crawl left it (the minutes of its agenda-item blocks included)."""
    server = cmis_server(committees=2, meetings_per_month=1, seed=11, agenda_items=True)
    crawl(db_url, "--base-url", server.base_url, "--council", "sample")
    engine = open_archive_engine(db_url)
    before = snapshot(engine)
    with engine.connect() as c:
        from_pages = c.scalar(
            select(func.count())
            .select_from(DetectedMinute)
            .where(DetectedMinute.page_version_id.is_not(None))
        )
    assert from_pages > 0
    with engine.begin() as conn:  # as an older parser left them
        for table in ("detected_minutes", "detected_references", "text_extractions", "page_versions"):
            conn.execute(
                text(f"UPDATE {table} SET parser_version = '1;municipal' WHERE parser_version IS NOT NULL")
            )
    requests = sum(server.hits.values())
    stats = reprocess(engine, BlobStore(blob_root(db_url)))
    assert stats.pages > 0 and not stats.failed
    assert sum(server.hits.values()) == requests
    assert snapshot(engine) == before
    engine.dispose()
