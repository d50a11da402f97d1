"""`detect` and `councils check` against hostile or broken sites, all served on 127.0.0.1.

Each route of ``Hostile`` writes raw bytes to the socket, so an answer can be anything: endless, a
gzip bomb, trickled a byte at a time, JSON, a PDF, not HTTP at all. No test touches the internet.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import shutil
import socket
import socketserver
import ssl
import subprocess
import threading
import time
import tracemalloc
import zlib
from collections import Counter

import pytest

from pipeline.cli import main
from pipeline.ops import detect as detect_mod
from pipeline.ops.detect import Detector
from pipeline.ops.registry import add, from_tsv, save

MB = 1024 * 1024
WSDL = b'<?xml version="1.0"?><wsdl:definitions name="mgWebService" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"/>'
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


def head(status: str = "200 OK", ctype: str | None = "text/html; charset=utf-8", length=None, extra=()):
    lines = [f"HTTP/1.1 {status}"]
    if ctype:
        lines.append(f"Content-Type: {ctype}")
    if length is not None:
        lines.append(f"Content-Length: {length}")
    lines += [*extra, "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1")


def answer(body: bytes, ctype: str | None = "text/html; charset=utf-8", status="200 OK", extra=()):
    def route(out, server):
        out.write(head(status, ctype, len(body), extra) + body)

    return route


def redirect(location: str, status="302 Found"):
    return answer(b"", None, status, extra=(f"Location: {location}",))


def trickle_body(out, server):
    """Headers promise a megabyte, then one byte every 0.25 s: every read succeeds, none finishes."""
    out.write(head(length=MB) + b"<html><body>")
    while not server.stop.wait(0.25):
        out.write(b" ")


def trickle_headers(out, server):
    out.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    while not server.stop.wait(0.25):
        out.write(b"z")


def trickle_no_length(out, server):
    """No Content-Length: the body ends when the connection does, so a cut-off looks like an end."""
    out.write(head() + b'<html><body><div id="modgov">')
    while not server.stop.wait(0.25):
        out.write(b" ")


def endless(out, server):
    """An HTML page with no end (capped at 1 GB so the thread ends if a client reads it all)."""
    out.write(head() + b"<html><head><title>Welcome</title></head><body>")
    chunk = b"<p>Committee meetings and agendas.</p>\n" * 2000
    for _ in range(GB // len(chunk)):
        if server.stop.is_set():
            return
        out.write(chunk)


GB = 1024 * MB


def big_moderngov(out, server):
    """6 MB with a Content-Length; the ModernGov mark is in the first kilobyte."""
    body = b'<html><body><div id="modgov"><a href="mgCommitteeStructure.aspx">x</a>' + b" " * (6 * MB)
    out.write(head(length=len(body)) + body)


def silent(out, server):
    server.stop.wait(30)


def garbage(out, server):
    out.write(b"SSH-2.0-OpenSSH_9.2p1\r\n\r\n")


def hang_up(out, server):
    pass


def many_headers(out, server):
    out.write(b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(200)) + b"\r\n")


def long_header(out, server):
    out.write(b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 100_000 + b"\r\n\r\n")


def bad_chunks(out, server):
    out.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n")


def short_body(out, server):
    out.write(head(length=1000) + b"<html>only a bit")


def http09(out, server):
    out.write(b'<html><div id="modgov"></div></html>')


class Hostile:
    """A 127.0.0.1 server: one request per connection, answered by ``routes[path]`` (404 if none)."""

    def __init__(self, routes: dict):
        self.routes = routes
        self.stop = threading.Event()
        self.hits: Counter = Counter()
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            wbufsize = 0

            def handle(self):
                line = self.rfile.readline(65537)
                if not line:
                    return
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                path = line.split()[1].decode("latin-1")
                outer.hits[path] += 1
                route = outer.routes.get(path, answer(b"<html>Not found</html>", status="404 Not Found"))
                with contextlib.suppress(OSError):  # the client hung up: what a bounded client does
                    route(self.wfile, outer)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


def gzip_bomb(inflated: int = 256 * MB) -> bytes:
    """A small gzip body that inflates to ``inflated`` bytes of an HTML page."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [packer.compress(b"<html><body>")]
    block = b" " * MB
    for _ in range(inflated // MB):
        parts.append(packer.compress(block))
    parts.append(packer.compress(b"</body></html>") + packer.flush())
    return b"".join(parts)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return gzip_bomb()


@pytest.fixture
def hostile(bomb):
    routes = {
        "/trickle": trickle_body,
        "/trickle-headers": trickle_headers,
        "/trickle-no-length": trickle_no_length,
        "/endless": endless,
        "/big": big_moderngov,
        "/silent": silent,
        "/garbage": garbage,
        "/hang-up": hang_up,
        "/many-headers": many_headers,
        "/long-header": long_header,
        "/bad-chunks": bad_chunks,
        "/short-body": short_body,
        "/http09": http09,
        "/nul-in-page": answer(b'<html><body><div id="modgov"></div>\x00</body></html>'),
        "/html-as-json": answer(b'<html><body><div id="modgov"></div></body></html>', "application/json"),
        "/xhtml": answer(
            b'<?xml version="1.0"?><!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml">'
            b'<body><div id="modgov"/></body></html>',
            "application/xhtml+xml",
        ),
        "/deep-json": answer(b"[" * 100_000),
        "/bomb": answer(bomb, extra=("Content-Encoding: gzip",)),
        "/gzip-ok": answer(gzip.compress(b'<div id="modgov"></div>'), extra=("Content-Encoding: gzip",)),
        "/bad-gzip": answer(b"\x1f\x8b\x08\x00 this is not gzip at all", extra=("Content-Encoding: gzip",)),
        "/loop/a": redirect("/loop/b"),
        "/loop/b": redirect("/loop/a"),
        "/ftp": redirect("ftp://127.0.0.1/minutes/"),
        "/json": answer(b'{"councillors": [{"name": "A"}]}', "application/json"),
        "/json-as-html": answer(b'[{"name": "A"}, {"name": "B"}]'),
        "/xml": answer(b'<?xml version="1.0"?><rss><channel><title>News</title></channel></rss>', "text/xml"),
        "/democracy/mgWebService.asmx?WSDL": answer(WSDL, "text/xml; charset=utf-8"),
        "/pdf": answer(
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n" + bytes(range(256)), "application/pdf"
        ),
        "/pdf-as-html": answer(b"%PDF-1.4\n" + bytes(range(256)) * 8),
        "/png": answer(PNG, "image/png"),
        "/empty": answer(b""),
        "/blank": answer(b"  \r\n\t  \n"),
        "/undecodable": answer(bytes((i * 131 + 7) % 256 for i in range(4096))),
        "/no-type": answer(b"\xff\xfe\x00\x00\x81\x8d\x90" * 300, None),
        "/bogus-charset": answer(
            b'<html><body><div id="modgov"></div></body></html>', "text/html; charset=x-nonsense"
        ),
        "/latin1": answer(
            b'<html><body>Caf\xe9 <a href="democracy/mgListCommittees.aspx">x</a></body></html>', "text/html"
        ),
        "/forbidden-json": answer(b'{"error": "forbidden"}', "application/json", "403 Forbidden"),
        "/ok/": answer(b'<html><body><div id="modgov"></div></body></html>'),
    }
    for n in range(40):
        routes[f"/chain/{n}"] = redirect(f"/chain/{n + 1}", "301 Moved Permanently")
    with Hostile(routes) as server:
        yield server


def dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/"


def timed(detector: Detector, url: str):
    start = time.monotonic()
    found = detector.detect(url)
    return found, time.monotonic() - start


# 1. bounds: size, inflated size, total time, redirects


@pytest.mark.timeout(60)
def test_endless_answer_is_classified_from_its_first_2_mb(hostile):
    found, took = timed(Detector(None, deadline=20), hostile.base + "endless")
    assert found.status == "other" and found.truncated, found
    assert "first 2 MB" in found.reason, found.reason
    assert took < 15


@pytest.mark.timeout(60)
def test_big_answer_with_a_length_is_read_only_to_the_limit(hostile):
    detector = Detector(None, deadline=20, max_bytes=512 * 1024)
    found = detector.detect(hostile.base + "big")
    assert (found.status, found.base_url, found.truncated) == ("moderngov", hostile.base, True)


@pytest.mark.timeout(60)
def test_gzip_bomb_is_not_inflated_whole(hostile, bomb):
    assert len(bomb) < 2 * MB  # a small answer on the wire...
    tracemalloc.start()
    try:
        found, took = timed(Detector(None, deadline=20), hostile.base + "bomb")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found.status == "other" and found.truncated, found  # ...that inflates to 256 MB
    assert peak < 40 * MB, f"peak {peak / MB:.0f} MB"
    assert took < 15


def test_gzip_answers_still_work_and_broken_gzip_is_one_line(hostile):
    detector = Detector(None, deadline=5)
    assert detector.detect(hostile.base + "gzip-ok").status == "moderngov"
    found = detector.detect(hostile.base + "bad-gzip")
    assert found.status == "unreachable" and "could not be decompressed" in found.reason, found


@pytest.mark.timeout(60)
@pytest.mark.parametrize("path", ["trickle", "trickle-headers", "trickle-no-length", "silent"])
def test_total_deadline_cuts_off_a_trickle(hostile, path):
    detector = Detector(None, deadline=2)  # the per-read timeout (20 s) never fires on a trickle
    found, took = timed(detector, hostile.base + path)
    assert found.status == "unreachable" and found.reason.startswith("timed out"), found
    assert "2 s" in found.reason
    assert 1.5 < took < 5


@pytest.mark.timeout(60)
def test_an_answer_cut_off_by_the_deadline_is_not_cached(hostile, tmp_path):
    detector = Detector(tmp_path / "cache", deadline=1.5)
    assert detector.detect(hostile.base + "trickle-no-length").status == "unreachable"
    hostile.routes["/trickle-no-length"] = answer(b"<html><body>plain</body></html>")
    again = detector.detect(hostile.base + "trickle-no-length")
    assert not again.from_cache and again.status == "other"


def test_per_read_timeout_still_applies(hostile):
    found, took = timed(Detector(None, timeout=1, deadline=20), hostile.base + "silent")
    assert found.status == "unreachable" and found.reason.startswith("timed out"), found
    assert took < 5


def test_the_deadline_covers_a_whole_detection_not_each_request(hostile):
    """A page that answers after 1.5 s, then a WSDL probe that would take as long again."""

    def slow_page(out, server):
        server.stop.wait(1.5)
        out.write(head(length=13) + b"<html></html>")

    hostile.routes["/slow/"] = slow_page
    hostile.routes["/slow/mgWebService.asmx?WSDL"] = slow_page
    found, took = timed(Detector(None, deadline=2), hostile.base + "slow/")
    assert took < 2.6 and found.status == "other"
    assert found.reason.endswith("no time left to ask for " + hostile.base + "slow/mgWebService.asmx?WSDL")


@pytest.mark.timeout(60)
def test_the_deadline_covers_a_tls_handshake_that_never_ends():
    with socket.socket() as listener:  # the kernel accepts; nobody ever answers the ClientHello
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        url = f"https://127.0.0.1:{listener.getsockname()[1]}/"
        found, took = timed(Detector(None, deadline=2), url)
    assert found.status == "unreachable" and found.reason.startswith("timed out"), found
    assert took < 4


def test_redirect_loop_and_too_many_redirects_give_one_line(hostile):
    detector = Detector(None, deadline=10)
    found = detector.detect(hostile.base + "loop/a")
    assert found.status == "unreachable" and found.reason.startswith("redirect loop"), found
    assert "/loop/a" in found.reason and "/loop/b" in found.reason
    found = detector.detect(hostile.base + "chain/0")
    assert found.status == "unreachable" and found.reason.startswith("too many redirects"), found
    assert hostile.hits["/chain/11"] == 0  # stopped after 10
    found = detector.detect(hostile.base + "ftp")
    assert found.status == "unreachable" and "ftp://" in found.reason and "\n" not in found.reason


def test_a_truncated_answer_is_cached_and_still_says_so(hostile, tmp_path):
    cache = tmp_path / "cache"
    first = Detector(cache, deadline=20, max_bytes=256 * 1024).detect(hostile.base + "big")
    second = Detector(cache, deadline=20, max_bytes=256 * 1024).detect(hostile.base + "big")
    assert hostile.hits["/big"] == 1 and second.from_cache
    assert (first.status, first.truncated) == (second.status, second.truncated) == ("moderngov", True)


# 2. answers that are not a committee site


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("json", "a JSON answer"),
        ("json-as-html", "a JSON answer"),
        ("xml", "an XML answer"),
        ("pdf", "a PDF"),
        ("pdf-as-html", "a PDF"),
        ("png", "an image"),
        ("empty", "an empty answer"),
        ("blank", "an empty answer"),
        ("undecodable", "not text"),
        ("no-type", "not text"),
    ],
)
def test_non_html_answers_give_one_clear_line(hostile, path, words):
    found = Detector(None, deadline=5).detect(hostile.base + path)
    assert found.status == "other", found
    assert words in found.reason and "\n" not in found.reason, found.reason


def test_odd_but_readable_pages_are_still_classified(hostile):
    detector = Detector(None, deadline=5)
    assert detector.detect(hostile.base + "bogus-charset").status == "moderngov"
    found = detector.detect(hostile.base + "latin1")
    assert (found.status, found.base_url) == ("moderngov", hostile.base + "democracy/")
    found = detector.detect(hostile.base + "democracy/mgWebService.asmx?WSDL")  # the WSDL itself
    assert (found.status, found.base_url) == ("moderngov", hostile.base + "democracy/")
    assert detector.detect(hostile.base + "forbidden-json").status == "blocked"
    for path in ("nul-in-page", "html-as-json", "xhtml"):
        assert detector.detect(hostile.base + path).status == "moderngov", path
    assert detector.detect(hostile.base + "deep-json").status == "other"  # too deep for json.loads


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("many-headers", "a broken answer from 127.0.0.1:"),
        ("long-header", "a broken answer from 127.0.0.1:"),
        ("bad-chunks", "bad chunked encoding"),
        ("short-body", "closed the connection before a complete answer"),
        ("http09", "not an HTTP answer"),
    ],
)
def test_broken_http_gives_one_line(hostile, path, words):
    found = Detector(None, deadline=5).detect(hostile.base + path)
    assert found.status == "unreachable" and words in found.reason and "\n" not in found.reason, found


@pytest.mark.skipif(not shutil.which("openssl"), reason="needs the openssl command for a certificate")
def test_https_goes_through_the_watched_connections(tmp_path, monkeypatch):
    """The deadline's socket watch wraps urllib3's HTTPS connections: TLS must still just work."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):  # they would override session.verify
        monkeypatch.delenv(name, raising=False)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = Hostile({"/democracy/": answer(b'<html><div id="modgov"></div></html>')})
    server.server.socket = context.wrap_socket(server.server.socket, server_side=True)
    with server:
        url = server.base.replace("http://", "https://") + "democracy/"
        detector = Detector(None, deadline=10)
        assert detector.detect(url).reason.startswith("TLS failed with 127.0.0.1:")  # not trusted
        detector.session.verify = str(cert)
        found = detector.detect(url)
    assert (found.status, found.base_url) == ("moderngov", url)


# 3. dead hosts, and the exit codes of `detect`


def test_dead_hosts_give_one_line(hostile, monkeypatch):
    detector = Detector(None, deadline=5)
    url = dead_url()
    found = detector.detect(url)
    port = url.rsplit(":", 1)[1].strip("/")
    assert (found.status, found.reason) == ("unreachable", f"connection refused by 127.0.0.1:{port}")

    real = socket.getaddrinfo

    def no_dns(host, *args, **kwargs):
        if host == "no-such-council.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    found = detector.detect("http://no-such-council.invalid/democracy/")
    assert (found.status, found.reason) == (
        "unreachable",
        "host unreachable: DNS lookup failed for no-such-council.invalid",
    )
    for path, words in [("garbage", "not an HTTP answer"), ("hang-up", "closed the connection")]:
        found = detector.detect(hostile.base + path)
        assert found.status == "unreachable" and words in found.reason, found


def test_detect_exit_codes_and_json_keys(hostile, capsys):
    assert main(["detect", dead_url(), "--cache", ""]) == 1
    assert capsys.readouterr().out.startswith("unreachable: connection refused by 127.0.0.1:")
    assert main(["detect", hostile.base + "forbidden-json", "--cache", ""]) == 1
    assert capsys.readouterr().out.startswith("blocked: ")
    assert main(["detect", hostile.base + "json", "--cache", ""]) == 0
    assert capsys.readouterr().out == "other: a JSON answer, not a committee site\n"
    assert main(["detect", hostile.base + "ok/", "--cache", "", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    old_keys = {"url", "status", "base_url", "final_url", "moved", "reason", "from_cache"}
    assert old_keys <= set(doc) and doc["status"] == "moderngov"


def test_detect_reports_an_unexpected_failure_on_one_line(hostile, capsys, monkeypatch):
    def broken(self, url):
        raise RuntimeError("parser fell over\nsecond line")

    monkeypatch.setattr(Detector, "detect", broken)
    assert main(["detect", hostile.base + "ok/", "--cache", ""]) == 1
    out = capsys.readouterr().out
    assert out == "error: detection failed: RuntimeError: parser fell over second line\n"


# 4. `councils check` goes on past a bad council


@pytest.mark.timeout(60)
def test_councils_check_goes_on_past_a_bad_council(hostile, tmp_path, capsys, monkeypatch):
    path = tmp_path / "councils.toml"
    doc = from_tsv(io.StringIO("code\tslug\tname\tnation\tplatform\tbase_url\n"))
    add(doc, "first", hostile.base + "ok/")
    add(doc, "explodes", hostile.base + "explodes/")
    add(doc, "trickles", hostile.base + "trickle-no-length/")
    add(doc, "json", hostile.base + "json/")
    add(doc, "gone", dead_url())
    add(doc, "last", hostile.base + "ok/")
    save(doc, path)
    hostile.routes["/trickle-no-length/"] = trickle_no_length
    hostile.routes["/json/"] = hostile.routes["/json"]
    real = Detector.detect

    def sometimes_broken(self, url):
        if "explodes" in url:
            raise ValueError("something nobody foresaw")
        return real(self, url)

    monkeypatch.setattr(Detector, "detect", sometimes_broken)
    monkeypatch.setattr(detect_mod, "DEFAULT_DEADLINE", 1.5)
    code = main(["councils", "check", "--config", str(path), "--cache", ""])
    lines = {line.split()[0]: line.split(None, 2) for line in capsys.readouterr().out.splitlines()}
    assert code == 1
    assert list(lines) == ["first", "explodes", "trickles", "json", "gone", "last"]
    assert lines["first"][1] == lines["last"][1] == "ok"
    assert lines["explodes"][1:] == ["error", "detection failed: ValueError: something nobody foresaw"]
    assert lines["trickles"][1] == "unreachable" and lines["trickles"][2].startswith("timed out")
    assert lines["json"][1:] == ["other", "a JSON answer, not a committee site"]
    assert lines["gone"][1] == "unreachable" and "connection refused" in lines["gone"][2]


def test_councils_check_of_an_unknown_slug_fails_before_checking_any(hostile, tmp_path, capsys):
    path = tmp_path / "councils.toml"
    doc = from_tsv(io.StringIO("code\tslug\tname\tnation\tplatform\tbase_url\n"))
    add(doc, "first", hostile.base + "ok/")
    save(doc, path)
    code = main(["councils", "check", "--config", str(path), "--cache", "", "--council", "first", "nope"])
    assert code == 2 and hostile.hits["/ok/"] == 0
    assert "nope" in capsys.readouterr().err
