"""Many councils crawled at once in one process: one Scrapy crawler per council, one reactor.

Politeness stays per host: each crawler has its own downloader, so its host gets one request at a
time, the delay, AutoThrottle and robots.txt exactly as in a crawl of that council alone, and two
councils on the same host are never crawled at the same time. At most ``max_hosts`` councils crawl
at once; when one ends the next starts. All crawlers share one extraction pool, one parse pool and
one write engine (``pipeline.stages.SharedResources``). A council still crawling at its time budget
is stopped (its run is recorded ``partial``, with the reason), so a slow site never holds up the rest.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.utils.defer import deferred_from_coro

from crawler.spiders.moderngov import ModernGovSpider
from pipeline.ops.crawl import CrawlOutcome, crawl_settings, plan_for, quiet_recorded_failures
from pipeline.stages import SharedResources

logger = logging.getLogger(__name__)
DEFAULT_TIME_BUDGET_S = float(os.environ.get("COUNCIL_ARCHIVE_TIME_BUDGET", 6 * 3600))


def default_max_hosts() -> int:
    """Councils crawled at once: a polite crawl mostly waits on its delay, so a core serves many."""
    return max(4, 8 * (os.cpu_count() or 1))


@dataclass
class CouncilJob:
    slug: str
    base_url: str
    name: str | None = None
    year_convention: str | None = None
    allowed_hosts: list[str] = field(default_factory=list)
    spider: type | str = ModernGovSpider  # the platform's spider class (or its Scrapy name)
    incremental: bool = True

    @property
    def host(self) -> str:
        return (urlsplit(self.base_url).hostname or self.base_url).lower()


def crawl_many(
    db_url: str,
    jobs: list[CouncilJob],
    max_hosts: int | None = None,
    time_budget: float | None = DEFAULT_TIME_BUDGET_S,
    on_start: Callable[[CouncilJob], None] | None = None,
    on_done: Callable[[CouncilJob, CrawlOutcome], None] | None = None,
    **setting_overrides,
) -> dict[str, CrawlOutcome]:
    """Crawl every job into the archive; the outcome of each, by slug. Runs Twisted's reactor: once
    per process."""
    settings = crawl_settings(db_url, **setting_overrides)
    process = CrawlerProcess(settings)
    quiet_recorded_failures(settings.get("LOG_LEVEL"))
    limit = max(1, max_hosts or default_max_hosts())
    pending = list(jobs)
    busy_hosts: set[str] = set()
    outcomes: dict[str, CrawlOutcome] = {}
    shared = SharedResources.open(
        db_url, settings.getint("EXTRACT_WORKERS") or None, settings.get("EXTRACTOR") or None
    )

    def start_next() -> None:
        while pending and len(busy_hosts) < limit:
            job = next((j for j in pending if j.host not in busy_hosts), None)
            if job is None:  # the rest wait for a host being crawled now
                return
            pending.remove(job)
            busy_hosts.add(job.host)
            try:
                launch(job)
            except Exception as exc:  # the archive could not plan it: this council fails, not the night
                logger.exception("%s: could not start", job.slug)
                busy_hosts.discard(job.host)
                done(job, CrawlOutcome(None, f"could not start: {type(exc).__name__}: {exc}", {}))

    def launch(job: CouncilJob) -> None:
        plan, full_because = plan_for(db_url, job.slug) if job.incremental else (None, None)
        crawler = process.create_crawler(job.spider)
        if job.year_convention:
            crawler.settings.set("COUNCIL_YEAR_CONVENTION", job.year_convention, priority="cmdline")
        crawler.shared = shared
        if on_start:
            on_start(job)
        d = process.crawl(
            crawler,
            base_url=job.base_url,
            council=job.slug,
            council_name=job.name,
            plan=plan,
            allowed_hosts=job.allowed_hosts,
        )
        from twisted.internet import reactor  # installed by the first crawl (Scrapy's asyncio reactor)

        timer = reactor.callLater(time_budget, over_budget, crawler) if time_budget else None
        d.addBoth(finished, job, crawler, timer, full_because)

    def over_budget(crawler) -> None:
        if crawler.spider is not None:
            crawler.spider.stopped_because = f"stopped at its time budget ({time_budget:.0f} s)"
        deferred_from_coro(crawler.stop_async())

    def finished(result, job, crawler, timer, full_because) -> None:
        if timer is not None and timer.active():
            timer.cancel()
        spider = crawler.spider
        failure = None
        if hasattr(result, "getErrorMessage"):  # a Failure: the crawl itself broke
            failure = f"the crawl stopped with an error: {result.getErrorMessage()[:300]}"
            logger.error("%s: %s", job.slug, failure)
        busy_hosts.discard(job.host)
        stats = crawler.stats.get_stats() if crawler.stats else {}
        done(
            job,
            CrawlOutcome(
                getattr(spider, "run_id", None),
                getattr(spider, "failure_reason", None) or failure,
                stats,
                getattr(spider, "partial_reason", None),
                full_because,
            ),
        )
        if stats.get("finish_reason") == "shutdown" and not getattr(spider, "stopped_because", None):
            # the process was asked to stop (SIGINT / SIGTERM): start nothing new
            while pending:
                done(pending.pop(0), CrawlOutcome(None, "not crawled: the nightly run was stopped", {}))
        start_next()

    def done(job: CouncilJob, outcome: CrawlOutcome) -> None:
        outcomes[job.slug] = outcome
        if on_done:
            try:
                on_done(job, outcome)
            except Exception:  # a report line must never stop the other councils
                logger.exception("%s: reporting the outcome failed", job.slug)

    try:
        start_next()
        if outcomes.keys() != {j.slug for j in jobs}:
            process.start()  # returns when every crawler has finished (started ones start the next)
    finally:
        shared.close()
    return outcomes
