"""`council-archive detect URL` and `councils check`: what platform a site runs, and where.

Fetching uses requests with requests-cache (a SQLite cache under data/, a day long by default), so
checking all councils twice in a day costs one round of requests and works offline from the cache.
``classify`` is pure: it reads one answer and says ModernGov (with its base folder), CMIS, a
challenge page, a script redirect, or neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import requests_cache
from parsel import Selector

DEFAULT_CACHE = Path("data/http_cache")
USER_AGENT = "council-archive/0.1 (+https://github.com/council-archive/council-archive; site detection)"
MG_PAGE = re.compile(r"(?:^|/)(?:mg|ie)[A-Za-z]+\.aspx$", re.IGNORECASE)
CHALLENGE = re.compile(
    r"just a moment|attention required|cf-chl|request rejected|incapsula|access denied|are you a robot",
    re.IGNORECASE,
)
JS_HTTPS_REDIRECT = re.compile(
    r"""["']https://["']\s*\+\s*\w+|window\.location\s*=\s*["']https://""", re.IGNORECASE
)


@dataclass
class Detection:
    url: str  # what was asked
    status: str  # moderngov | cmis | other | blocked | unreachable
    base_url: str | None = None  # the ModernGov folder (holds mgWebService.asmx)
    final_url: str | None = None  # after redirects
    moved: bool = False  # redirects ended on another host
    reason: str = ""
    from_cache: bool = False


def folder(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path if parts.path.endswith("/") else parts.path.rsplit("/", 1)[0] + "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def classify(url: str, status: int, body: str) -> Detection:
    """What one HTTP answer (after redirects) says about the site at ``url``."""
    sel = Selector(text=body or "<html></html>")
    if sel.css("div#modgov"):
        return Detection(url, "moderngov", folder(url), reason="a ModernGov page (div#modgov)")
    for href in sel.xpath("//a/@href").getall():
        target = urljoin(url, href.strip())
        if MG_PAGE.search(urlsplit(target).path):
            return Detection(url, "moderngov", folder(target), reason=f"links to {urlsplit(target).path}")
    cmis_marks = sel.xpath(
        "//*[contains(translate(@class,'CMIS','cmis'),'cmis')]|//a[contains(@href,'ViewMeetingPublic')]"
    )
    if cmis_marks or re.search(r"//cmis\.|/cmis\d*/", body, re.IGNORECASE):
        return Detection(url, "cmis", reason="CMIS markup")
    text = " ".join(sel.xpath("//title//text()|//body//text()").getall())[:5000]
    if status in (401, 403, 429) or (CHALLENGE.search(text) and len(text) < 3000):
        return Detection(url, "blocked", reason=f"HTTP {status}: a firewall or challenge page")
    if JS_HTTPS_REDIRECT.search(body) and url.startswith("http://"):
        return Detection(url, "other", reason="a script redirect to https")
    if "sharepoint" in body.lower():
        return Detection(url, "other", reason="a SharePoint page, not a committee site")
    return Detection(url, "other", reason=f"HTTP {status}: neither ModernGov nor CMIS")


class Detector:
    def __init__(self, cache: Path | None = DEFAULT_CACHE, expire_after: int = 86400, timeout: float = 20):
        cache_name = str(cache) if cache else "council-archive-detect"
        self.session = requests_cache.CachedSession(
            cache_name,
            backend="sqlite" if cache else "memory",
            expire_after=expire_after,
            allowable_codes=(200, 301, 302, 403, 404, 410, 429, 500, 503),
        )
        self.session.headers["User-Agent"] = USER_AGENT
        self.timeout = timeout

    def _get(self, url: str):
        return self.session.get(url, timeout=self.timeout, allow_redirects=True)

    def detect(self, url: str) -> Detection:
        try:
            response = self._get(url)
        except requests.RequestException as exc:
            return Detection(
                url, "unreachable", reason=f"{type(exc).__name__}: no answer from {urlsplit(url).netloc}"
            )
        final = response.url
        found = classify(final, response.status_code, response.text)
        if found.reason == "a script redirect to https":
            secure = "https://" + url.split("://", 1)[1]
            again = self.detect(secure)
            again.url, again.moved = url, True
            again.reason = f"script redirect to https; {again.reason}"
            return again
        if found.status == "other":  # a ModernGov install need not link to itself from every page
            wsdl = urljoin(folder(final), "mgWebService.asmx?WSDL")
            try:
                probe = self._get(wsdl)
                if probe.status_code == 200 and "mgWebService" in probe.text and "definitions" in probe.text:
                    found = Detection(
                        url, "moderngov", folder(probe.url), reason="mgWebService.asmx?WSDL answers"
                    )
            except requests.RequestException:
                pass
        found.url, found.final_url = url, final
        found.moved = urlsplit(final).netloc != urlsplit(url).netloc
        found.from_cache = bool(getattr(response, "from_cache", False))
        return found
