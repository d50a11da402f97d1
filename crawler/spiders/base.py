"""What every council spider does alike, whatever the platform's site map.

Every response or failure becomes one item (crawler/items.py): a page, a document, or its failure
with a one-line reason a person can act on. Nothing is dropped silently: a refused redirect, a URL
too long to request, a page the parser could not read are all failed fetches in the archive's log.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import (
    CannotResolveHostError,
    DontCloseSpider,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import (
    ConnectError,
    ConnectionRefusedError,
    DNSLookupError,
    NoRouteError,
    TCPTimedOutError,
    TimeoutError,
)

from crawler.items import DocumentItem, Fetch, PageItem
from crawler.pages import DocumentLink
from crawler.urls import council_slug_for, looks_like_html, normalise_base_url

MAX_REQUEST_URL = 2083  # what browsers and many servers accept; longer links are not requested
UNREACHABLE = (
    DNSLookupError,
    ConnectionRefusedError,
    TCPTimedOutError,
    TimeoutError,
    NoRouteError,
    ConnectError,
)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def as_date(value) -> date | None:
    if value in (None, "") or isinstance(value, date):
        return value or None
    return date.fromisoformat(str(value))


def describe_failure(failure, url: str) -> str:
    """One line for what went wrong with a request."""
    host = urlsplit(url).hostname or url
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    # Scrapy 2.13+ wraps Twisted's errors in its own; older ones pass Twisted's through.
    if failure.check(DNSLookupError, CannotResolveHostError):
        return f"host unreachable: DNS lookup failed for {host}"
    if failure.check(ConnectionRefusedError, DownloadConnectionRefusedError):
        port = urlsplit(url).port or (443 if url.startswith("https") else 80)
        return f"host unreachable: connection refused by {host}:{port}"
    if failure.check(TCPTimedOutError, TimeoutError, DownloadTimeoutError):
        return f"host unreachable: no answer from {host} (timed out)"
    if failure.check(NoRouteError, ConnectError, DownloadFailedError):
        return f"host unreachable: cannot connect to {host} ({failure.getErrorMessage()[:200]})"
    if failure.check(IgnoreRequest):
        message = failure.getErrorMessage()
        if "max redirections" in message:
            return "too many redirects (a redirect loop?)"
        if message.startswith("redirect loop"):
            return "too many redirects (a redirect loop?): " + message[:900]
        return message[:1000]
    return f"{failure.type.__name__}: {failure.getErrorMessage()}".strip()[:1000]


class CouncilSpider(scrapy.Spider):
    """The common half of the ModernGov and CMIS spiders. Subclasses give the site map."""

    def __init__(
        self,
        base_url: str,
        council: str | None = None,
        council_name: str | None = None,
        date_from=None,
        date_to=None,
        plan=None,
        allowed_hosts=(),
        *args,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.base_url = normalise_base_url(base_url)
        self.council = council or council_slug_for(self.base_url)
        self.council_name = council_name
        self.date_from = as_date(date_from)
        self.date_to = as_date(date_to)
        # The council's own host, and hosts the registry allows its redirects to reach (a CDN, the
        # council's main site): crawler.middlewares.SiteBoundary refuses any other, loudly.
        extra = allowed_hosts.split(",") if isinstance(allowed_hosts, str) else list(allowed_hosts or ())
        self.allowed_hosts = {
            urlsplit(self.base_url).hostname,
            *(h.strip().lower() for h in extra if h.strip()),
        }
        # An incremental run's RevisitPlan (crawler/revisit.py); None revisits everything.
        self.plan = plan
        self.listed: set[str] = set()
        self.rotation_queued = False
        self.failure_reason: str | None = None
        self.committees_found = 0
        self.answered = False  # did the host ever answer? (a dead host is one line, not a crawl of errors)

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
        retry = sorted(self.plan.retry - self.listed - set(due))  # not stored last time, not listed tonight
        for url in due:
            self.crawler.engine.crawl(self.meeting_request(url, "rotation"))
        for url in retry:
            self.crawler.engine.crawl(self.meeting_request(url, "retry"))
        due = due or retry
        if due:
            raise DontCloseSpider

    def meeting_request(self, url: str, reason: str) -> scrapy.Request:
        raise NotImplementedError

    # -- requests ----------------------------------------------------------------------------

    def too_long(self, url: str, kind: str) -> PageItem | None:
        """A failed fetch for a URL too long to request, or None."""
        if len(url) <= MAX_REQUEST_URL:
            return None
        error = f"URL of {len(url):,} characters (over {MAX_REQUEST_URL:,}): not requested"
        return PageItem(self.council, Fetch(url=url[:4000], fetched_at=utcnow(), error=error), kind)

    def too_long_document(self, link: DocumentLink, meeting_url: str) -> DocumentItem | None:
        if len(link.url) <= MAX_REQUEST_URL:
            return None
        error = f"URL of {len(link.url):,} characters (over {MAX_REQUEST_URL:,}): not requested"
        return DocumentItem(
            self.council, Fetch(url=link.url[:4000], fetched_at=utcnow(), error=error), link, meeting_url
        )

    def document_request(self, link: DocumentLink, meeting_url: str, callback=None, url: str | None = None):
        """The request for a document (``url``: where its bytes are, when not its own link)."""
        validators = self._validators(link, url)
        return scrapy.Request(
            url or link.url,
            headers=validators,  # a document we hold: an unchanged one costs a 304
            callback=callback or self.save_document,
            errback=self.document_failed,
            meta={
                "link": link,
                "meeting_url": meeting_url,
                "handle_httpstatus_list": [304] if validators else [],
            },
            priority=-1,  # pages first: they tell us what exists; documents fill in behind
        )

    def _validators(self, link: DocumentLink, url: str | None = None) -> dict[str, str]:
        """Conditional-request headers for a document we hold: by key (CMIS URLs change), else URL."""
        if self.plan is None:
            return {}
        return (link.key and self.plan.validators.get(link.key)) or self.plan.validators.get(
            url or link.url, {}
        )

    def save_document(self, response: Response):
        link: DocumentLink = response.meta["link"]
        fetch = self.fetched(response)
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
        fetch = self.failed_fetch(failure)
        yield PageItem(self.council, fetch, request.meta.get("page_kind", "page"))
        yield from self.after_page_failure(request.meta, fetch)

    def after_page_failure(self, meta: dict, fetch: Fetch):
        """What the site map does next when a page could not be fetched (a fallback, say)."""
        return ()

    def document_failed(self, failure):
        request = failure.request
        yield DocumentItem(
            self.council, self.failed_fetch(failure), request.meta["link"], request.meta["meeting_url"]
        )

    def unreachable(self, fetch: Fetch) -> bool:
        """The host never answered and this failure says why: the run's one line."""
        return not self.answered and bool(fetch.error) and fetch.error.startswith("host unreachable")

    # -- helpers -----------------------------------------------------------------------------

    def fetched(self, response: Response) -> Fetch:
        self.answered = True
        requested = (response.meta.get("redirect_urls") or [response.request.url])[0]
        headers = {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}
        return Fetch(
            url=requested,
            final_url=response.url if response.url != requested else None,
            fetched_at=utcnow(),
            status=response.status,
            headers=headers,
            body=response.body,
            content_type=headers.get("Content-Type"),
        )

    def failed_fetch(self, failure) -> Fetch:
        request = failure.request
        if failure.check(HttpError):
            self.answered = True
        requested = (request.meta.get("redirect_urls") or [request.url])[0]
        return Fetch(
            url=requested,
            final_url=request.url if request.url != requested else None,
            fetched_at=utcnow(),
            status=failure.value.response.status if failure.check(HttpError) else None,
            error=describe_failure(failure, request.url),
        )

    def date_wanted(self, d: date | None) -> bool:
        if d is None:
            return True
        if self.date_from and d < self.date_from:
            return False
        return not (self.date_to and d > self.date_to)
