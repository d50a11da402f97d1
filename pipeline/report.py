"""What a crawl run could not do, and why: the run report in ``crawl_runs.stats``.

Three lists, each bounded (the first ``LIMIT`` entries, and a total): elements of pages that were
skipped (a placeholder link, an id too long for the archive), fetches that failed (a refused
redirect, a dead link, a challenge page) and items that could not be stored (the database was
restarting, the disk was full). The last make the run ``partial``: the meeting pages they belong
to are retried by the next incremental run (``retry``), or the whole council is crawled again
(``retry_full``) when what failed was a list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LIMIT = 200


@dataclass
class RunReport:
    skipped: list[str] = field(default_factory=list)
    failed_fetches: list[dict] = field(default_factory=list)
    store_failures: list[dict] = field(default_factory=list)
    retry: set[str] = field(default_factory=set)
    retry_full: bool = False
    totals: dict[str, int] = field(
        default_factory=lambda: {"skipped": 0, "failed_fetches": 0, "store_failures": 0}
    )

    def _add(self, name: str, entry) -> None:
        self.totals[name] += 1
        bucket = getattr(self, name)
        if len(bucket) < LIMIT:
            bucket.append(entry)

    def page_skipped(self, url: str, what: list[str]) -> None:
        for element in what:
            self._add("skipped", f"{url[:300]}: {element}")

    def fetch_failed(self, url: str, error: str) -> None:
        self._add("failed_fetches", {"url": url[:1000], "error": error[:500]})

    def store_failed(self, url: str, error: str, meeting_url: str | None, page_kind: str | None) -> None:
        self._add("store_failures", {"url": url[:1000], "error": error[:500]})
        if meeting_url:
            self.retry.add(meeting_url)
        elif page_kind == "meeting":
            self.retry.add(url)
        else:  # a list or another page: what it would have led to is unknown, so all of it again
            self.retry_full = True

    @property
    def partial(self) -> bool:
        return self.totals["store_failures"] > 0

    def reason(self) -> str | None:
        if not self.partial:
            return None
        first = self.store_failures[0]
        return (
            f"{self.totals['store_failures']} items could not be stored (first: {first['url']}: {first['error']}); "
            "the next run retries them"
        )

    def as_stats(self) -> dict:
        return {
            "skipped_elements": self.skipped,
            "failed_fetch_list": self.failed_fetches,
            "store_failures": self.store_failures,
            "retry_urls": sorted(self.retry)[: LIMIT * 10],
            "retry_full": self.retry_full or len(self.retry) > LIMIT * 10,
            "report_totals": dict(self.totals),
        }
