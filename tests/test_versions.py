"""A site served in two states: exactly the changes become versions and tombstones; history and diff."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select

from pipeline.archive.models import (
    Document,
    DocumentEvent,
    DocumentVersion,
    Meeting,
    MeetingState,
)
from pipeline.demo.sample_site import SampleDocument, SampleMeeting, render_pdf, render_site
from tests.conftest import crawl_site, run_cli

pytestmark = pytest.mark.slow


def crawl(server, db_url):
    crawl_site(server, db_url)


def snapshot(engine) -> dict:
    with engine.connect() as c:
        return {
            "versions": set(
                c.execute(
                    select(Document.url, DocumentVersion.sha256).join(
                        DocumentVersion, DocumentVersion.document_id == Document.id
                    )
                ).all()
            ),
            "states": set(
                c.execute(
                    select(Meeting.site_id, MeetingState.status).join(
                        MeetingState, MeetingState.meeting_id == Meeting.id
                    )
                ).all()
            ),
            "events": set(
                c.execute(
                    select(Document.title, DocumentEvent.event).join(
                        DocumentEvent, DocumentEvent.document_id == Document.id
                    )
                ).all()
            ),
            "meetings": c.scalar(select(func.count()).select_from(Meeting)),
        }


def test_two_states_give_exactly_the_changes_then_nothing(site_factory, db_url):
    server = site_factory(committees=1, years=(2025,), meetings_per_year=4, cancelled_every=0)
    site = server.site
    committee = site.committees[0]
    amended, grows, shrinks, to_cancel = site.meetings[:4]
    to_cancel.items, to_cancel.documents = [], []  # a future meeting, no papers yet
    render_site(site)
    crawl(server, db_url)
    engine = create_engine(db_url)
    before = snapshot(engine)

    # State B: amended printed minutes, a new supplement, a removed report, a cancellation, a new meeting.
    minutes = next(d for d in amended.documents if d.kind == "printed_minutes")
    minutes.text = [*minutes.text, "Minute 3 amended: the resolution was corrected on 2 March."]
    supplement = SampleDocument(
        f"mgChooseDocPack.aspx?ID={grows.gid}&amp;SID=777",
        "Supplement: Late Report",
        "supplement",
        ["Supplement", "A late report."],
    )
    grows.documents.append(supplement)
    report_item = next(it for it in shrinks.items if it.documents)
    removed = report_item.documents.pop()
    to_cancel.cancelled = True
    new = SampleMeeting(
        committee.site_id,
        committee.name,
        19999,
        29999,
        site.meetings[-1].when + timedelta(days=30),
        site.meetings[-1].at,
        "Guildhall",
    )
    committee.meetings.append(new)
    render_site(site)
    crawl(server, db_url)
    after = snapshot(engine)

    new_versions = {url.split("/")[-1] for url, _ in after["versions"] - before["versions"]}
    assert len(after["versions"] - before["versions"]) == 2
    assert any(u.startswith("Printedminutes") for u in new_versions)  # the href wraps over CR-LF
    assert any("SID=777" in u for u in new_versions)
    assert after["events"] - before["events"] == {(removed.title, "removed")}
    assert after["states"] - before["states"] == {(to_cancel.mid, "cancelled"), (new.mid, "scheduled")}
    assert after["meetings"] == before["meetings"] + 1

    with engine.connect() as c:
        minutes_url = c.scalar(
            select(Document.url)
            .join(Meeting, Meeting.id == Document.meeting_id)
            .where(Meeting.site_id == amended.mid, Document.kind == "printed_minutes")
        )
        removed_url = c.scalar(
            select(Document.url).where(Document.title == removed.title, Document.removed_at.is_not(None))
        )
        changed = c.execute(
            select(DocumentVersion.same_text_as_previous).order_by(DocumentVersion.id.desc())
        ).all()
    assert (False,) in changed  # the amendment changed the text, not only the bytes

    hist = json.loads(run_cli("history", minutes_url, "--db", db_url, "--json").stdout)
    assert [v["n"] for v in hist["versions"]] == [1, 2] and hist["kind"] == "document"
    assert hist["versions"][1]["text_status"] == "ok" and hist["versions"][1]["pages"] >= 1
    assert hist["versions"][1]["same_text_as_previous"] is False
    d = run_cli("diff", minutes_url, "--db", db_url)
    assert d.returncode == 0, d.stderr
    added = [ln for ln in d.stdout.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    assert added == ["+Minute 3 amended: the resolution was corrected on 2 March."]
    gone = json.loads(run_cli("history", removed_url, "--db", db_url, "--json").stdout)
    assert gone["removed_at"] and [e[0] for e in gone["events"]] == ["removed"] and len(gone["versions"]) == 1
    docs = list(csv.DictReader(io.StringIO(run_cli("export", "documents", "--db", db_url).stdout)))
    assert [r["removed"] for r in docs if r["url"] == removed_url] == ["true"]

    crawl(server, db_url)  # a third run of the unchanged site adds nothing
    assert snapshot(engine) == after

    # The report comes back: recorded as restored, no new version (same bytes).
    report_item.documents.append(removed)
    render_site(site)
    crawl(server, db_url)
    final = snapshot(engine)
    assert final["events"] - after["events"] == {(removed.title, "restored")}
    assert final["versions"] == after["versions"]
    engine.dispose()


def test_regenerated_pdf_with_the_same_text_is_flagged(site_factory, db_url):
    server = site_factory(committees=1, years=(2025,), meetings_per_year=1, cancelled_every=0)
    m = server.site.meetings[0]
    crawl(server, db_url)
    front = next(d for d in m.documents if d.kind == "agenda_frontsheet")
    key = next(k for k in server.site.routes if k.startswith(f"/documents/g{m.gid}/Agenda frontsheet"))
    pdf = render_pdf(front.text)
    server.site.routes[key] = (
        "application/pdf",
        pdf.replace(b"/Creator (council-archive sample site)", b"/Creator (council-archive sample-site)"),
    )
    crawl(server, db_url)
    engine = create_engine(db_url)
    with engine.connect() as c:
        flags = (
            c.execute(
                select(DocumentVersion.same_text_as_previous)
                .join(Document)
                .where(Document.kind == "agenda_frontsheet")
                .order_by(DocumentVersion.id)
            )
            .scalars()
            .all()
        )
    assert flags == [None, True]  # two byte versions kept, the second known to say the same
    engine.dispose()
