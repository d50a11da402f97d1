"""The CMIS spider: meetings page -> month pages -> meeting pages -> documents.

It knows HTTP and CMIS's site map, not SQL: every response (or failure) becomes one item, of the
same kinds the ModernGov spider yields, so the pipeline treats both platforms alike.

    scrapy crawl cmis -a base_url=https://democracy.luton.gov.uk/cmis5public/ [-a council=slug]
        [-a date_from=YYYY-MM-DD] [-a date_to=YYYY-MM-DD]

CMIS has no committee list worth walking and no year lists: its calendar module serves any month
at ``.../tabid/T/ctl/MeetingCalendarPublicNoJava/mid/M/Date/YYYY-MM-01/Default.aspx``, so the site
map is months. Its pages are slow (a month can take 40 s to render), hence the long time-outs.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response

from crawler.cmis_pages import (
    CmisCalendar,
    NotCmis,
    find_calendar,
    find_module_id,
    list_view_url,
    month_url,
    parse_meeting,
    parse_month,
    segment_after,
)
from crawler.items import Fetch, PageItem
from crawler.revisit import WINDOW_DAYS
from crawler.spiders.base import CouncilSpider
from crawler.urls import cmis_install_root, site_id

# Where installs put the calendar module, most common first (tried in turn under base_url).
MEETINGS_PAGES = ("Meetings.aspx", "MeetingsCalendar.aspx", "CalendarofMeetings.aspx", "MeetingCalendar.aspx")
MONTHS_BACK = 24  # the default range, when no --from/--to is given
MONTHS_AHEAD = 3
EMPTY_MONTHS_STOP = 12  # walking back without --from: a year with no meetings is the install's start
MONTH_TIMEOUT = 180  # seconds: a month page can take 40 s to render
PAGE_TIMEOUT = 120


def _month(d: date) -> date:
    return d.replace(day=1)


def _shift(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _text(response: Response) -> str:
    """The page's text; "" for a non-text answer (a PDF where a page was expected)."""
    return getattr(response, "text", "")


class CmisSpider(CouncilSpider):
    name = "cmis"
    # Sized for CMIS: a month page can take 40 s to render and documents are streamed by a handler
    # (requests that set their own download_timeout keep it); AutoThrottle may back off further than
    # for ModernGov, since a slow page is the platform's normal, not an overloaded host.
    custom_settings = {"DOWNLOAD_TIMEOUT": PAGE_TIMEOUT, "AUTOTHROTTLE_MAX_DELAY": 60.0}

    def __init__(self, base_url: str, *args, **kwargs):
        super().__init__(base_url, *args, **kwargs)
        # Any URL inside the install (a Councillors page, a DNN tab path) starts from its folder.
        self.base_url = cmis_install_root(base_url) or self.base_url
        self.entry_pages = self._entry_pages(base_url)
        self.calendar: CmisCalendar | None = None
        self.first_month: date | None = None  # how far back months are read
        self.committees_seen: set[int] = set()
        self.meetings_requested: set[int] = set()
        self.entry_problems: list[str] = []  # why each candidate meetings page was no good

    def _entry_pages(self, base_url: str) -> list[str]:
        """The meetings page given (base_url naming an .aspx page), then the usual names."""
        given = base_url.strip()
        pages = [self.base_url + name for name in MEETINGS_PAGES]
        if urlsplit(given).path.lower().endswith(".aspx") and given not in pages:
            pages.insert(0, given)
        return pages

    # -- finding the calendar ----------------------------------------------------------------

    async def start(self):
        yield self._entry_request(0)

    def _page_request(self, url, callback, kind, timeout=PAGE_TIMEOUT, **meta):
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.page_failed,
            meta={"page_kind": kind, "download_timeout": timeout, **meta},
        )

    def _entry_request(self, index: int, url: str | None = None, list_view: bool = False):
        return self._page_request(
            url or self.entry_pages[index],
            self.parse_entry,
            "page",
            MONTH_TIMEOUT,
            entry=index,
            list_view=list_view,
        )

    def parse_entry(self, response: Response):
        """A candidate meetings page (or the module's list view): where are the month pages?"""
        fetch = self.fetched(response)
        calendar, module, why = None, None, "no meetings calendar on the page"
        try:
            calendar = find_calendar(_text(response), response.url)
            module = find_module_id(_text(response))
        except NotCmis:
            why = "not a CMIS page"
        yield PageItem(self.council, fetch, "page")
        if calendar is not None:
            yield from self._start_months(calendar)
        elif module is not None and not response.meta.get("list_view"):
            # The list view's meeting links carry the tab id the meetings page did not show.
            url = list_view_url(response.url, module)
            yield self._entry_request(response.meta["entry"], url, list_view=True)
        else:
            yield from self._next_entry(response.meta, why)

    def _next_entry(self, meta, why: str):
        index = meta.get("entry", 0) + 1
        if self.calendar is not None:
            return
        self.entry_problems.append(f"{self.entry_pages[index - 1].rsplit('/', 1)[-1]}: {why}")
        if index < len(self.entry_pages):
            yield self._entry_request(index)
        else:
            problems = "; ".join(self.entry_problems)[:600]
            self.failure_reason = (
                f"not a CMIS site, or no meetings calendar found at {self.base_url} ({problems})"
            )

    # -- months ------------------------------------------------------------------------------

    def _month_range(self) -> tuple[date, date]:
        today = date.today()
        first = self.date_from or _shift(_month(today), -MONTHS_BACK)
        last = self.date_to or _shift(_month(today), MONTHS_AHEAD)
        if self.plan is not None:  # tonight: the months of the revisit window, inside any range given
            window = timedelta(days=WINDOW_DAYS)
            first = max(first, self.plan.today - window) if self.date_from else self.plan.today - window
            last = min(last, self.plan.today + window) if self.date_to else self.plan.today + window
        return _month(first), _month(last)

    def _start_months(self, calendar: CmisCalendar):
        if self.calendar is not None:
            return
        self.calendar = calendar
        first, last = self._month_range()
        self.first_month = first
        if self.date_from is not None or self.plan is not None:
            yield from (self._month_request(m) for m in self._months(first, last))
            return
        # No --from: months ahead at once, then back from this month, one at a time, until the
        # default range ends or a year of empty months says the install's history has.
        now = min(_month(date.today()), last)
        yield from (self._month_request(m) for m in self._months(_shift(now, 1), last))
        if now >= first:
            yield self._month_request(now, walk=True, empty=0)

    @staticmethod
    def _months(first: date, last: date):
        month = first
        while month <= last:
            yield month
            month = _shift(month, 1)

    def _month_request(self, month: date, walk: bool = False, empty: int = 0):
        self.crawler.stats.inc_value("cmis/months_requested")
        url = month_url(self.calendar.template, month.year, month.month)
        return self._page_request(
            url, self.parse_month_page, "meeting_list", MONTH_TIMEOUT, month=month, walk=walk, empty=empty
        )

    def parse_month_page(self, response: Response):
        fetch = self.fetched(response)
        month: date = response.meta["month"]
        try:
            listing = parse_month(_text(response), response.url, month.year, month.month)
        except NotCmis as exc:
            fetch.error = f"unreadable meeting list: {exc}"
            yield PageItem(self.council, fetch, "meeting_list")
            yield from self._walk_back(response.meta, found=None)
            return
        yield PageItem(self.council, fetch, "meeting_list", meeting_list=listing)
        if not listing.meetings:
            self.crawler.stats.inc_value("cmis/months_empty")
        self.committees_seen.update(m.committee_site_id for m in listing.meetings if m.committee_site_id)
        self.committees_found = len(self.committees_seen)
        for m in listing.meetings:
            self.listed.add(m.url)
            if m.site_id in self.meetings_requested or not self.date_wanted(m.date):
                continue
            reason = self.plan.visit(m.url, m.date, m.suffix) if self.plan else "full"
            if reason:
                self.meetings_requested.add(m.site_id)
                yield self.meeting_request(m.url, reason)
        yield from self._walk_back(response.meta, found=bool(listing.meetings))

    def _walk_back(self, meta, found: bool | None):
        """The month before, unless the range or a year of empty months ends the walk. A month that
        failed (found None) neither counts as empty nor ends it."""
        if not meta.get("walk"):
            return
        empty = 0 if found else meta["empty"] + (found is False)
        before = _shift(meta["month"], -1)
        if empty < EMPTY_MONTHS_STOP and before >= self.first_month:
            yield self._month_request(before, walk=True, empty=empty)

    # -- meetings and documents --------------------------------------------------------------

    def meeting_request(self, url: str, reason: str):
        return self._page_request(url, self.parse_meeting_page, "meeting", reason=reason)

    def parse_meeting_page(self, response: Response):
        fetch = self.fetched(response)
        meeting_url = fetch.url  # as listed (before any redirect): the meeting's URL in the archive
        try:
            meeting = parse_meeting(_text(response), response.url)
        except NotCmis as exc:
            fetch.error = f"unreadable meeting page: {exc}"
            yield PageItem(self.council, fetch, "meeting")
            return
        meeting.site_id = meeting.site_id or site_id(segment_after(meeting_url, "Meeting"))
        if meeting.committee_site_id is None:
            meeting.committee_site_id = site_id(segment_after(meeting_url, "Committee"))
        yield PageItem(self.council, fetch, "meeting", meeting=meeting, meeting_url=meeting_url)
        if self.plan and not self.plan.documents_due(
            meeting_url, response.meta.get("reason"), hashlib.sha256(response.body).hexdigest()
        ):
            return
        for link in [*meeting.documents, *(d for item in meeting.items for d in item.documents)]:
            yield self.too_long_document(link, meeting_url) or self.document_request(link, meeting_url)

    # -- failures ----------------------------------------------------------------------------

    def after_page_failure(self, meta: dict, fetch: Fetch):
        kind = meta.get("page_kind", "page")
        if kind == "page":
            if self.unreachable(fetch):
                self.failure_reason = fetch.error
                return
            yield from self._next_entry(meta, fetch.error)
        elif kind == "meeting_list":
            yield from self._walk_back(meta, found=None)
