"""The incremental revisit policy of `nightly` and `crawl --incremental`.

Every night: the committee list, each committee's meeting list for the current and previous year,
every meeting from 60 days back to 60 days ahead, every meeting new to the archive or whose list
suffix (" - Agenda, Decisions, Minutes", " - CANCELLED") changed, and older meetings on a 28-day
rotation (meeting id modulo 28 picks the night; anything unchecked for 28 days is due at once).
Documents already archived are asked for with their validators (If-None-Match / If-Modified-Since)
so an unchanged one costs a 304. `--full` revisits everything.

``RevisitPlan`` decides, purely, and is what the spider sees; ``pipeline.ops.plan.build_plan`` fills it
from the archive (plain data: the crawler never reads the database).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

WINDOW_DAYS = 60
ROTATION_DAYS = 28


@dataclass(frozen=True)
class KnownMeeting:
    site_id: int
    date: date | None
    list_suffix: str | None
    last_visit: datetime | None  # when its page was last fetched
    page_sha256: str | None = None  # of the page as last archived


@dataclass
class RevisitPlan:
    today: date
    known: dict[str, KnownMeeting] = field(default_factory=dict)  # meeting URL -> what the archive has
    # document URL (or DocumentLink.key, where the URL is not stable) -> request headers
    validators: dict[str, dict[str, str]] = field(default_factory=dict)
    # Meeting pages an earlier run fetched but could not store (or whose documents it could not):
    # revisited whatever the policy says, so the next night restores what a full run would.
    retry: set[str] = field(default_factory=set)

    def wanted_years(self, years: list[int]) -> list[int]:
        return [y for y in years if y >= self.today.year - 1]

    def visit(self, url: str, when: date | None, suffix: str | None) -> str | None:
        """Why this meeting page should be fetched tonight, or None."""
        if url in self.retry:
            return "retry"
        known = self.known.get(url)
        if known is None:
            return "new"
        if when is None or abs((when - self.today).days) <= WINDOW_DAYS:
            return "within 60 days"
        if (suffix or None) != (known.list_suffix or None):
            return "list suffix changed"
        return self._rotation(known)

    def _rotation(self, known: KnownMeeting) -> str | None:
        if known.last_visit is None or (self.today - known.last_visit.date()).days >= ROTATION_DAYS:
            return "unchecked for 28 days"
        if known.site_id % ROTATION_DAYS == self.today.toordinal() % ROTATION_DAYS:
            return "rotation"
        return None

    def documents_due(self, url: str, reason: str | None, page_sha256: str) -> bool:
        """Re-validate a revisited meeting's documents? Always within the window, for new meetings and
        changed suffixes; on rotation only if the page itself changed (amended documents of older
        meetings whose page is unchanged wait for a --full run)."""
        if reason not in ("rotation", "unchecked for 28 days"):
            return True  # (a retry refetches every document)
        known = self.known.get(url)
        return known is None or known.page_sha256 != page_sha256

    def due_unlisted(self, listed: set[str]) -> list[str]:
        """Older meetings due on rotation that tonight's meeting lists (two years) do not show."""
        return [url for url, k in self.known.items() if url not in listed and self._rotation(k)]
