"""`council-archive refs`: what a minute cites and what cites it. Read-only."""

from __future__ import annotations

from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import aliased

from pipeline.archive.models import Committee, Council, DetectedReference, Meeting, Minute, ReferenceLink


class UnknownMinute(ValueError):
    pass


def minute_refs(engine: Engine, label: str, committee: str, council: str | None = None) -> list[dict]:
    with engine.connect() as conn:
        q = (
            select(Minute.id, Council.slug, Committee.name, Minute.label, Minute.title, Meeting.date)
            .join(Committee, Committee.id == Minute.committee_id)
            .join(Council, Council.id == Minute.council_id)
            .join(Meeting, Meeting.id == Minute.meeting_id)
            .where(Committee.name == committee, or_(Minute.label == label, Minute.number == label))
            .order_by(Meeting.date)
        )
        if council:
            q = q.where(Council.slug == council)
        minutes = conn.execute(q).all()
        if not minutes:
            raise UnknownMinute(f"no minute {label!r} of {committee!r} in this archive")
        return [
            {
                "council": m.slug,
                "committee": m.name,
                "label": m.label,
                "title": m.title,
                "meeting_date": m.date,
                "cites": _links(conn, cites=m.id),
                "cited_by": _links(conn, cited_by=m.id),
            }
            for m in minutes
        ]


def _links(conn, cites: int | None = None, cited_by: int | None = None) -> list[dict]:
    """References made by minute ``cites``, or made to minute ``cited_by`` (with the other end)."""
    other = aliased(Minute)
    other_meeting = aliased(Meeting)
    other_committee = aliased(Committee)
    if cites is not None:
        join_on, where = other.id == ReferenceLink.target_minute_id, ReferenceLink.citing_minute_id == cites
        meeting_on = other_meeting.id == ReferenceLink.target_meeting_id
    else:
        join_on, where = (
            other.id == ReferenceLink.citing_minute_id,
            ReferenceLink.target_minute_id == cited_by,
        )
        meeting_on = other_meeting.id == other.meeting_id
    rows = conn.execute(
        select(
            DetectedReference.kind,
            DetectedReference.cited_text,
            other.label,
            other_meeting.date,
            other_committee.name,
            ReferenceLink.resolved_at,
            ReferenceLink.method,
            ReferenceLink.reason,
        )
        .select_from(ReferenceLink)
        .join(DetectedReference, DetectedReference.id == ReferenceLink.detected_reference_id)
        .outerjoin(other, join_on)
        .outerjoin(other_meeting, meeting_on)
        .outerjoin(other_committee, other_committee.id == other_meeting.committee_id)
        .where(where, ReferenceLink.duplicate_of.is_(None))
        .order_by(ReferenceLink.id)
    ).all()
    return [
        {
            "kind": r.kind,
            "cited_text": r.cited_text,
            "minute_label": r.label,
            "meeting_date": r.date,
            "committee": r.name or "(not in the archive)",
            "resolved": r.resolved_at is not None,
            "method": r.method,
            "reason": r.reason,
        }
        for r in rows
    ]
