"""The incremental revisit policy: pure rules, then a crawl of an unchanged and of a changed site."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import create_engine, func, select

from crawler.revisit import ROTATION_DAYS, KnownMeeting, RevisitPlan
from pipeline.archive.models import CrawlRun, DocumentVersion
from pipeline.demo.sample_site import render_site, route_key
from tests.conftest import crawl_site

TODAY = date(2026, 11, 24)


def plan_with(**known: KnownMeeting) -> RevisitPlan:
    return RevisitPlan(TODAY, {f"u{k}": v for k, v in known.items()})


def recent(days_ago: int) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time())


def off_bucket(site_id: int) -> int:
    """A site id whose rotation night is not tonight."""
    return site_id if site_id % ROTATION_DAYS != TODAY.toordinal() % ROTATION_DAYS else site_id + 1


def test_revisit_rules():
    old = KnownMeeting(off_bucket(100), date(2023, 3, 1), "Agenda, Minutes", recent(1))
    plan = plan_with(a=old)
    assert plan.visit("unew", date(2020, 1, 1), "") == "new"
    assert plan.visit("ua", date(2023, 3, 1), "Agenda, Minutes") is None
    assert plan.visit("ua", date(2023, 3, 1), "Agenda, Minutes, CANCELLED") == "list suffix changed"
    soon = plan_with(a=KnownMeeting(off_bucket(100), TODAY + timedelta(days=59), "Agenda", recent(1)))
    assert soon.visit("ua", TODAY + timedelta(days=59), "Agenda") == "within 60 days"
    past = plan_with(a=KnownMeeting(off_bucket(100), TODAY - timedelta(days=61), "Agenda", recent(1)))
    assert past.visit("ua", TODAY - timedelta(days=61), "Agenda") is None
    stale = plan_with(a=KnownMeeting(off_bucket(100), date(2023, 3, 1), "", recent(ROTATION_DAYS)))
    assert stale.visit("ua", date(2023, 3, 1), "") == "unchecked for 28 days"
    bucket = TODAY.toordinal() % ROTATION_DAYS
    tonight = plan_with(a=KnownMeeting(bucket + ROTATION_DAYS * 3, date(2023, 3, 1), "", recent(2)))
    assert tonight.visit("ua", date(2023, 3, 1), "") == "rotation"
    assert tonight.due_unlisted(set()) == ["ua"] and tonight.due_unlisted({"ua"}) == []
    assert plan.wanted_years([2022, 2023, 2024, 2025, 2026, 2027]) == [2025, 2026, 2027]


def test_every_meeting_is_revisited_within_28_nights():
    known = {f"u{i}": KnownMeeting(i, date(2015, 1, 1), "", recent(1)) for i in range(1000, 1500)}
    seen: set[str] = set()
    for night in range(ROTATION_DAYS):
        plan = RevisitPlan(TODAY + timedelta(days=night), known)
        seen |= set(plan.due_unlisted(set()))
    assert seen == set(known)


@pytest.mark.slow
def test_incremental_crawl_of_an_unchanged_then_a_changed_site(site_factory, db_url):
    today = date.today()
    server = site_factory(
        committees=2,
        years=(today.year - 2, today.year - 1, today.year),
        meetings_per_year=6,
        cancelled_every=0,
    )
    site = server.site
    # a meeting of last year whose printed minutes are not out yet
    late = next(m for m in site.meetings if m.when.year == today.year - 1)
    late_minutes = next(d for d in late.documents if d.kind == "printed_minutes")
    late.documents.remove(late_minutes)
    render_site(site)

    def crawl(*extra):
        crawl_site(server, db_url, *extra)

    crawl()
    full_requests = sum(server.hits.values())
    server.hits.clear()
    crawl("--incremental")
    quiet_requests = sum(server.hits.values())
    engine = create_engine(db_url)
    with engine.connect() as c:
        run = c.execute(select(CrawlRun).order_by(CrawlRun.id.desc())).first()
        versions = c.scalar(select(func.count()).select_from(DocumentVersion))
    assert run.stats["new_versions"] == 0 and run.stats.get("documents_failed", 0) == 0
    assert quiet_requests < full_requests / 3
    old_year = {
        route_key(f"/ieListMeetings.aspx?CId={c.site_id}&Year={today.year - 2}") for c in site.committees
    }
    assert not old_year & set(server.hits)  # only the current and previous year's lists
    in_window = {m.mid for m in site.meetings if abs((m.when - today).days) <= 60}
    bucket = {m.mid for m in site.meetings if m.mid % ROTATION_DAYS == today.toordinal() % ROTATION_DAYS}
    visited = {int(k.split("mid=")[1].split("&")[0]) for k in server.hits if k.startswith("/ieListDocuments")}
    assert visited == in_window | bucket
    # Documents are re-validated (each a 304; for a pack, the PDF behind its page) for meetings in the
    # window; a rotation revisit of an unchanged page does not re-validate its documents.
    assert server.not_modified == sum(
        1
        for m in site.meetings
        if m.mid in in_window
        for d in [*m.documents, *(x for it in m.items for x in it.documents)]
    )

    # The minutes of last year's meeting appear: its list suffix changes, so it is revisited at once.
    late.documents.append(late_minutes)
    render_site(site)
    server.hits.clear()
    crawl("--incremental")
    assert route_key("/" + late.href.replace("&amp;", "&")) in server.hits
    with engine.connect() as c:
        assert c.scalar(select(func.count()).select_from(DocumentVersion)) == versions + 1
    engine.dispose()
