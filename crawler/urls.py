"""URLs as council sites write them: cleaning hrefs, reading query ids, a site's base and slug. Pure.

Browsers drop tabs and newlines inside URLs (WHATWG URL standard) and percent-encode spaces;
ModernGov hrefs contain both (file names with spaces, hrefs wrapped over CR-LF). Links that are
not web addresses (``javascript:``, ``mailto:``, placeholders such as ``http://[insert link]``)
are never URLs of the site: ``clean_href`` answers None for them, so one bad link is skipped
rather than losing the page.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urljoin, urlsplit

from w3lib.url import safe_url_string

MAX_SITE_ID = 2**63 - 1  # site ids are stored as 64-bit integers
MAX_URL_LENGTH = 65536  # longer "URLs" are junk; spiders refuse (and record) anything over 2,083
_WEB_SCHEMES = ("http", "https")


def clean_href(href: str, base_url: str) -> str | None:
    """Absolute, browser-equivalent http(s) URL for an href as written, or None when it is not one."""
    href = href.replace("\t", "").replace("\r", "").replace("\n", "").strip()
    if not href or href.startswith("#"):
        return None
    try:
        url = safe_url_string(urljoin(base_url, href))
        parts = urlsplit(url)
        host = parts.hostname  # raises ValueError for "http://[insert link]"
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
    except ValueError:
        return None
    if parts.scheme.lower() not in _WEB_SCHEMES or not host or len(url) > MAX_URL_LENGTH:
        return None
    return url


def query_param(url: str, *names: str) -> str | None:
    """First value of any of ``names`` in the URL's query, case-insensitively."""
    query = {k.lower(): v for k, v in parse_qs(urlsplit(url).query).items()}
    for name in names:
        values = query.get(name.lower())
        if values:
            return values[0]
    return None


def site_id(value: str | None) -> int | None:
    """A site's numeric id (CId, MId, AI...): ASCII digits that fit 64 bits, else None."""
    if value is None:
        return None
    value = value.strip()
    if not value or len(value) > 19 or not (value.isascii() and value.isdigit()):
        return None
    n = int(value)
    return n if n <= MAX_SITE_ID else None


def page_name(url: str) -> str:
    """The last path segment, lower-cased: ``ielistdocuments.aspx``."""
    return urlsplit(url).path.rsplit("/", 1)[-1].lower()


def normalise_base_url(url: str) -> str:
    """The site's folder: ``https://host/sub/`` from a base URL or any ``*.aspx`` page in it."""
    parts = urlsplit(url.strip())
    path = parts.path or "/"
    if path.lower().endswith((".aspx", ".asmx", ".htm", ".html")):
        path = path.rsplit("/", 1)[0] + "/"
    if not path.endswith("/"):
        path += "/"
    return f"{parts.scheme}://{parts.netloc}{path}"


def council_slug_for(base_url: str) -> str:
    """A council slug guessed from the host, when none is given: democracy.kingston.gov.uk -> kingston."""
    host = urlsplit(base_url).hostname or "council"
    for prefix in ("www.", "democracy.", "moderngov.", "committees.", "edemocracy.", "councillors."):
        if host.startswith(prefix):
            host = host[len(prefix) :]
    return host.split(".")[0]


def looks_like_html(body: bytes, content_type: str | None) -> bool:
    """An HTML page (an error or challenge page) rather than a document, also after a BOM or comment."""
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"%pdf"):
        return False
    if (content_type or "").lower().startswith(("text/html", "application/xhtml")):
        return True
    if head.startswith(b"<?xml"):  # XHTML error pages; an XML document proper has no <html
        return b"<html" in head
    return head.startswith((b"<!doctype", b"<html", b"<!--", b"<head", b"<body"))


# CMIS install folders seen in the registry and the issue: /cmis/, /cmis5/, /cmis5public/, /cmis5live/,
# /EssexCmis5/, /ccc_live/, /live/, /dms/. Pages under them vary (Councillors.aspx, DNN tab paths).
CMIS_INSTALL = re.compile(r"^(?:[a-z]*cmis\d*(?:public|live)?|ccc_live|live|dms)$", re.IGNORECASE)


def cmis_install_root(url: str) -> str | None:
    """The folder a CMIS install lives in, from any URL inside it, or None when the path shows no
    known install folder: ``https://host/cmis5/Councillors/tabid/62/.../Default.aspx`` ->
    ``https://host/cmis5/`` (a URL naming a meetings page keeps its folder: its page is tried first)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in _WEB_SCHEMES or not parts.netloc:
        return None
    segments = [s for s in parts.path.split("/") if s]
    for i in range(len(segments) - 1, -1, -1):
        if CMIS_INSTALL.match(segments[i]):
            return f"{parts.scheme}://{parts.netloc}/" + "".join(s + "/" for s in segments[: i + 1])
    return None
