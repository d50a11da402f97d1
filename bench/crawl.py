"""Full-crawl throughput against a bare Scrapy spider fetching the same URLs.

    python bench/crawl.py [--committees 5 --years 4 --per-year 12]

Serves a generated ModernGov site (>= 200 meetings) on 127.0.0.1, crawls it with
``council-archive crawl`` into a fresh SQLite archive, then fetches exactly the URLs that crawl
requested with a bare Scrapy spider (no parsing, no storage), same concurrency, no delay. Both run
in child processes, one after the other on the same machine; the ratio is what to compare.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.demo.sample_site import build_site  # noqa: E402
from pipeline.demo.site_server import SiteServer  # noqa: E402

BARE_SPIDER = r"""
import sys, scrapy
from scrapy.crawler import CrawlerProcess
urls = open(sys.argv[1]).read().split()
class Bare(scrapy.Spider):
    name = "bare"
    async def start(self):
        for u in urls:
            yield scrapy.Request(u, dont_filter=True)
    def parse(self, response):
        pass
p = CrawlerProcess({"LOG_LEVEL": "ERROR", "CONCURRENT_REQUESTS": int(sys.argv[2]),
                    "CONCURRENT_REQUESTS_PER_DOMAIN": int(sys.argv[2]), "DOWNLOAD_DELAY": 0,
                    "ROBOTSTXT_OBEY": False, "TELNETCONSOLE_ENABLED": False})
p.crawl(Bare)
p.start()
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--committees", type=int, default=5)
    ap.add_argument("--years", type=int, default=4)
    ap.add_argument("--per-year", type=int, default=12)
    ap.add_argument("--concurrency", type=int, default=4)
    args = ap.parse_args()
    site = build_site(
        committees=args.committees,
        years=tuple(range(2022, 2022 + args.years)),
        meetings_per_year=args.per_year,
        prefix="/democracy/",
        seed=7,
    )
    n_meetings = len(site.meetings)
    with tempfile.TemporaryDirectory() as tmp, SiteServer(site) as server:
        db = f"sqlite:///{tmp}/bench.sqlite"
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pipeline.cli",
                "crawl",
                "--base-url",
                server.base_url,
                "--council",
                "bench",
                "--delay",
                "0",
                "--concurrency",
                str(args.concurrency),
                "--db",
                db,
            ],
            check=True,
            cwd=ROOT,
            env={"COUNCIL_ARCHIVE_BLOBS": f"{tmp}/blobs", "PATH": ""},
            stdout=subprocess.DEVNULL,
        )
        full = time.perf_counter() - t0
        requested = [k for k, n in server.hits.items() for _ in range(n) if k != "/robots.txt"]
        urls = [
            f"http://{server.httpd.server_address[0]}:{server.httpd.server_address[1]}{k}" for k in requested
        ]
        url_file = Path(tmp) / "urls.txt"
        url_file.write_text("\n".join(u.replace(" ", "%20") for u in urls))
        server.hits.clear()
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", BARE_SPIDER, str(url_file), str(args.concurrency)], check=True)
        bare = time.perf_counter() - t0
        assert sum(server.hits.values()) == len(urls), "the bare spider fetched a different set"
    result = {
        "meetings": n_meetings,
        "requests": len(urls),
        "full_crawl_s": round(full, 2),
        "full_pages_per_s": round(len(urls) / full, 1),
        "bare_scrapy_s": round(bare, 2),
        "bare_pages_per_s": round(len(urls) / bare, 1),
        "full_vs_bare_ratio": round((len(urls) / full) / (len(urls) / bare), 2),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
