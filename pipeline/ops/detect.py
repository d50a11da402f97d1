"""`council-archive detect URL` and `councils check`: what platform a site runs, and where.

Fetching uses requests with requests-cache (a SQLite cache under data/, a day long by default), so
checking all councils twice in a day costs one round of requests and works offline from the cache.
``classify`` is pure: it reads one page and says ModernGov (with its base folder), CMIS, a
challenge page, a script redirect, or neither; ``classify_answer`` first says what an answer is when
it is no page at all (JSON, XML, a PDF, an image, empty, not text).

The world is hostile, so one detection is bounded: each answer is read to at most ``max_bytes``
after decompression (2 MB; a bigger one is classified from its first 2 MB, and a gzip bomb is never
inflated further), redirects stop at ``MAX_REDIRECTS``, and the whole detection (every request,
redirect and probe) ends at a total ``deadline`` (30 s): the sockets it opened are shut down then,
which ends a read that a per-read timeout never would (a server trickling a byte a second). Every
failure is one line in ``Detection.reason``, never a traceback.

Longer than 400 lines: classifying an answer, bounding the fetch (deadline, watched sockets, the
bounded adapter) and naming failures are one concern, a detection; if it grows, the bounded fetch
is the part to move into a module of its own.
"""

from __future__ import annotations

import contextlib
import contextvars
import http.client
import json
import re
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import urllib3
from parsel import Selector
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection

DEFAULT_CACHE = Path("data/http_cache")
DEFAULT_DEADLINE = 30.0  # seconds for one whole detection
MAX_BYTES = 2 * 1024 * 1024  # of one answer, after decompression
MAX_REDIRECTS = 10
CHUNK = 64 * 1024
TRUNCATED = "X-Council-Archive-Truncated"  # set on an answer cut at max_bytes (kept in the cache)
USER_AGENT = "council-archive/0.1 (+https://github.com/council-archive/council-archive; site detection)"
MG_PAGE = re.compile(r"(?:^|/)(?:mg|ie)[A-Za-z]+\.aspx$", re.IGNORECASE)
CHALLENGE = re.compile(
    r"just a moment|attention required|cf-chl|request rejected|incapsula|access denied|are you a robot",
    re.IGNORECASE,
)
JS_HTTPS_REDIRECT = re.compile(
    r"""["']https://["']\s*\+\s*\w+|window\.location\s*=\s*["']https://""", re.IGNORECASE
)
BLOCKING_CODES = (401, 403, 429)
NOT_A_PAGE = "not a committee site"
MAGIC = (
    (b"%PDF-", "a PDF"),
    (b"\x89PNG\r\n\x1a\n", "an image"),
    (b"GIF87a", "an image"),
    (b"GIF89a", "an image"),
    (b"\xff\xd8\xff", "an image"),
    (b"PK\x03\x04", "a ZIP or Office file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Office file"),
    (b"\x1f\x8b", "a gzip file"),
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
    truncated: bool = False  # classified from the first max_bytes of a bigger answer


def folder(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path if parts.path.endswith("/") else parts.path.rsplit("/", 1)[0] + "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def classify(url: str, status: int, body: str) -> Detection:
    """What one HTTP answer (after redirects) says about the site at ``url``."""
    sel = Selector(text=body or "<html></html>", type="html")  # never guessed as JSON
    if sel.css("div#modgov"):
        return Detection(url, "moderngov", folder(url), reason="a ModernGov page (div#modgov)")
    for href in sel.xpath("//a/@href").getall():
        try:
            target = urljoin(url, href.strip())
            path = urlsplit(target).path
        except ValueError:  # an href no URL parser accepts ("http://[bad")
            continue
        if MG_PAGE.search(path):
            return Detection(url, "moderngov", folder(target), reason=f"links to {path}")
    cmis_marks = sel.xpath(
        "//*[contains(translate(@class,'CMIS','cmis'),'cmis')]|//a[contains(@href,'ViewMeetingPublic')]"
    )
    if cmis_marks or re.search(r"//cmis\.|/cmis\d*/", body, re.IGNORECASE):
        return Detection(url, "cmis", reason="CMIS markup")
    text = " ".join(sel.xpath("//title//text()|//body//text()").getall())[:5000]
    if status in BLOCKING_CODES or (CHALLENGE.search(text) and len(text) < 3000):
        return Detection(url, "blocked", reason=f"HTTP {status}: a firewall or challenge page")
    if JS_HTTPS_REDIRECT.search(body) and url.startswith("http://"):
        return Detection(url, "other", reason="a script redirect to https")
    if "sharepoint" in body.lower():
        return Detection(url, "other", reason="a SharePoint page, not a committee site")
    return Detection(url, "other", reason=f"HTTP {status}: neither ModernGov nor CMIS")


def _charset(content_type: str) -> str | None:
    found = re.search(r"""charset\s*=\s*["']?([\w.:-]+)""", content_type or "", re.IGNORECASE)
    return found.group(1) if found else None


def decode(content_type: str, body: bytes) -> str:
    """The text of an answer: its declared charset if Python knows it, else UTF-8, else cp1252."""
    charset = _charset(content_type)
    if charset:
        try:
            return body.decode(charset, errors="replace")
        except (LookupError, UnicodeError, ValueError):  # unknown, or not a text encoding ("base64")
            pass
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except (ValueError, RecursionError):
        return False
    return True


def _is_wsdl(text: str) -> bool:
    return "mgWebService" in text and "definitions" in text


def what_it_is(content_type: str, body: bytes) -> str | None:
    """What an answer is when it is no page to read for markup (JSON, XML, a PDF, ...), else None.

    The bytes are trusted before the Content-Type: an HTML error page served as application/json
    is still a page, and a PDF served as text/html is still a PDF."""
    mime = (content_type or "").split(";")[0].strip().lower()
    start = body[:4096].lstrip(b" \t\r\n\xef\xbb\xbf")  # and a UTF-8 byte order mark
    if not start:
        return "an empty answer"
    for magic, name in MAGIC:
        if start.startswith(magic):
            return name
    text = decode(content_type, body[:8192])
    bad = sum(1 for c in text if c == "\ufffd" or (c < " " and c not in "\t\n\r\f"))
    if bad > len(text) * 0.05:
        return f"an answer that is not text ({len(body)} bytes)"
    markup = start.startswith(b"<")
    if (start[:1] in (b"{", b"[") and _is_json(body)) or (not markup and "json" in mime):
        return "a JSON answer"
    if markup:
        xml = mime in ("text/xml", "application/xml") or (mime.endswith("+xml") and "xhtml" not in mime)
        is_html = re.search(rb"<html|<!doctype html", start, re.IGNORECASE)
        return "an XML answer" if (xml or start.startswith(b"<?xml")) and not is_html else None
    if mime.startswith("image/"):
        return "an image"
    if mime == "application/pdf":
        return "a PDF"
    if mime.startswith(("audio/", "video/", "font/")):
        return "a media file"
    return None


def _size(n: int) -> str:
    mb, kb = 1024 * 1024, 1024
    return f"{n // mb} MB" if n % mb == 0 else f"{n // kb} KB" if n % kb == 0 else f"{n} bytes"


def classify_answer(url: str, status: int, content_type: str, body: bytes) -> Detection:
    """``classify`` for any answer: says first what it is if it is no page (pure, like classify)."""
    kind = what_it_is(content_type, body)
    if kind == "an XML answer" and _is_wsdl(decode(content_type, body)):
        return Detection(url, "moderngov", folder(url), reason="the ModernGov WSDL (mgWebService)")
    if kind is None:
        return classify(url, status, decode(content_type, body))
    if kind == "an XML answer":
        kind = "an XML answer (not the ModernGov WSDL)"
    if status in BLOCKING_CODES:
        return Detection(url, "blocked", reason=f"HTTP {status}: refused ({kind})")
    prefix = "" if status == 200 else f"HTTP {status}: "
    return Detection(url, "other", reason=f"{prefix}{kind}, {NOT_A_PAGE}")


# Bounding one detection: a total deadline, and answers read to a size ------------------------------


class DeadlineExceeded(requests.Timeout):
    """The whole detection ran out of time (not one read: a trickle never times a read out)."""


_CURRENT: contextvars.ContextVar[_Deadline | None] = contextvars.ContextVar("detect_deadline", default=None)


class _Deadline:
    """One detection's time limit. Every socket opened under it (``_CURRENT``) is watched through a
    duplicate descriptor, and shut down when the time is up: a read blocked on it, in the TCP or TLS
    handshake, the headers or the body, then ends at once."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False
        self._watched: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._token = _CURRENT.set(self)
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        _CURRENT.reset(self._token)
        with self._lock:
            for sock in self._watched:
                sock.close()
            self._watched.clear()

    def remaining(self) -> float:
        return self.ends - time.monotonic()

    def over(self) -> bool:
        return self.expired or self.remaining() <= 0.01

    def watch(self, sock: socket.socket) -> None:
        try:
            dup = sock.dup()  # shutdown() of a duplicate ends the connection; it outlives TLS's detach()
        except OSError:
            return
        with self._lock:
            self._watched.append(dup)
            if self.expired:
                _shut(dup)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._watched:
                _shut(sock)

    def check(self) -> None:
        if self.over():
            raise DeadlineExceeded(f"no complete answer within {self.seconds:g} s")


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # never connected, or already gone
        sock.shutdown(socket.SHUT_RDWR)


class _WatchedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        deadline = _CURRENT.get()
        if deadline is not None:
            deadline.watch(sock)
        return sock


class _WatchedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        deadline = _CURRENT.get()
        if deadline is not None:
            deadline.watch(sock)
        return sock


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class _BoundedAdapter(HTTPAdapter):
    """The network, as requests and requests-cache see it: every answer comes back already read, to
    at most ``max_bytes`` after decompression (urllib3 inflates only what is asked for), within the
    current deadline. So the body requests-cache stores is bounded, and a redirect's body is not read.
    An answer cut off by the deadline raises ``DeadlineExceeded`` and is never cached."""

    def __init__(self, max_bytes: int):
        super().__init__()
        self.max_bytes = max_bytes

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = POOLS

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if type(manager) is urllib3.ProxyManager:  # not SOCKS, which has pools of its own
            manager.pool_classes_by_scheme = POOLS
        return manager

    def send(self, request, stream=False, timeout=None, **kwargs):
        deadline = _CURRENT.get()
        if deadline is not None:
            deadline.check()
            left = max(deadline.remaining(), 0.01)
            if timeout is None or isinstance(timeout, int | float | tuple):  # (connect, read), per read
                connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
                timeout = (min(connect or left, left), min(read or left, left))
        try:
            response = super().send(request, stream=True, timeout=timeout, **kwargs)
            body, cut = self._read(response)
        except requests.RequestException as exc:
            if deadline is not None and deadline.over():
                raise DeadlineExceeded(f"no complete answer within {deadline.seconds:g} s") from exc
            raise
        if deadline is not None and deadline.expired:  # the socket was shut: what came may be partial
            raise DeadlineExceeded(f"no complete answer within {deadline.seconds:g} s")
        response._content, response._content_consumed = body, True
        if cut:
            response.headers[TRUNCATED] = str(self.max_bytes)
        return response

    def _read(self, response: requests.Response) -> tuple[bytes, bool]:
        parts: list[bytes] = []
        size = 0
        try:
            if not response.is_redirect:  # only its Location matters
                for chunk in response.iter_content(CHUNK):
                    parts.append(chunk)
                    size += len(chunk)
                    if size > self.max_bytes:
                        break
        finally:
            response.raw.close()  # read to the end or not, the connection is not used again
        return b"".join(parts)[: self.max_bytes], size > self.max_bytes


# Saying what went wrong, in one line ----------------------------------------------------------------


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _causes(exc: BaseException):
    """``exc`` and what it wraps: requests and urllib3 keep the cause in args, reason and __cause__."""
    todo, seen = [exc], set()
    while todo:
        e = todo.pop(0)
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        linked = (e.__cause__, e.__context__, getattr(e, "reason", None), *getattr(e, "args", ()))
        todo += [x for x in linked if isinstance(x, BaseException)]


def _host_port(url: str) -> tuple[str, str]:
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return parts.hostname or url, f"{parts.hostname}:{port}"
    except ValueError:
        return url, url


def _redirects(exc: requests.TooManyRedirects, url: str) -> str:
    last = exc.response
    seen = [r.url for r in last.history] + [last.url] if last is not None else []
    if not seen or seen[0] != url:  # requests' history starts with the first answer
        seen.insert(0, url)
    for i, hop in enumerate(seen):
        if hop in seen[:i]:
            cycle = seen[seen.index(hop) : i + 1]
            return "redirect loop: " + " -> ".join(cycle)
    end = f", the last to {last.url}" if last is not None else ""
    return f"too many redirects: more than {MAX_REDIRECTS} from {url}{end}"


def failure(exc: BaseException, url: str, deadline: _Deadline | None = None) -> str:
    """One line for why ``url`` gave no answer to classify."""
    request = getattr(exc, "request", None)
    host, host_port = _host_port(getattr(request, "url", None) or url)
    causes = list(_causes(exc))

    def caused_by(*kinds) -> bool:
        return any(isinstance(e, kinds) for e in causes)

    if isinstance(exc, DeadlineExceeded) or (deadline is not None and deadline.over()):
        seconds = deadline.seconds if deadline is not None else DEFAULT_DEADLINE
        return f"timed out: no complete answer within {seconds:g} s (the limit for one detection)"
    if isinstance(exc, requests.TooManyRedirects):
        return _redirects(exc, url)
    if caused_by(socket.gaierror, urllib3.exceptions.NameResolutionError):
        return f"host unreachable: DNS lookup failed for {host}"
    if caused_by(ConnectionRefusedError):
        return f"connection refused by {host_port}"
    if isinstance(exc, requests.Timeout) or caused_by(TimeoutError, urllib3.exceptions.TimeoutError):
        return f"timed out: no answer from {host_port} in time"
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        return f"a broken answer from {host_port}: its body could not be decompressed"
    if isinstance(exc, requests.exceptions.SSLError):
        return f"TLS failed with {host_port}: {one_line(causes[-1])}"
    if caused_by(urllib3.exceptions.InvalidChunkLength):
        return f"a broken answer from {host_port}: bad chunked encoding"
    if caused_by(http.client.RemoteDisconnected, ConnectionResetError, http.client.IncompleteRead):
        return f"{host_port} closed the connection before a complete answer"
    if caused_by(http.client.BadStatusLine):
        return f"not an HTTP answer from {host_port}"
    broken = [e for e in causes if isinstance(e, http.client.HTTPException)]
    if broken:  # more than 100 headers, a header line over 64 KB, ...
        return f"a broken answer from {host_port}: {one_line(broken[0])}"
    if isinstance(exc, (requests.exceptions.InvalidSchema, requests.exceptions.MissingSchema)):
        return f"an address that is not http(s): {one_line(exc)}"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return f"a broken answer from {host_port}: {one_line(causes[-1])}"
    return f"no answer from {host_port}: {one_line(exc)}"


# Failures of one request that are the site's, not ours: reported, never raised.
FETCH_ERRORS = (requests.RequestException, http.client.HTTPException, ValueError, UnicodeError)


class Detector:
    def __init__(
        self,
        cache: Path | None = DEFAULT_CACHE,
        expire_after: int = 86400,
        timeout: float = 20,
        deadline: float | None = None,
        max_bytes: int = MAX_BYTES,
        remember: bool = True,
    ):
        """``timeout``: per connect and per read; ``deadline``: for one whole detection
        (``DEFAULT_DEADLINE`` when None); ``max_bytes``: of each answer, after decompression;
        ``cache``: the answers' cache file (None: in memory, for this run); ``remember=False``: no
        cache at all (the one detection before a crawl: requests-cache is not even imported)."""
        if remember:
            import requests_cache  # its backends' imports take longer than the one detection

            self.session = requests_cache.CachedSession(
                str(cache) if cache else "council-archive-detect",
                backend="sqlite" if cache else "memory",
                expire_after=expire_after,
                allowable_codes=(200, 301, 302, 403, 404, 410, 429, 500, 503),
            )
        else:
            self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.max_redirects = MAX_REDIRECTS
        adapter = _BoundedAdapter(max_bytes)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.timeout = timeout
        self.deadline = deadline
        self.max_bytes = max_bytes

    def _get(self, url: str):
        return self.session.get(url, timeout=self.timeout, allow_redirects=True)

    def detect(self, url: str) -> Detection:
        seconds = self.deadline if self.deadline is not None else DEFAULT_DEADLINE
        with _Deadline(seconds) as deadline:
            try:
                return self._detect(url, deadline)
            finally:
                for adapter in self.session.adapters.values():
                    adapter.close()  # no connection outlives its detection's deadline

    def _detect(self, url: str, deadline: _Deadline) -> Detection:
        try:
            response = self._get(url)
        except FETCH_ERRORS as exc:
            return Detection(url, "unreachable", reason=failure(exc, url, deadline))
        final = response.url
        ctype = response.headers.get("Content-Type", "")
        found = classify_answer(final, response.status_code, ctype, response.content)
        cut = response.headers.get(TRUNCATED, "")
        if cut.isdigit():
            found.truncated = True
            found.reason += f"; from the first {_size(int(cut))} of a bigger answer"
        if found.reason.startswith("a script redirect to https"):
            secure = "https://" + url.split("://", 1)[1]
            again = self._detect(secure, deadline)
            again.url, again.moved = url, True
            again.reason = f"script redirect to https; {again.reason}"
            return again
        if found.status == "other":  # a ModernGov install need not link to itself from every page
            wsdl = urljoin(folder(final), "mgWebService.asmx?WSDL")
            try:
                probe = self._get(wsdl)
                text = decode(probe.headers.get("Content-Type", ""), probe.content)
                if probe.status_code == 200 and _is_wsdl(text):
                    found = Detection(
                        url, "moderngov", folder(probe.url), reason="mgWebService.asmx?WSDL answers"
                    )
            except FETCH_ERRORS:
                if deadline.over():
                    found.reason += f"; no time left to ask for {wsdl}"
        found.url, found.final_url = url, final
        found.moved = urlsplit(final).netloc != urlsplit(url).netloc
        found.from_cache = bool(getattr(response, "from_cache", False))
        return found
