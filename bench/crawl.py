"""Full-crawl throughput against a bare Scrapy spider fetching the same URLs, split in two.

    python bench/crawl.py [--committees 5 --years 4 --per-year 12] [--pdf-pages 1] [--extractor pdfium]

Serves a generated ModernGov site (>= 200 meetings; its PDFs lengthened by --pdf-pages pages of
council-style paragraphs) on 127.0.0.1 and, in child processes one after
the other on the same machine (the ratios are what to compare). Each archive's schema is made
before its crawl is timed (``db upgrade``: once per archive, where the nightly crawls archives
that exist):

1. crawls it with ``council-archive crawl`` into a fresh SQLite archive (the full pipeline);
2. crawls it again into another fresh archive with the extract stage switched off: the pipeline's
   own overhead (blobs, page parsing, minutes of meeting pages, batched transactions, the derive);
3. fetches exactly the URLs crawl 1 requested with a bare Scrapy spider (no parsing, no storage),
   same concurrency, no delay; 2 and 3 alternate for --rounds rounds and the best of each counts;
4. extracts the PDFs crawl 1 extracted with ExtractionPool alone (bench/extract.py's way: one
   worker per core, a task per document): the pool's own rate, against the crawl's extraction
   throughput (pages over the wall time with an extraction in flight, crawl_runs.stats); 1 and 4
   alternate for --extract-rounds rounds (the machine's speed drifts minute to minute), and the
   best of each counts.

The generated site is served from this process, on the same cores: its CPU time per full crawl is
printed too (a remote council's server costs the crawl nothing).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.extract import corpus, run_pool  # noqa: E402
from pipeline.demo.sample_site import build_site  # noqa: E402
from pipeline.demo.site_server import SiteServer  # noqa: E402

# `council-archive crawl` with the extract stage switched off (Scrapy: a pipeline set to None)
NO_EXTRACT = r"""
import sys
import pipeline.ops.crawl as crawl
settings_of = crawl.crawl_settings
def without_extraction(*args, **kwargs):
    settings = settings_of(*args, **kwargs)
    stages = dict(settings.getdict("ITEM_PIPELINES"), **{"pipeline.stages.ExtractStage": None})
    settings.set("ITEM_PIPELINES", stages, priority="cmdline")
    return settings
crawl.crawl_settings = without_extraction
from pipeline.cli import main
sys.exit(main(sys.argv[1:]))
"""

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
    ap.add_argument("--rounds", type=int, default=3, help="rounds of the crawl without extraction and bare")
    ap.add_argument(
        "--extract-rounds", type=int, default=2, help="rounds of the full crawl and the pool alone"
    )
    ap.add_argument("--extractor", help="the crawl's --extractor (default: the crawl's default)")
    ap.add_argument(
        "--pdf-pages",
        type=int,
        default=1,
        help="pages added to each generated PDF (they have one or two): council papers are longer, "
        "and with one-page PDFs extraction is never what the crawl waits for",
    )
    args = ap.parse_args()
    load_before = os.getloadavg()[0]  # other jobs on the machine skew every figure
    site = build_site(
        committees=args.committees,
        years=tuple(range(2022, 2022 + args.years)),
        meetings_per_year=args.per_year,
        prefix="/democracy/",
        seed=7,
    )
    n_meetings = len(site.meetings)
    if args.pdf_pages:
        lengthen_pdfs(site.routes, args.pdf_pages)
    with tempfile.TemporaryDirectory() as tmp, SiteServer(site) as server:

        def crawl(name: str, *prefix: str) -> float:
            # the archive's schema is made first, untimed: a one-off per archive, not per crawl
            # (the nightly crawls into an archive that exists; the timing is the crawl's)
            db = f"sqlite:///{tmp}/{name}.sqlite"
            subprocess.run(
                [sys.executable, "-m", "pipeline.cli", "db", "upgrade", "--db", db],
                check=True,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
            )
            t0, cpu0 = time.perf_counter(), time.process_time()
            subprocess.run(
                [*prefix, "crawl", "--base-url", server.base_url, "--council", "bench", "--delay", "0"]
                + ["--concurrency", str(args.concurrency), "--db", db]
                + (["--extractor", args.extractor] if args.extractor else []),
                check=True,
                cwd=ROOT,
                env={"COUNCIL_ARCHIVE_BLOBS": f"{tmp}/{name}-blobs", "PATH": ""},
                stdout=subprocess.DEVNULL,
            )
            # this process only serves the site meanwhile: the server's CPU, on the crawl's cores
            server_cpu[name] = time.process_time() - cpu0
            return time.perf_counter() - t0

        server_cpu: dict[str, float] = {}
        cores = os.cpu_count() or 1
        full, stats, crawl_rate, pool_rate = float("inf"), None, 0.0, 0.0
        for round_no in range(max(1, args.extract_rounds)):  # the full crawl and the pool alone alternate
            full = min(full, crawl(f"full-{round_no}", sys.executable, "-m", "pipeline.cli"))
            if round_no == 0:  # the URLs the bare spider fetches: those of one crawl
                requested = [k for k, n in server.hits.items() for _ in range(n) if k != "/robots.txt"]
            again, pdfs = extracted(f"{tmp}/full-{round_no}.sqlite", Path(f"{tmp}/full-{round_no}-blobs"))
            rate = again["extracted_pages"] / again["extract_busy_s"] if again["extract_busy_s"] else 0.0
            if stats is None or rate > crawl_rate:
                stats, crawl_rate = again, rate
            pool_s, results = run_pool(stats["extractor"], pdfs, cores)
            pool_rate = max(pool_rate, sum(len(r.pages) for r in results) / pool_s)
        urls = [
            f"http://{server.httpd.server_address[0]}:{server.httpd.server_address[1]}{k}" for k in requested
        ]
        url_file = Path(tmp) / "urls.txt"
        url_file.write_text("\n".join(u.replace(" ", "%20") for u in urls))
        # the machine may be shared: the two alternate for --rounds rounds, the best of each counts
        no_extract = bare = float("inf")
        for round_no in range(args.rounds):
            no_extract = min(no_extract, crawl(f"no-extract-{round_no}", sys.executable, "-c", NO_EXTRACT))
            server.hits.clear()
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-c", BARE_SPIDER, str(url_file), str(args.concurrency)], check=True
            )
            bare = min(bare, time.perf_counter() - t0)
            assert sum(server.hits.values()) == len(urls), "the bare spider fetched a different set"
    n = len(urls)
    result = {
        "meetings": n_meetings,
        "requests": n,
        "cores": cores,
        "load_average_before": round(load_before, 2),
        "full_crawl_s": round(full, 2),
        "full_pages_per_s": round(n / full, 1),
        "no_extraction_crawl_s": round(no_extract, 2),
        "no_extraction_pages_per_s": round(n / no_extract, 1),
        "bare_scrapy_s": round(bare, 2),
        "bare_pages_per_s": round(n / bare, 1),
        "full_vs_bare_ratio": round(bare / full, 2),
        "pipeline_overhead_vs_bare_ratio (goal >= 0.5)": round(bare / no_extract, 2),
        "extractor": stats["extractor"],
        "pdfs_extracted": len(pdfs),
        "pdf_pages_extracted": stats["extracted_pages"],
        "crawl_extraction_busy_s": stats["extract_busy_s"],
        "site_server_cpu_s_per_full_crawl": round(min(v for k, v in server_cpu.items() if "full" in k), 2),
        "crawl_extraction_pages_per_s": round(crawl_rate, 1),
        "pool_alone_pages_per_s": round(pool_rate, 1),
        "extraction_in_crawl_vs_pool_ratio (goal >= 0.9)": round(crawl_rate / pool_rate, 2),
    }
    print(json.dumps(result, indent=2))


def lengthen_pdfs(routes: dict, pages: int) -> None:
    """Append ``pages`` pages of council-style paragraphs to every PDF the site serves (PDFium)."""
    import io

    import pypdfium2 as pdfium

    filler = pdfium.PdfDocument(corpus(2, pages)[1])
    while len(filler) > pages:  # keep exactly ``pages``
        filler.del_page(len(filler) - 1)
    for key, (ctype, body) in list(routes.items()):
        if ctype == "application/pdf":
            doc = pdfium.PdfDocument(body)
            doc.import_pages(filler)
            out = io.BytesIO()
            doc.save(out)
            routes[key] = (ctype, out.getvalue())
            doc.close()
    filler.close()


def extracted(db_file: str, blobs: Path) -> tuple[dict, list[bytes]]:
    """The run's statistics and the bytes of every PDF it extracted, in the order it extracted them."""
    with sqlite3.connect(db_file) as conn:
        stats = json.loads(
            conn.execute("SELECT stats FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()[0]
        )
        rows = conn.execute(
            "SELECT sha256, extractor FROM text_extractions WHERE status != 'failed' ORDER BY id"
        ).fetchall()
    stats["extractor"] = rows[0][1]
    return stats, [(blobs / s[:2] / s[2:4] / s).read_bytes() for s, _ in rows]


if __name__ == "__main__":
    main()
