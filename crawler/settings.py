"""Scrapy settings: polite by default (robots.txt, one request at a time per host, 1 s delay).

``council-archive crawl --delay/--concurrency`` override the politeness for tests and local mirrors.
"""

import os

from scrapy.settings import default_settings as _defaults

BOT_NAME = "council-archive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = os.environ.get(
    "COUNCIL_ARCHIVE_USER_AGENT",
    "council-archive/0.1 (+https://github.com/council-archive/council-archive; "
    "archiving UK council committee papers for research)",
)
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 8  # across councils; per host it is one at a time
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5  # +-50 % around DOWNLOAD_DELAY, like a person
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 60
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_MAXSIZE = int(os.environ.get("COUNCIL_ARCHIVE_MAX_DOCUMENT_BYTES", 100 * 1024 * 1024))
DOWNLOAD_WARNSIZE = 0

# The council's site boundary refuses other hosts loudly (a failed fetch with its reason) instead
# of Scrapy's silent offsite filter; Retry-After is waited out before a retry. URL lengths are
# checked by the spiders, which record an over-long link as a failed fetch.
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.SiteBoundary": 50,
    "crawler.middlewares.RetryAfter": 560,
    "crawler.middlewares.RedirectLoop": 650,  # sees a 3xx before the RedirectMiddleware (600) does
}
# Components switched off by leaving them out of Scrapy's base lists, not by a None in
# DOWNLOADER_MIDDLEWARES / EXTENSIONS: Scrapy imports every key of those to normalise it, so a
# None there still costs the module's import (remote control imports aiohttp: 0.14 s per crawl).
_UNUSED = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware",  # SiteBoundary replaces it
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",  # COOKIES_ENABLED is False
    "scrapy.extensions.remote_control.RemoteControl",  # never switched on here
}
DOWNLOADER_MIDDLEWARES_BASE = {
    k: v for k, v in _defaults.DOWNLOADER_MIDDLEWARES_BASE.items() if k not in _UNUSED
}
EXTENSIONS_BASE = {k: v for k, v in _defaults.EXTENSIONS_BASE.items() if k not in _UNUSED}
URLLENGTH_LIMIT = 0
REDIRECT_MAX_TIMES = 10

# Scrapy runs this many tasks per response to process what its callback yields: ours yield one item
# (and a few requests) each, and 100 idle tasks per response cost a fifth of the crawl's CPU.
CONCURRENT_ITEMS = 8
# Scrapy's check re-reads and parses the source of a callback at every call (bound methods miss its
# cache): a lint for development, not a crawl's job.
WARN_ON_GENERATOR_RETURN_VALUE = False

COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("COUNCIL_ARCHIVE_LOG_LEVEL", "INFO")

# The pipeline, in order: bytes to the blob store, text of new PDFs, minutes, rows to the archive.
# (Item pipelines are named by string: the crawler package itself imports nothing from pipeline.)
ITEM_PIPELINES = {
    "pipeline.stages.CaptureStage": 100,
    "pipeline.stages.ExtractStage": 300,
    "pipeline.stages.ParseStage": 500,
    "pipeline.stages.StoreStage": 900,
}
EXTRACT_WORKERS = int(os.environ.get("COUNCIL_ARCHIVE_EXTRACT_WORKERS", 0))  # 0: one per core
EXTRACTOR = os.environ.get("COUNCIL_ARCHIVE_EXTRACTOR", "pdfminer.six")  # --extractor pdfium: opt-in
OCR = os.environ.get("COUNCIL_ARCHIVE_OCR", "") == "1"  # --ocr: Tesseract on pages with no usable text
# Batches written by a process of their own, off the crawl's thread (COUNCIL_ARCHIVE_WRITER_PROCESS=0:
# by the crawl's process itself, as a crawl into a private in-memory SQLite database always is).
WRITER_PROCESS = os.environ.get("COUNCIL_ARCHIVE_WRITER_PROCESS", "1") != "0"
# CPU seconds (not wall time) one text or meeting page may take to parse in a crawl
PARSE_TIMEOUT = float(os.environ.get("COUNCIL_ARCHIVE_PARSE_TIMEOUT", 60))
COUNCIL_YEAR_CONVENTION = None  # the council's profile (the CLI sets it from the registry)

# Where the archive is (the CLI sets this from --db / COUNCIL_ARCHIVE_DB).
ARCHIVE_DB = os.environ.get("COUNCIL_ARCHIVE_DB")
