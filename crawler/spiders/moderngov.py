"""The ModernGov spider: committee list -> meeting lists per year -> meeting pages -> documents.

It knows HTTP and ModernGov's site map, not SQL: every response (or failure) becomes one item.

    scrapy crawl moderngov -a base_url=https://democracy.example.gov.uk/ [-a council=slug]
        [-a date_from=YYYY-MM-DD] [-a date_to=YYYY-MM-DD] [-a allowed_hosts=cdn.example.net]
"""

from __future__ import annotations

import hashlib
from datetime import date
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response

from crawler.items import DocumentItem, Fetch, PageItem
from crawler.moderngov_pages import (
    NotModernGov,
    parse_committee_list,
    parse_doc_pack_page,
    parse_meeting_list,
    parse_meeting_page,
)
from crawler.pages import DocumentLink
from crawler.spiders.base import CouncilSpider, utcnow
from crawler.urls import looks_like_html, query_param, site_id

YEARS_AHEAD = 2  # a year select offering years further ahead than this is junk


def _read(parser, response: Response, fetch: Fetch, what: str):
    """The parser's result, or None with the reason on the fetch (a page that is not ModernGov, or
    one the parser cannot read: never an exception out of a callback)."""
    try:
        return parser(response.text, response.url)
    except NotModernGov as exc:
        fetch.error = f"unreadable {what}: {exc}"
    except (AttributeError, ValueError, TypeError) as exc:  # not text (a PDF where a page was linked)
        fetch.error = f"unreadable {what}: {type(exc).__name__}: {exc}"[:500]
    return None


class ModernGovSpider(CouncilSpider):
    name = "moderngov"

    # -- the site map ------------------------------------------------------------------------

    async def start(self):
        yield self._page_request(
            self.base_url + "mgListCommittees.aspx", self.parse_committees, "committee_list", fallback=True
        )

    def _page_request(self, url, callback, kind, **meta):
        return scrapy.Request(
            url, callback=callback, errback=self.page_failed, meta={"page_kind": kind, **meta}
        )

    def meeting_request(self, url: str, reason: str) -> scrapy.Request:
        return self._page_request(url, self.parse_meeting, "meeting", reason=reason)

    def parse_committees(self, response: Response):
        fetch = self.fetched(response)
        committees = _read(parse_committee_list, response, fetch, "committee list") or []
        fetch.error = None  # an empty or unreadable list is not a failed fetch: the fallback decides
        yield PageItem(self.council, fetch, "committee_list", committees=committees)
        if not committees:
            yield from self._committee_list_fallback(response.meta, "no committees listed")
            return
        self.committees_found += len(committees)
        for c in committees:
            url = f"{self.base_url}ieListMeetings.aspx?CommitteeId={c.site_id}"
            yield self._page_request(url, self.parse_meetings, "meeting_list", committee=c.site_id)

    def after_page_failure(self, meta: dict, fetch: Fetch):
        if meta.get("page_kind") == "committee_list":
            yield from self._committee_list_fallback(meta, fetch.error, fetch)

    def _committee_list_fallback(self, meta, why: str, fetch: Fetch | None = None):
        if meta.get("fallback"):
            yield self._page_request(
                self.base_url + "mgCommitteeStructure.aspx",
                self.parse_committees,
                "committee_list",
                fallback=False,
            )
        elif not self.committees_found:
            if fetch is not None and self.unreachable(fetch):
                self.failure_reason = fetch.error
            else:
                self.failure_reason = (
                    f"not a ModernGov site, or no committees found at {self.base_url} ({why})"
                )

    def parse_meetings(self, response: Response):
        fetch = self.fetched(response)
        listing = _read(parse_meeting_list, response, fetch, "meeting list")
        if listing is None:
            yield PageItem(self.council, fetch, "meeting_list")
            return
        yield PageItem(self.council, fetch, "meeting_list", meeting_list=listing)
        cid = listing.committee_site_id or response.meta.get("committee")
        if response.meta.get("year") is None and cid is not None:
            years = self.plan.wanted_years(listing.years) if self.plan else listing.years
            for year in years:
                if self._year_wanted(year):
                    url = f"{self.base_url}ieListMeetings.aspx?CId={cid}&Year={year}"
                    yield self._page_request(
                        url, self.parse_meetings, "meeting_list", committee=cid, year=year
                    )
        for m in listing.meetings:
            self.listed.add(m.url)
            if not self.date_wanted(m.date):
                continue
            reason = self.plan.visit(m.url, m.date, m.suffix) if self.plan else "full"
            if reason:
                yield self.too_long(m.url, "meeting") or self.meeting_request(m.url, reason)

    def parse_meeting(self, response: Response):
        fetch = self.fetched(response)
        meeting = _read(parse_meeting_page, response, fetch, "meeting page")
        if meeting is None:
            yield PageItem(self.council, fetch, "meeting")
            return
        if meeting.site_id is None:
            meeting.site_id = site_id(query_param(response.request.url, "MId"))
        yield PageItem(self.council, fetch, "meeting", meeting=meeting, meeting_url=fetch.url)
        if self.plan and not self.plan.documents_due(
            fetch.url, response.meta.get("reason"), hashlib.sha256(response.body).hexdigest()
        ):
            return
        links = [*meeting.documents, *(d for item in meeting.items for d in item.documents)]
        for link in links:
            is_pack = urlsplit(link.url).path.lower().endswith("mgchoosedocpack.aspx")
            yield self.too_long_document(link, fetch.url) or self.document_request(
                link, fetch.url, self.parse_doc_pack if is_pack else None
            )

    def parse_doc_pack(self, response: Response):
        """mgChooseDocPack.aspx: either the PDF itself or a page offering the pack's PDF."""
        if not looks_like_html(response.body, response.headers.get("Content-Type", b"").decode("latin-1")):
            yield from self.save_document(response)
            return
        fetch = self.fetched(response)
        offered = _read(parse_doc_pack_page, response, fetch, "document pack page") or []
        fetch.error = None
        yield PageItem(self.council, fetch, "doc_pack")
        link: DocumentLink = response.meta["link"]
        if not offered:
            error = "document pack page offers no document"
            failed = Fetch(url=response.url, fetched_at=utcnow(), status=response.status, error=error)
            yield DocumentItem(self.council, failed, link, response.meta["meeting_url"])
            return
        yield self.document_request(link, response.meta["meeting_url"], url=offered[0].url)

    # -- helpers -----------------------------------------------------------------------------

    def _year_wanted(self, year: int) -> bool:
        # ModernGov's Year=N may mean the calendar or the municipal year; take a year either side.
        if year > date.today().year + YEARS_AHEAD:
            return False
        if self.date_from and year < self.date_from.year - 1:
            return False
        return not (self.date_to and year > self.date_to.year)
