"""A local HTTP server for a generated site (demo, tests, benchmarks), on a loopback address only
(127.0.0.2, .3 ... stand in for distinct council hosts)."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pipeline.demo.sample_site import SampleSite, route_key


class SiteServer:
    """Serves ``site.routes``; the routes may be swapped while running (a site changing state)."""

    def __init__(self, site: SampleSite, port: int = 0, host: str = "127.0.0.1"):
        self.site = site
        self.hits: Counter = Counter()
        self.fail_next: Counter = Counter()  # route key -> how many 503s to answer before serving it
        self.retry_after: dict[str, int] = {}  # route key -> Retry-After seconds sent with those 503s
        self.not_modified = 0  # 304s answered
        self.log: list[tuple[float, float, str]] = []  # (start, end, route key) of every request
        self.in_flight = self.max_in_flight = 0  # requests being answered at once (politeness check)
        self.latency = 0.0  # seconds each answer takes (a real server is not instant)
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls

            def do_GET(self):  # noqa: N802 (http.server's naming)
                start = time.monotonic()
                with server._lock:
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    if server.latency:
                        time.sleep(server.latency)
                    self._answer(route_key(self.path))
                finally:
                    with server._lock:
                        server.in_flight -= 1
                        server.log.append((start, time.monotonic(), route_key(self.path)))

            def _answer(self, key: str) -> None:
                server.hits[key] += 1
                if key == "/robots.txt":
                    found = ("text/plain", b"User-agent: *\nAllow: /\n")
                else:
                    found = server.site.routes.get(key)
                if server.fail_next[key] > 0:
                    server.fail_next[key] -= 1
                    self.send_response(503)
                    if key in server.retry_after:
                        self.send_header("Retry-After", str(server.retry_after[key]))
                    body, ctype = b"<html><body>Service Unavailable</body></html>", "text/html"
                elif found is None:
                    self.send_response(404)
                    body = b"<html><body>Not found</body></html>"
                    ctype = "text/html"
                elif found[0] == "redirect":  # a site that moved: 301 to wherever the body says
                    self.send_response(301)
                    self.send_header("Location", found[1].decode())
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                else:
                    ctype, body = found
                    etag = '"' + hashlib.sha1(body).hexdigest() + '"'  # noqa: S324 (a validator, not security)
                    if self.headers.get("If-None-Match") == etag:
                        server.not_modified += 1
                        self.send_response(304)
                        self.send_header("ETag", etag)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    self.send_response(200)
                    self.send_header("ETag", etag)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # keep test and demo output clean
                pass

        if not host.startswith("127."):
            raise ValueError("fixture sites are served on loopback addresses only (127.x.x.x)")
        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}{self.site.prefix}"

    def __enter__(self) -> SiteServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
