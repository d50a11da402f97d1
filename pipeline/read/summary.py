"""Read-only summaries of the archive for the terminal (crawl, demo, `councils show`), per council."""

from __future__ import annotations

from sqlalchemy import distinct, func, select

from pipeline.archive.db import make_read_engine
from pipeline.archive.models import (
    AgendaItem,
    Committee,
    Council,
    CrawlRun,
    DetectedMinute,
    DetectedReference,
    Document,
    DocumentVersion,
    FetchLog,
    Meeting,
    Minute,
    Page,
    PageVersion,
    ReferenceLink,
    TextExtraction,
    TextPage,
)


def archive_counts(engine, council_id: int) -> dict[str, int]:
    """What the archive holds of one council (shared blobs and texts count for each council)."""
    texts = (
        select(TextExtraction.id)
        .join(DocumentVersion, DocumentVersion.sha256 == TextExtraction.sha256)
        .join(Document, Document.id == DocumentVersion.document_id)
        .where(Document.council_id == council_id)
    )
    page_versions = (
        select(PageVersion.id).join(Page, Page.id == PageVersion.page_id).where(Page.council_id == council_id)
    )
    detected = select(DetectedMinute.id).where(
        DetectedMinute.extraction_id.in_(texts) | DetectedMinute.page_version_id.in_(page_versions)
    )
    queries = {
        "committees": select(func.count()).where(Committee.council_id == council_id),
        "meetings": select(func.count()).where(Meeting.council_id == council_id),
        "cancelled meetings": select(func.count()).where(
            Meeting.council_id == council_id, Meeting.status == "cancelled"
        ),
        "agenda items": select(func.count())
        .select_from(AgendaItem)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(Meeting.council_id == council_id),
        "documents": select(func.count()).where(Document.council_id == council_id),
        "document versions": select(func.count())
        .select_from(DocumentVersion)
        .join(Document, Document.id == DocumentVersion.document_id)
        .where(Document.council_id == council_id),
        "blobs": select(func.count(distinct(FetchLog.sha256))).where(
            FetchLog.council_id == council_id, FetchLog.sha256.is_not(None)
        ),
        "pages of text": select(func.count()).select_from(TextPage).where(TextPage.extraction_id.in_(texts)),
        "minutes detected": select(func.count())
        .select_from(DetectedMinute)
        .where(DetectedMinute.id.in_(detected)),
        "references detected": select(func.count())
        .select_from(DetectedReference)
        .where(DetectedReference.minute_id.in_(detected)),
        "minutes": select(func.count()).where(Minute.council_id == council_id),
        "failed fetches": select(func.count()).where(
            FetchLog.council_id == council_id, FetchLog.error.is_not(None)
        ),
    }
    with engine.connect() as conn:
        return {name: conn.scalar(q) or 0 for name, q in queries.items()}


def references_resolved(engine, council_id: int) -> tuple[int, int]:
    """(resolved, all) citations of the council, each counted once however many sources show it."""
    with engine.connect() as conn:
        return tuple(
            conn.execute(
                select(func.count(ReferenceLink.resolved_at), func.count())
                .join(Minute, Minute.id == ReferenceLink.citing_minute_id)
                .where(Minute.council_id == council_id, ReferenceLink.duplicate_of.is_(None))
            ).one()
        )


def print_run(db_url: str, run_id: int) -> None:
    engine = make_read_engine(db_url)
    with engine.connect() as conn:
        run = conn.execute(select(CrawlRun).where(CrawlRun.id == run_id)).one()
        slug = conn.scalar(select(Council.slug).where(Council.id == run.council_id))
    stats = run.stats or {}
    print(
        f"crawl run {run.id} of {slug}: {run.status}"
        f" ({stats.get('requests', 0)} requests, {stats.get('new_versions', 0)} new versions,"
        f" {stats.get('pages_failed', 0) + stats.get('documents_failed', 0)} failed fetches)"
    )
    for name, n in archive_counts(engine, run.council_id).items():
        print(f"  {name:<20} {n}")
    resolved, total = references_resolved(engine, run.council_id)
    print(f"  {'references resolved':<20} {resolved} of {total}")
    totals = stats.get("report_totals") or {}
    for key, what in (
        ("store_failures", "items not stored"),
        ("failed_fetches", "failed fetches"),
        ("skipped", "page elements skipped"),
    ):
        if totals.get(key):
            print(f"  {what}: {totals[key]} (see crawl_runs.stats of run {run.id}; first ones below)")
            entries = {"store_failures": "store_failures", "failed_fetches": "failed_fetch_list"}.get(
                key, "skipped_elements"
            )
            for entry in (stats.get(entries) or [])[:5]:
                print(f"    {entry['url']}: {entry['error']}" if isinstance(entry, dict) else f"    {entry}")
    engine.dispose()
