"""Run a council's spider (pipeline.ops.spiders) in this process (Scrapy's CrawlerProcess) and report the outcome."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

from crawler.urls import council_slug_for, normalise_base_url
from pipeline.archive.db import make_read_engine
from pipeline.ops.plan import build_plan, full_crawl_needed
from pipeline.ops.spiders import spider_for


@dataclass
class CrawlOutcome:
    run_id: int | None
    failure_reason: str | None
    stats: dict
    partial_reason: str | None = None  # some items could not be stored: the run is "partial"
    full_because: str | None = None  # an incremental run that revisited everything, and why


def crawl_settings(
    db_url: str,
    delay: float | None = None,
    concurrency: int | None = None,
    user_agent: str | None = None,
    log_level: str | None = None,
    year_convention: str | None = None,
    extractor: str | None = None,
    ocr: bool = False,
):
    settings = get_project_settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.set("ARCHIVE_DB", db_url, priority="cmdline")
    if delay is not None:
        settings.set("DOWNLOAD_DELAY", delay, priority="cmdline")
        settings.set("AUTOTHROTTLE_START_DELAY", max(delay, 0.01), priority="cmdline")
        settings.set("DOWNLOAD_DELAY_JITTER", 0.5 if delay > 0 else 0, priority="cmdline")
        if delay == 0:  # a local mirror: nothing to be polite to
            settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
    if concurrency is not None:
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", concurrency, priority="cmdline")
        settings.set("CONCURRENT_REQUESTS", max(concurrency, 8), priority="cmdline")
        settings.set("AUTOTHROTTLE_TARGET_CONCURRENCY", float(concurrency), priority="cmdline")
    if user_agent:
        settings.set("USER_AGENT", user_agent, priority="cmdline")
    if log_level:
        settings.set("LOG_LEVEL", log_level, priority="cmdline")
    if year_convention:
        settings.set("COUNCIL_YEAR_CONVENTION", year_convention, priority="cmdline")
    if extractor:
        settings.set("EXTRACTOR", extractor, priority="cmdline")
    if ocr:
        settings.set("OCR", True, priority="cmdline")
    return settings


# Failures these log (with tracebacks) are recorded in the fetch log and the run report already.
RECORDED_ELSEWHERE = ("scrapy.downloadermiddlewares.retry", "scrapy.downloadermiddlewares.robotstxt")


def quiet_recorded_failures(level: str | None) -> None:
    if (level or "WARNING").upper() not in ("DEBUG", "INFO"):
        for name in RECORDED_ELSEWHERE:
            logging.getLogger(name).setLevel(logging.CRITICAL)


def plan_for(db_url: str, slug: str):
    """(tonight's revisit plan, None), or (None, why everything is revisited). Decided from the
    archive here, so the spider needs no SQL."""
    engine = make_read_engine(db_url)
    try:
        full_because = full_crawl_needed(engine, slug)
        return (None if full_because else build_plan(engine, slug)), full_because
    finally:
        engine.dispose()


def run_crawl(
    db_url: str,
    base_url: str,
    council: str | None = None,
    name: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    incremental: bool = False,
    allowed_hosts: list[str] | None = None,
    platform: str | None = None,
    **setting_overrides,
) -> CrawlOutcome:
    """Crawl one site into the archive. Runs Twisted's reactor: once per process."""
    settings = crawl_settings(db_url, **setting_overrides)
    process = CrawlerProcess(settings)
    quiet_recorded_failures(settings.get("LOG_LEVEL"))
    crawler = process.create_crawler(spider_for(platform))
    plan = full_because = None
    if incremental:
        plan, full_because = plan_for(db_url, council or council_slug_for(normalise_base_url(base_url)))
    process.crawl(
        crawler,
        base_url=base_url,
        council=council,
        council_name=name,
        date_from=date_from,
        date_to=date_to,
        plan=plan,
        allowed_hosts=allowed_hosts or (),
    )
    process.start()
    spider = crawler.spider
    stats = crawler.stats.get_stats() if crawler.stats else {}
    return CrawlOutcome(
        getattr(spider, "run_id", None),
        getattr(spider, "failure_reason", None),
        stats,
        getattr(spider, "partial_reason", None),
        full_because,
    )
