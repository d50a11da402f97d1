"""Version semantics of the storage module, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from crawler.items import DocumentItem, Fetch, PageItem
from crawler.pages import AgendaItem as ParsedItem
from crawler.pages import DocumentLink, MeetingPage
from pipeline.archive.blobs import BlobStore
from pipeline.archive.db import open_archive_engine
from pipeline.archive.models import (
    AgendaItemVersion,
    Blob,
    Document,
    DocumentVersion,
    FetchLog,
    Meeting,
    MeetingState,
)
from pipeline.archive.writer import Archive
from pipeline.read.exports import write_export

T0 = datetime(2026, 1, 1, 3, 0)
MEETING_URL = "https://h/ieListDocuments.aspx?CId=7&MId=70&Ver=4"
DOC = DocumentLink("https://h/documents/g70/Printed%20minutes.pdf?T=1", "Printed minutes", "printed_minutes")


@pytest.fixture
def archive(db_url, tmp_path):
    engine = open_archive_engine(db_url)
    a = Archive(engine, BlobStore(tmp_path / "blobs"))
    a.council_id = a.ensure_council("sample", "https://h/")
    yield a
    engine.dispose()


def fetch(archive, url, body: bytes | None, at: datetime, error=None) -> Fetch:
    f = Fetch(url=url, fetched_at=at, status=200 if body else None, body=body, error=error)
    if f.ok:
        f.sha256 = archive.blobs.put(body)
    return f


def meeting_page(status="scheduled", minutes="There were no petitions.") -> MeetingPage:
    return MeetingPage(
        committee_site_id=7,
        committee_name="Cabinet",
        site_id=70,
        date=date(2026, 1, 15),
        time=time(19, 30),
        status=status,
        venue="Guildhall",
        title="Agenda for Cabinet",
        date_modified=None,
        documents=[DOC],
        items=[
            ParsedItem(
                ai_id=5,
                number="55",
                title="Petitions",
                minutes_html=f"<p>{minutes}</p>",
                minutes_text=minutes,
            )
        ],
    )


def store_doc(archive, body, at):
    return archive.store_document(
        archive.council_id, None, DocumentItem("sample", fetch(archive, DOC.url, body, at), DOC, MEETING_URL)
    )


def test_document_versions_a_b_a_is_three_and_same_bytes_only_move_last_seen(archive):
    page = PageItem(
        "sample", fetch(archive, MEETING_URL, b"<html>1</html>", T0), "meeting", meeting=meeting_page()
    )
    archive.store_page(archive.council_id, None, page)
    assert store_doc(archive, b"%PDF-A", T0).new_versions == 1
    assert store_doc(archive, b"%PDF-A", T0 + timedelta(days=1)).new_versions == 0
    assert store_doc(archive, b"%PDF-B", T0 + timedelta(days=2)).new_versions == 1
    assert store_doc(archive, b"%PDF-A", T0 + timedelta(days=3)).new_versions == 1
    with archive.engine.connect() as c:
        rows = c.execute(select(DocumentVersion).order_by(DocumentVersion.id)).all()
        assert [r.size for r in rows] == [6, 6, 6]
        assert [(r.first_seen, r.last_seen) for r in rows] == [
            (T0, T0 + timedelta(days=1)),
            (T0 + timedelta(days=2),) * 2,
            (T0 + timedelta(days=3),) * 2,
        ]
        assert rows[0].sha256 == rows[2].sha256 != rows[1].sha256
        assert c.scalar(select(func.count()).select_from(Blob)) == 3  # page + two distinct PDFs
        assert c.scalar(select(func.count()).select_from(Document)) == 1
        assert c.scalar(select(func.count()).select_from(FetchLog)) == 5


def test_meeting_state_and_agenda_item_changes_are_kept_as_history(archive):
    archive.store_page(
        archive.council_id,
        None,
        PageItem(
            "sample", fetch(archive, MEETING_URL, b"<html>1</html>", T0), "meeting", meeting=meeting_page()
        ),
    )
    archive.store_page(
        archive.council_id,
        None,
        PageItem(
            "sample",
            fetch(archive, MEETING_URL, b"<html>1b</html>", T0 + timedelta(days=1)),
            "meeting",
            meeting=meeting_page(),
        ),
    )
    archive.store_page(
        archive.council_id,
        None,
        PageItem(
            "sample",
            fetch(archive, MEETING_URL, b"<html>2</html>", T0 + timedelta(days=2)),
            "meeting",
            meeting=meeting_page(status="cancelled", minutes="Two petitions were received."),
        ),
    )
    with archive.engine.connect() as c:
        assert [s.status for s in c.execute(select(MeetingState).order_by(MeetingState.id))] == [
            "scheduled",
            "cancelled",
        ]
        assert c.execute(select(Meeting.status)).scalar_one() == "cancelled"
        texts = c.scalars(select(AgendaItemVersion.minutes_text).order_by(AgendaItemVersion.id)).all()
        assert texts == ["There were no petitions.", "Two petitions were received."]
    out = io.StringIO()
    assert write_export(out, "meetings", archive.engine, all_versions=True) == 2
    states = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["status"] for r in states] == ["scheduled", "cancelled"]
    assert (
        states[0]["last_seen"] == "2026-01-02 03:00:00" and states[1]["first_seen"] == "2026-01-03 03:00:00"
    )


def test_failed_fetch_is_logged_and_stores_no_version(archive):
    archive.store_page(
        archive.council_id,
        None,
        PageItem(
            "sample", fetch(archive, MEETING_URL, b"<html>1</html>", T0), "meeting", meeting=meeting_page()
        ),
    )
    item = DocumentItem("sample", fetch(archive, DOC.url, None, T0, error="HTTP 503"), DOC, MEETING_URL)
    assert archive.store_document(archive.council_id, None, item).new_versions == 0
    with archive.engine.connect() as c:
        assert c.scalar(select(func.count()).select_from(DocumentVersion)) == 0
        assert c.execute(select(FetchLog.error).where(FetchLog.url == DOC.url)).scalar_one() == "HTTP 503"


def test_rows_never_point_at_a_missing_blob(archive):
    good = fetch(archive, DOC.url, b"%PDF-A", T0)
    missing = replace(good, sha256="0" * 64)
    with pytest.raises(RuntimeError, match="missing on disk"):
        archive.store_document(archive.council_id, None, DocumentItem("sample", missing, DOC, MEETING_URL))
    with archive.engine.connect() as c:  # the transaction rolled back whole
        assert c.scalar(select(func.count()).select_from(FetchLog)) == 0
        assert c.scalar(select(func.count()).select_from(Document)) == 0


def test_exports_as_of_a_date(archive):
    def page_at(day: int, status="scheduled", documents=True):
        page = meeting_page(status=status)
        if not documents:
            page.documents = []
        item = PageItem(
            "sample",
            fetch(
                archive,
                MEETING_URL,
                f"<html>{day}{status}{documents}</html>".encode(),
                T0 + timedelta(days=day),
            ),
            "meeting",
            meeting=page,
        )
        archive.store_page(archive.council_id, None, item)

    def export(table, day):
        out = io.StringIO()
        write_export(out, table, archive.engine, as_of=T0 + timedelta(days=day, hours=12))
        return list(csv.DictReader(io.StringIO(out.getvalue())))

    page_at(0)
    store_doc(archive, b"%PDF-A", T0)
    store_doc(archive, b"%PDF-B", T0 + timedelta(days=2))
    page_at(3, status="cancelled", documents=False)  # cancelled: its papers withdrawn
    a, b = (archive.blobs.put(x) for x in (b"%PDF-A", b"%PDF-B"))
    assert export("documents", -1) == []  # nothing was archived yet
    assert [(r["sha256"], r["versions"], r["removed"]) for r in export("documents", 1)] == [(a, "1", "false")]
    assert [(r["sha256"], r["versions"], r["removed"]) for r in export("documents", 2)] == [(b, "2", "false")]
    assert [(r["sha256"], r["removed"]) for r in export("documents", 3)] == [(b, "true")]
    assert [r["status"] for r in export("meetings", 1)] == ["scheduled"]
    assert [r["status"] for r in export("meetings", 3)] == ["cancelled"]
    page_at(5)  # the papers are back
    assert [r["removed"] for r in export("documents", 4)] == ["true"]
    assert [r["removed"] for r in export("documents", 5)] == ["false"]


def test_a_document_known_by_key_follows_its_new_links_and_adopts_a_row_stored_by_url(archive):
    """CMIS: the key is the identity, the URL the latest token; versions record the token they came
    from. A row stored by URL alone (before keys) becomes the keyed row instead of a duplicate."""
    old = DocumentLink("https://h/cmis5/Document.ashx?aaa", "Final Minutes 16042026", "printed_minutes")
    archive.store_document(
        archive.council_id,
        None,
        DocumentItem("sample", fetch(archive, old.url, b"%PDF-1", T0), old, MEETING_URL),
    )
    keyed = replace(old, key="cmis:70:final minutes 16042026")
    moved = replace(keyed, url="https://h/cmis5/Document.ashx?bbb")
    for at, link, body in ((1, keyed, b"%PDF-1"), (2, moved, b"%PDF-1"), (3, moved, b"%PDF-2")):
        item = DocumentItem(
            "sample", fetch(archive, link.url, body, T0 + timedelta(days=at)), link, MEETING_URL
        )
        archive.store_document(archive.council_id, None, item)
    with archive.engine.connect() as c:
        docs = c.execute(select(Document.url, Document.doc_key)).all()
        assert docs == [(moved.url, keyed.key)]
        versions = c.execute(select(DocumentVersion.fetched_url).order_by(DocumentVersion.id)).all()
        assert [v.fetched_url for v in versions] == [None, moved.url]  # %PDF-1 (first by URL), %PDF-2
