"""The ModernGov spider: committee list -> meeting lists per year -> meeting pages -> documents.

It knows HTTP and ModernGov's site map, not SQL: every response (or failure) becomes one item.

    scrapy crawl moderngov -a base_url=https://democracy.example.gov.uk/ [-a council=slug]
        [-a date_from=YYYY-MM-DD] [-a date_to=YYYY-MM-DD]
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.items import DocumentItem, Fetch, PageItem
from crawler.moderngov_pages import (
    NotModernGov,
    parse_committee_list,
    parse_doc_pack_page,
    parse_meeting_list,
    parse_meeting_page,
)
from crawler.pages import DocumentLink
from crawler.urls import council_slug_for, looks_like_html, normalise_base_url, query_param, site_id


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _as_date(value) -> date | None:
    if value in (None, "") or isinstance(value, date):
        return value or None
    return date.fromisoformat(str(value))


class ModernGovSpider(scrapy.Spider):
    name = "moderngov"

    def __init__(
        self,
        base_url: str,
        council: str | None = None,
        council_name: str | None = None,
        date_from=None,
        date_to=None,
        plan=None,
        *args,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.base_url = normalise_base_url(base_url)
        self.council = council or council_slug_for(self.base_url)
        self.council_name = council_name
        self.date_from = _as_date(date_from)
        self.date_to = _as_date(date_to)
        self.allowed_domains = [urlsplit(self.base_url).hostname]
        # An incremental run's RevisitPlan (pipeline/incremental.py); None revisits everything.
        self.plan = plan
        self.listed: set[str] = set()
        self.rotation_queued = False
        self.failure_reason: str | None = None
        self.committees_found = 0

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.queue_rotation, signal=signals.spider_idle)
        return spider

    def queue_rotation(self):
        """Once the lists are read: older meetings due on rotation that those lists did not show."""
        if self.plan is None or self.rotation_queued or self.failure_reason:
            return
        self.rotation_queued = True
        due = self.plan.due_unlisted(self.listed)
        for url in due:
            self.crawler.engine.crawl(
                self._page_request(url, self.parse_meeting, "meeting", reason="rotation")
            )
        if due:
            raise DontCloseSpider

    # -- the site map ------------------------------------------------------------------------

    async def start(self):
        yield self._page_request(
            self.base_url + "mgListCommittees.aspx", self.parse_committees, "committee_list", fallback=True
        )

    def _page_request(self, url, callback, kind, **meta):
        return scrapy.Request(
            url, callback=callback, errback=self.page_failed, meta={"page_kind": kind, **meta}
        )

    def parse_committees(self, response: Response):
        fetch = self._fetch(response)
        try:
            committees = parse_committee_list(response.text, response.url)
        except (NotModernGov, AttributeError, ValueError):
            committees = []
        yield PageItem(self.council, fetch, "committee_list", committees=committees)
        if not committees:
            yield from self._committee_list_fallback(response.meta, "no committees listed")
            return
        self.committees_found += len(committees)
        for c in committees:
            url = f"{self.base_url}ieListMeetings.aspx?CommitteeId={c.site_id}"
            yield self._page_request(url, self.parse_meetings, "meeting_list", committee=c.site_id)

    def _committee_list_fallback(self, meta, why: str):
        if meta.get("fallback"):
            yield self._page_request(
                self.base_url + "mgCommitteeStructure.aspx",
                self.parse_committees,
                "committee_list",
                fallback=False,
            )
        elif not self.committees_found:
            self.failure_reason = f"not a ModernGov site, or no committees found at {self.base_url} ({why})"

    def parse_meetings(self, response: Response):
        fetch = self._fetch(response)
        try:
            listing = parse_meeting_list(response.text, response.url)
        except (NotModernGov, AttributeError, ValueError) as exc:
            fetch.error = f"unreadable meeting list: {exc}"
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
            if not self._date_wanted(m.date):
                continue
            reason = self.plan.visit(m.url, m.date, m.suffix) if self.plan else "full"
            if reason:
                yield self._page_request(m.url, self.parse_meeting, "meeting", reason=reason)

    def parse_meeting(self, response: Response):
        fetch = self._fetch(response)
        try:
            meeting = parse_meeting_page(response.text, response.url)
        except (NotModernGov, AttributeError, ValueError) as exc:
            fetch.error = f"unreadable meeting page: {exc}"
            yield PageItem(self.council, fetch, "meeting")
            return
        if meeting.site_id is None:
            meeting.site_id = site_id(query_param(response.request.url, "MId"))
        yield PageItem(self.council, fetch, "meeting", meeting=meeting, meeting_url=response.request.url)
        if self.plan and not self.plan.documents_due(
            response.request.url, response.meta.get("reason"), hashlib.sha256(response.body).hexdigest()
        ):
            return
        links = [*meeting.documents, *(d for item in meeting.items for d in item.documents)]
        for link in links:
            yield self._document_request(link, link.url, response.request.url)

    def _document_request(self, link: DocumentLink, url: str, meeting_url: str):
        is_pack = urlsplit(url).path.lower().endswith("mgchoosedocpack.aspx")
        validators = self.plan.validators.get(url, {}) if self.plan else {}
        return scrapy.Request(
            url,
            headers=validators,  # a document we hold: an unchanged one costs a 304
            callback=self.parse_doc_pack if is_pack else self.save_document,
            errback=self.document_failed,
            meta={
                "link": link,
                "meeting_url": meeting_url,
                "handle_httpstatus_list": [304] if validators else [],
            },
            priority=-1,  # pages first: they tell us what exists; documents fill in behind
        )

    def parse_doc_pack(self, response: Response):
        """mgChooseDocPack.aspx: either the PDF itself or a page offering the pack's PDF."""
        body = response.body
        if not looks_like_html(body, response.headers.get("Content-Type", b"").decode("latin-1")):
            yield from self.save_document(response)
            return
        fetch = self._fetch(response)
        try:
            offered = parse_doc_pack_page(response.text, response.url)
        except (NotModernGov, AttributeError, ValueError):
            offered = []
        yield PageItem(self.council, fetch, "doc_pack")
        link: DocumentLink = response.meta["link"]
        if not offered:
            yield DocumentItem(
                self.council,
                Fetch(
                    url=response.url,
                    fetched_at=_utcnow(),
                    status=response.status,
                    error="document pack page offers no document",
                ),
                link,
                response.meta["meeting_url"],
            )
            return
        yield self._document_request(link, offered[0].url, response.meta["meeting_url"]).replace(
            callback=self.save_document
        )

    def save_document(self, response: Response):
        link: DocumentLink = response.meta["link"]
        fetch = self._fetch(response)
        if response.status == 304:  # unchanged since the version we hold
            fetch.body = None
            yield DocumentItem(self.council, fetch, link, response.meta["meeting_url"])
            return
        expects_html = urlsplit(link.url).path.lower().endswith((".htm", ".html"))
        if not expects_html and looks_like_html(response.body, fetch.content_type):
            # A firewall challenge or error page served with 200 where a document was linked.
            fetch.error = "expected a document, got an HTML page (error or challenge page?)"
            fetch.body = None
        yield DocumentItem(self.council, fetch, link, response.meta["meeting_url"])

    # -- failures ----------------------------------------------------------------------------

    def page_failed(self, failure):
        request = failure.request
        fetch = self._failed_fetch(failure)
        yield PageItem(self.council, fetch, request.meta.get("page_kind", "page"))
        if request.meta.get("page_kind") == "committee_list":
            yield from self._committee_list_fallback(request.meta, fetch.error)

    def document_failed(self, failure):
        request = failure.request
        yield DocumentItem(
            self.council, self._failed_fetch(failure), request.meta["link"], request.meta["meeting_url"]
        )

    # -- helpers -----------------------------------------------------------------------------

    def _fetch(self, response: Response) -> Fetch:
        requested = (response.meta.get("redirect_urls") or [response.request.url])[0]
        headers = {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}
        return Fetch(
            url=requested,
            final_url=response.url if response.url != requested else None,
            fetched_at=_utcnow(),
            status=response.status,
            headers=headers,
            body=response.body,
            content_type=headers.get("Content-Type"),
        )

    def _failed_fetch(self, failure) -> Fetch:
        request = failure.request
        status = None
        if failure.check(HttpError):
            status = failure.value.response.status
            error = f"HTTP {status}"
        else:
            error = f"{failure.type.__name__}: {failure.getErrorMessage()}".strip()
        return Fetch(url=request.url, fetched_at=_utcnow(), status=status, error=error[:1000])

    def _year_wanted(self, year: int) -> bool:
        # ModernGov's Year=N may mean the calendar or the municipal year; take a year either side.
        if self.date_from and year < self.date_from.year - 1:
            return False
        return not (self.date_to and year > self.date_to.year)

    def _date_wanted(self, d: date | None) -> bool:
        if d is None:
            return True
        if self.date_from and d < self.date_from:
            return False
        return not (self.date_to and d > self.date_to)
