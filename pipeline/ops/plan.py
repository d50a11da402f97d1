"""Build tonight's revisit plan for a council from what the archive holds (read-only).

The policy itself (what is due and why) is ``crawler.revisit.RevisitPlan``: plain data the spider
is handed, so the crawler never reads the database.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, func, select

from crawler.revisit import KnownMeeting, RevisitPlan
from pipeline.archive.models import (
    CrawlRun,
    Document,
    DocumentVersion,
    FetchLog,
    Meeting,
    Page,
    PageVersion,
)
from pipeline.read.councils import find_council


def full_crawl_needed(engine: Engine, council: str) -> str | None:
    """Why tonight's run must revisit everything, or None: nothing of the council is archived (never
    crawled, or every run so far failed), or its last run did not end cleanly (killed, stopped at its
    time budget before a full crawl finished, or a list it fetched could not be stored)."""
    with engine.connect() as conn:
        council_id = find_council(conn, council)
        if council_id is None:
            return "nothing archived yet"
        # An incremental run lists only the last two years: history would be missing for good.
        if conn.scalar(select(Meeting.id).where(Meeting.council_id == council_id).limit(1)) is None:
            return "nothing archived yet"
        last = conn.execute(
            select(CrawlRun.status, CrawlRun.stats, CrawlRun.options)
            .where(CrawlRun.council_id == council_id)
            .order_by(CrawlRun.id.desc())
            .limit(1)
        ).first()
    if last is None:
        return "nothing archived yet"
    if last.status in ("running", "interrupted"):
        return f"the last run did not finish ({last.status})"
    if (last.stats or {}).get("retry_full"):
        return "the last run could not store a list page"
    if (last.stats or {}).get("stopped") and not (last.options or {}).get("incremental"):
        return "the last full run was stopped before it finished"
    return None


def build_plan(engine: Engine, council: str, today: date | None = None) -> RevisitPlan:
    plan = RevisitPlan(today or date.today())
    with engine.connect() as conn:
        council_id = find_council(conn, council)
        if council_id is None:
            return plan  # a first crawl: everything is new
        last_stats = conn.scalar(
            select(CrawlRun.stats)
            .where(CrawlRun.council_id == council_id)
            .order_by(CrawlRun.id.desc())
            .limit(1)
        )
        plan.retry = set((last_stats or {}).get("retry_urls") or [])
        last_visit = (
            select(Page.url.label("url"), func.max(PageVersion.last_seen).label("at"))
            .join(PageVersion, PageVersion.page_id == Page.id)
            .where(Page.council_id == council_id, Page.kind == "meeting")
            .group_by(Page.url)
            .subquery()
        )
        page_sha = dict(
            conn.execute(
                select(Page.url, PageVersion.sha256)
                .join(PageVersion, PageVersion.page_id == Page.id)
                .where(
                    Page.council_id == council_id,
                    PageVersion.id.in_(select(func.max(PageVersion.id)).group_by(PageVersion.page_id)),
                )
            ).all()
        )
        for m in conn.execute(
            select(Meeting.url, Meeting.site_id, Meeting.date, Meeting.list_suffix, last_visit.c.at)
            .outerjoin(last_visit, last_visit.c.url == Meeting.url)
            .where(Meeting.council_id == council_id)
        ):
            plan.known[m.url] = KnownMeeting(m.site_id, m.date, m.list_suffix, m.at, page_sha.get(m.url))
        # Validators of every document URL fetched (a document's own, or the PDF behind a pack page),
        # never of pages: a pack page can stay the same while the PDF it offers changes.
        pages = select(Page.url).where(Page.council_id == council_id)
        latest = (
            select(func.max(FetchLog.id).label("id"))
            .where(
                FetchLog.council_id == council_id, FetchLog.sha256.is_not(None), FetchLog.url.not_in(pages)
            )
            .group_by(FetchLog.url)
            .subquery()
        )
        for url, headers in conn.execute(
            select(FetchLog.url, FetchLog.headers).where(FetchLog.id.in_(select(latest.c.id)))
        ):
            _add_validators(plan, url, headers)
        # Documents known by key (CMIS: a new token each publication) are asked for by key, with the
        # validators of the fetch that stored their latest version, whatever URL they have tonight.
        newest = (
            select(func.max(DocumentVersion.id))
            .join(Document, Document.id == DocumentVersion.document_id)
            .where(Document.council_id == council_id, Document.doc_key.is_not(None))
            .group_by(DocumentVersion.document_id)
        )
        for key, headers in conn.execute(
            select(Document.doc_key, FetchLog.headers)
            .join(DocumentVersion, DocumentVersion.document_id == Document.id)
            .join(FetchLog, FetchLog.id == DocumentVersion.fetch_id)
            .where(DocumentVersion.id.in_(newest))
        ):
            _add_validators(plan, key, headers)
    return plan


def _add_validators(plan: RevisitPlan, where: str, headers: dict | None) -> None:
    wanted = {}
    lower = {k.lower(): v for k, v in (headers or {}).items()}
    if lower.get("etag"):
        wanted["If-None-Match"] = lower["etag"]
    if lower.get("last-modified"):
        wanted["If-Modified-Since"] = lower["last-modified"]
    if wanted:
        plan.validators[where] = wanted
