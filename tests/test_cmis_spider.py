"""The CMIS spider against generated CMIS sites served on 127.0.0.1, without the archive.

Each crawl runs in a child process (Scrapy's reactor runs once per process): ``python -m
tests.test_cmis_spider '<json>'`` runs ``CmisSpider`` with ``CollectItems`` as its only item
pipeline, which pickles every item and, at the end, what the spider knew (failure reason,
committees, meetings listed, stats). The tests read that file back and compare it with the site's
model: every meeting and document once, the months asked for, cancelled meetings, stable keys.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from crawler.items import DocumentItem, PageItem
from pipeline.demo.cmis_site import CmisSite, build_cmis_site
from pipeline.demo.sample_site import build_site, route_key
from pipeline.demo.site_server import SiteServer

ROOT = Path(__file__).resolve().parent.parent
RANGE = {"date_from": "2025-01-01", "date_to": "2025-06-30"}


class CollectItems:
    """Scrapy item pipeline: pickle each item to COLLECT_FILE, then the spider's own summary."""

    def __init__(self, path: str):
        self.path = path

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler.settings.get("COLLECT_FILE"))
        pipeline.crawler = crawler
        return pipeline

    def process_item(self, item):
        with open(self.path, "ab") as fh:
            pickle.dump(item, fh)
        return item

    def close_spider(self, spider=None):
        spider = spider or self.crawler.spider
        summary = {
            "failure_reason": spider.failure_reason,
            "committees_found": spider.committees_found,
            "listed": sorted(spider.listed),
            "stats": {k: v for k, v in self.crawler.stats.get_stats().items() if k.startswith("cmis/")},
        }
        with open(self.path, "ab") as fh:
            pickle.dump(summary, fh)


def _plan(spec: dict | None):
    """A RevisitPlan from JSON (the child builds it: plans hold dates and datetimes)."""
    if spec is None:
        return None
    from crawler.revisit import KnownMeeting, RevisitPlan

    known = {
        url: KnownMeeting(
            k["site_id"],
            date.fromisoformat(k["date"]),
            k.get("list_suffix"),
            datetime.fromisoformat(k["last_visit"]) if k.get("last_visit") else None,
            k.get("page_sha256"),
        )
        for url, k in spec.get("known", {}).items()
    }
    return RevisitPlan(date.fromisoformat(spec["today"]), known, spec.get("validators", {}))


def main(argv: list[str]) -> None:
    """The child process: one crawl of the spider, items to the file named in the arguments."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from crawler.spiders.cmis import CmisSpider

    args = json.loads(argv[0])
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict(
        {
            "ITEM_PIPELINES": {"tests.test_cmis_spider.CollectItems": 100},
            "COLLECT_FILE": args.pop("out"),
            "ROBOTSTXT_OBEY": True,  # the served robots.txt allows everything
            "DOWNLOAD_DELAY": 0,
            "DOWNLOAD_DELAY_JITTER": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
            "LOG_LEVEL": "WARNING",
        },
        priority="cmdline",
    )
    process = CrawlerProcess(settings)
    process.crawl(CmisSpider, plan=_plan(args.pop("plan", None)), **args)
    process.start()


@dataclass
class Crawl:
    items: list
    summary: dict

    def pages(self, kind: str) -> list[PageItem]:
        return [i for i in self.items if isinstance(i, PageItem) and i.page_kind == kind]

    @property
    def meetings(self) -> list[PageItem]:
        return [p for p in self.pages("meeting") if p.meeting is not None]

    @property
    def documents(self) -> list[DocumentItem]:
        return [i for i in self.items if isinstance(i, DocumentItem)]


def crawl(server: SiteServer, out: Path, **spider_args) -> Crawl:
    args = {"base_url": server.base_url, "council": "sample", "out": str(out), **spider_args}
    done = subprocess.run(
        [sys.executable, "-m", "tests.test_cmis_spider", json.dumps(args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = []
    with open(out, "rb") as fh:
        while True:
            try:
                loaded.append(pickle.load(fh))
            except EOFError:
                break
    return Crawl(loaded[:-1], loaded[-1])


def month_hits(server: SiteServer, site: CmisSite, year: int, month: int) -> int:
    return server.hits[route_key(site.month_path(year, month))]


def shift(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def test_every_meeting_and_document_once_only_months_in_range(tmp_path):
    site = build_cmis_site(committees=2, meetings_per_month=2, html_document=True)
    with SiteServer(site) as server:
        result = crawl(server, tmp_path / "items.pickle", **RANGE)
        assert [month_hits(server, site, 2025, m) for m in range(1, 7)] == [1] * 6
        assert month_hits(server, site, 2024, 12) == month_hits(server, site, 2025, 7) == 0
        assert server.hits[route_key(f"{site.prefix}Document.ashx?sitewide=PrivacyNotice%3D")] == 0
    assert result.summary["failure_reason"] is None
    assert result.summary["committees_found"] == 2
    assert result.summary["stats"]["cmis/months_requested"] == 6
    by_id = Counter(p.meeting.site_id for p in result.meetings)
    assert by_id == Counter({m.meeting_id: 1 for m in site.meetings})
    for page in result.meetings:
        m = site.meeting(page.meeting.site_id)
        assert page.meeting_url == server.base_url.rsplit("/cmis5/", 1)[0] + site.meeting_path(m)
        got = page.meeting
        assert (got.committee_site_id, got.committee_name) == (m.committee_id, m.committee_name)
        assert (got.date, got.time, got.status, got.venue) == (m.when, m.at, m.status, m.venue)
    assert any(m.cancelled for m in site.meetings)
    listed = {link.site_id: link for p in result.pages("meeting_list") for link in p.meeting_list.meetings}
    assert {mid for mid, link in listed.items() if link.cancelled} == {
        m.meeting_id for m in site.meetings if m.cancelled
    }
    assert {mid: link.date for mid, link in listed.items()} == {m.meeting_id: m.when for m in site.meetings}
    keys = Counter(d.link.key for d in result.documents)
    assert keys == Counter({doc.key: 1 for _, doc in site.documents})
    expected = {doc.key: doc for _, doc in site.documents}
    for item in result.documents:
        doc = expected[item.link.key]
        assert (item.link.title, item.link.kind) == (doc.title, doc.kind)
        if doc.html_error:
            assert item.fetch.error.startswith("expected a document, got an HTML page")
            assert item.fetch.body is None
        else:
            assert item.fetch.ok and item.fetch.body == doc.body
    assert all(p.fetch.ok for p in result.pages("meeting_list"))


def test_a_range_inside_months_fetches_only_its_months_and_meetings(tmp_path):
    site = build_cmis_site(committees=3, meetings_per_month=3, cancelled=False)
    with SiteServer(site) as server:
        result = crawl(server, tmp_path / "items.pickle", date_from="2025-02-10", date_to="2025-04-05")
        fetched = [m for m in range(1, 7) if month_hits(server, site, 2025, m)]
    assert fetched == [2, 3, 4]
    wanted = {m.meeting_id for m in site.meetings if date(2025, 2, 10) <= m.when <= date(2025, 4, 5)}
    assert {p.meeting.site_id for p in result.meetings} == wanted
    assert result.summary["committees_found"] == 3


def test_document_keys_survive_new_tokens_and_versions_show_in_the_bytes(tmp_path):
    site = build_cmis_site(committees=2, meetings_per_month=1, seed=3)
    with SiteServer(site) as server:
        before = crawl(server, tmp_path / "before.pickle", **RANGE)
        server.site = site.second_state(retoken_all=True)
        after = crawl(server, tmp_path / "after.pickle", **RANGE)
    first = {d.link.key: d for d in before.documents}
    second = {d.link.key: d for d in after.documents}
    assert set(first) == set(second) == {doc.key for _, doc in site.documents}
    assert all(first[k].link.url != second[k].link.url for k in first)  # every token is new
    same, new = server.site.republished["same_bytes"], server.site.republished["new_bytes"]
    assert first[same].fetch.body == second[same].fetch.body
    assert first[new].fetch.body != second[new].fetch.body
    unchanged = set(first) - {new}
    assert all(first[k].fetch.body == second[k].fetch.body for k in unchanged)


def test_other_install_path_and_page_name_found_through_the_list_view(tmp_path):
    site = build_cmis_site(
        committees=2, prefix="/EssexCmis5/", meetings_page="CalendarofMeetings.aspx", calendar_on_page=False
    )
    with SiteServer(site) as server:
        result = crawl(server, tmp_path / "items.pickle", **RANGE)
    entries = result.pages("page")
    assert [p.fetch.status for p in entries] == [404, 404, 200, 200]  # Meetings, MeetingsCalendar, ...
    assert entries[-1].fetch.url.endswith("CalendarofMeetings.aspx?ctl=MeetingCalendarListView&mid=397")
    assert result.summary["failure_reason"] is None
    assert {p.meeting.site_id for p in result.meetings} == {m.meeting_id for m in site.meetings}


def test_a_site_that_is_not_cmis_fails_with_a_reason(tmp_path):
    with SiteServer(build_site(committees=1, years=(2025,), meetings_per_year=1)) as server:
        given = server.base_url + "mgListCommittees.aspx"  # a ModernGov page, answered with 200
        result = crawl(server, tmp_path / "items.pickle", base_url=given, **RANGE)
    assert result.summary["failure_reason"] == (
        f"not a CMIS site, or no meetings calendar found at {server.base_url} (mgListCommittees.aspx: "
        "not a CMIS page; Meetings.aspx: HTTP 404; MeetingsCalendar.aspx: HTTP 404; "
        "CalendarofMeetings.aspx: HTTP 404; MeetingCalendar.aspx: HTTP 404)"
    )
    assert [p.fetch.status for p in result.pages("page")] == [200, 404, 404, 404, 404]
    assert not result.meetings and not result.documents


def test_without_a_range_months_ahead_then_back_until_a_year_is_empty(tmp_path):
    now = date.today().replace(day=1)
    site = build_cmis_site(committees=1, months=(shift(now, -3), now + timedelta(days=27)), cancelled=False)
    failing = shift(now, -2)  # a month that fails neither ends the walk nor counts as empty
    with SiteServer(site) as server:
        server.fail_next[route_key(site.month_path(failing.year, failing.month))] = 10
        result = crawl(server, tmp_path / "items.pickle")
        fetched = {
            n for n in range(-30, 10) if month_hits(server, site, shift(now, n).year, shift(now, n).month)
        }
    # three ahead, this month, three with meetings, then twelve empty ones: the walk stops there
    assert fetched == set(range(-15, 4))
    assert result.summary["stats"]["cmis/months_empty"] == 3 + 12
    failed = [p for p in result.pages("meeting_list") if not p.fetch.ok]
    assert [(p.fetch.status, p.fetch.error) for p in failed] == [(503, "HTTP 503")]
    assert {p.meeting.site_id for p in result.meetings} == {
        m.meeting_id for m in site.meetings if m.when.replace(day=1) != failing
    }


def test_incremental_months_in_the_window_rotation_and_304s(tmp_path):
    site = build_cmis_site(committees=2, meetings_per_month=1, seed=4)
    with SiteServer(site) as server:
        host = server.base_url.rsplit(site.prefix, 1)[0]
        url = {m.meeting_id: host + site.meeting_path(m) for m in site.meetings}
        january = [m for m in site.meetings if m.when.month == 1]
        april = next(m for m in site.meetings if m.when.month == 4)
        known = {
            url[m.meeting_id]: {"site_id": m.meeting_id, "date": m.when.isoformat(), "last_visit": None}
            for m in [*january, april]
        }
        etag = {
            d.key: {"If-None-Match": '"' + hashlib.sha1(d.body).hexdigest() + '"'}
            for d in april.all_documents
        }  # noqa: S324
        plan = {"today": "2025-04-15", "known": known, "validators": etag}
        result = crawl(server, tmp_path / "items.pickle", plan=plan)
        fetched = [m for m in range(1, 7) if month_hits(server, site, 2025, m)]
    assert fetched == [2, 3, 4, 5, 6]  # 60 days either side of 15 April
    visited = {p.meeting.site_id for p in result.meetings}
    assert visited == {m.meeting_id for m in site.meetings}  # January's on rotation, the rest listed
    april_docs = [d for d in result.documents if d.meeting_url == url[april.meeting_id]]
    assert len(april_docs) == len(april.all_documents)
    assert all(d.fetch.not_modified and d.fetch.body is None for d in april_docs)


if __name__ == "__main__":
    main(sys.argv[1:])
