"""Read-only summaries of the archive for the terminal (crawl and demo output)."""

from __future__ import annotations

from sqlalchemy import func, select

from pipeline.archive.db import make_engine
from pipeline.archive.models import (
    AgendaItem,
    Blob,
    Committee,
    Council,
    CrawlRun,
    DetectedMinute,
    DetectedReference,
    Document,
    DocumentVersion,
    FetchLog,
    Meeting,
    TextPage,
)


def archive_counts(engine, council_id: int | None = None) -> dict[str, int]:
    def count(model, *where):
        q = select(func.count()).select_from(model)
        return conn.scalar(q.where(*where)) or 0

    with engine.connect() as conn:
        c = {} if council_id is None else {"council": council_id}
        by = (lambda col: [col == council_id]) if c else (lambda col: [])
        return {
            "committees": count(Committee, *by(Committee.council_id)),
            "meetings": count(Meeting, *by(Meeting.council_id)),
            "cancelled meetings": count(Meeting, Meeting.status == "cancelled", *by(Meeting.council_id)),
            "agenda items": conn.scalar(
                select(func.count())
                .select_from(AgendaItem)
                .join(Meeting, Meeting.id == AgendaItem.meeting_id)
                .where(*by(Meeting.council_id))
            )
            or 0,
            "documents": count(Document, *by(Document.council_id)),
            "document versions": conn.scalar(
                select(func.count())
                .select_from(DocumentVersion)
                .join(Document, Document.id == DocumentVersion.document_id)
                .where(*by(Document.council_id))
            )
            or 0,
            "blobs": count(Blob),
            "pages of text": conn.scalar(select(func.count()).select_from(TextPage)) or 0,
            "minutes detected": conn.scalar(select(func.count()).select_from(DetectedMinute)) or 0,
            "references detected": conn.scalar(select(func.count()).select_from(DetectedReference)) or 0,
            "failed fetches": count(FetchLog, FetchLog.error.is_not(None), *by(FetchLog.council_id)),
        }


def print_run(db_url: str, run_id: int) -> None:
    engine = make_engine(db_url)
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
    engine.dispose()
