"""Downloader middlewares: the council's site boundary, redirect loops, and the server's Retry-After.

Scrapy's own OffsiteMiddleware drops a redirect to another host silently (at scheduling, where no
errback runs); ``SiteBoundary`` refuses it while it is being downloaded instead, so the request's
errback records it as a failed fetch with its reason. ``RetryAfter`` waits what a 429 or 503 asks
(bounded) before Scrapy's RetryMiddleware tries again.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from urllib.parse import urljoin

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

MAX_RETRY_AFTER_S = 300.0  # never wait longer than this for one answer


class SiteBoundary:
    """Only the council's hosts (its site's, and those its registry entry allows) are requested."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        spider = spider or self.crawler.spider
        allowed = getattr(spider, "allowed_hosts", None)
        host = (urlparse_cached(request).hostname or "").lower()
        if not allowed or host in allowed or request.meta.get("allow_offsite"):
            return None
        first = (request.meta.get("redirect_urls") or [None])[0]
        if first:
            raise IgnoreRequest(
                f"redirected to another host ({host}), not followed: allow it with "
                f"`council-archive councils set {spider.council} allowed_hosts={host}`"
            )
        raise IgnoreRequest(f"link to another host ({host}), not followed")


class RedirectLoop:
    """A redirect back to a URL already in its own chain (A -> A, A -> B -> A) is refused here: the
    duplicate filter would otherwise drop the next hop without a word."""

    def process_response(self, request, response, spider=None):
        if not 300 <= response.status < 400 or b"Location" not in response.headers:
            return response
        target = urljoin(request.url, response.headers[b"Location"].decode("latin-1").strip())
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in chain:
            raise IgnoreRequest(f"redirect loop: {request.url} redirects back to {target}")
        return response


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date), bounded; None if absent or junk."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit() and len(value) < 10:
        return min(float(value), MAX_RETRY_AFTER_S)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    seconds = when.timestamp() - (now if now is not None else time.time())
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


class RetryAfter:
    """Before a 429 / 503 goes to the retry middleware, wait what its Retry-After asks."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_response(self, request, response, spider=None):
        if response.status in (429, 503):
            wait = retry_after_seconds(response.headers.get("Retry-After", b"").decode("latin-1"))
            if wait:
                self.crawler.stats.inc_value("retry_after/waited_s", int(wait))
                await asyncio.sleep(wait)
        return response
