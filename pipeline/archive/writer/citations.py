"""References linked to their citing minute and resolved, one citation at a time.

One citation (the same cited thing in one minute, in however many sources) is resolved once: the
first link of each citation carries the answer, the others point at it (``duplicate_of``). The
rules are ``pipeline.parse.resolve`` (pure); here they meet the archive. Batched.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, Engine, func, or_, select, update

from pipeline.archive.models import (
    Committee,
    DetectedMinute,
    DetectedReference,
    Document,
    DocumentVersion,
    Meeting,
    Minute,
    MinuteSource,
    Page,
    PageVersion,
    ReferenceLink,
    TextExtraction,
)
from pipeline.archive.writer.sql import insert_ignore, utcnow
from pipeline.parse.profile import Profiles
from pipeline.parse.resolve import (
    citation_key,
    label_disagreement,
    meeting_target,
    minute_target,
    normalise_name,
    pick_committee,
)

BATCH = 500

dm = DetectedMinute.__table__
dr = DetectedReference.__table__
minutes = Minute.__table__
sources = MinuteSource.__table__
links = ReferenceLink.__table__
meetings = Meeting.__table__
committees = Committee.__table__
pages = Page.__table__
page_versions = PageVersion.__table__
documents = Document.__table__
doc_versions = DocumentVersion.__table__
extractions = TextExtraction.__table__


def _new_references(conn: Connection, council_id: int, after: int):
    return conn.execute(
        select(dr, sources.c.minute_id.label("citing_minute_id"))
        .select_from(minutes)
        .join(sources, sources.c.minute_id == minutes.c.id)
        .join(dr, dr.c.minute_id == sources.c.detected_minute_id)
        .outerjoin(links, links.c.detected_reference_id == dr.c.id)
        .where(minutes.c.council_id == council_id, links.c.id.is_(None), dr.c.id > after)
        .order_by(dr.c.id)
        .limit(BATCH)
    ).all()


def _open_citations(conn: Connection, council_id: int, after: int):
    return conn.execute(
        select(links.c.id.label("link_id"), dr, minutes.c.committee_id, meetings.c.date.label("citing_date"))
        .select_from(links)
        .join(dr, dr.c.id == links.c.detected_reference_id)
        .join(minutes, minutes.c.id == links.c.citing_minute_id)
        .join(meetings, meetings.c.id == minutes.c.meeting_id)
        .where(
            minutes.c.council_id == council_id,
            links.c.duplicate_of.is_(None),
            links.c.resolved_at.is_(None),
            links.c.id > after,
        )
        .order_by(links.c.id)
        .limit(BATCH)
    ).all()


def resolve_references(engine: Engine, council_id: int, profiles: Profiles) -> tuple[int, int]:
    """Link new references to their citing minute, then resolve every open citation of the
    council; returns (resolved now, still open)."""
    after = 0
    while True:
        with engine.begin() as conn:
            rows = _new_references(conn, council_id, after)
            if not rows:
                break
            for ref in rows:
                key = citation_key(ref)
                first = conn.scalar(
                    select(links.c.id)
                    .where(
                        links.c.citing_minute_id == ref.citing_minute_id,
                        links.c.citation_key == key,
                        links.c.duplicate_of.is_(None),
                    )
                    .order_by(links.c.id)
                    .limit(1)
                )
                insert_ignore(
                    conn,
                    links,
                    ["detected_reference_id"],
                    detected_reference_id=ref.id,
                    citing_minute_id=ref.citing_minute_id,
                    citation_key=key,
                    duplicate_of=first,
                )
            after = rows[-1].id
    _merge_split_citations(engine, council_id)
    resolved = still_open = 0
    after = 0
    with engine.connect() as conn:
        by_name = {
            normalise_name(name): cid
            for cid, name in conn.execute(
                select(committees.c.id, committees.c.name).where(committees.c.council_id == council_id)
            )
        }
        by_prefix = dict(
            conn.execute(
                select(dm.c.prefix, minutes.c.committee_id)
                .join(sources, sources.c.detected_minute_id == dm.c.id)
                .join(minutes, minutes.c.id == sources.c.minute_id)
                .where(minutes.c.council_id == council_id, dm.c.prefix.is_not(None))
                .distinct()
            ).all()
        )
    while True:
        with engine.begin() as conn:
            rows = _open_citations(conn, council_id, after)
            if not rows:
                break
            for ref in rows:
                if _resolve_one(conn, ref, profiles, by_name, by_prefix):
                    resolved += 1
                else:
                    still_open += 1
            after = rows[-1].link_id
    return resolved, still_open


def _merge_split_citations(engine: Engine, council_id: int) -> None:
    """After a source's rows were replaced, one citation may have two first links: keep the lowest."""
    with engine.begin() as conn:
        firsts = (
            select(
                links.c.citing_minute_id,
                links.c.citation_key,
                func.min(links.c.id).label("keep"),
            )
            .join(minutes, minutes.c.id == links.c.citing_minute_id)
            .where(minutes.c.council_id == council_id, links.c.duplicate_of.is_(None))
            .group_by(links.c.citing_minute_id, links.c.citation_key)
            .having(func.count() > 1)
        )
        for citing, key, keep in conn.execute(firsts).all():
            conn.execute(
                update(links)
                .where(
                    links.c.citing_minute_id == citing,
                    links.c.citation_key == key,
                    links.c.id != keep,
                )
                .values(duplicate_of=keep)
            )


def _resolve_one(conn: Connection, ref, profiles: Profiles, by_name, by_prefix) -> bool:
    # a minute is looked up with its meeting, and the citation's links updated in one statement:
    # this runs for every open citation at the end of every crawl
    target_minute = target_meeting = None
    disagrees = None
    if ref.kind == "minute":
        committee, _ = pick_committee(
            ref.committee_id, ref.cited_prefix, ref.cited_committee, by_name, by_prefix
        )
        # a bare "Minute 51" is numbered in the cited committee's year, by its convention
        t = minute_target(ref, ref.committee_id, ref.citing_date, profiles.of(committee), by_name, by_prefix)
        if t.committee_id is not None and ref.cited_label and re.search(r"[A-Za-z/\\.]", ref.cited_label):
            # "CB22/5" is Cabinet's CB22/5
            target_minute, target_meeting = _same_label(conn, t.committee_id, ref.cited_label)
        if target_minute is None and t.committee_id is not None and t.year is not None:
            for number in dict.fromkeys([t.number, ref.cited_number]):
                found = conn.execute(
                    select(minutes.c.id, minutes.c.label, minutes.c.meeting_id)
                    .where(
                        minutes.c.committee_id == t.committee_id,
                        minutes.c.year == t.year,
                        minutes.c.number == number,
                    )
                    .order_by(minutes.c.id)
                    .limit(1)
                ).first()
                if found:
                    disagrees = label_disagreement(ref, found.label)
                    if not disagrees:
                        target_minute, target_meeting = found.id, found.meeting_id
                    break
        reason = (
            None
            if target_minute
            else disagrees or t.problem or f"no minute {t.number} of {t.year} in the archive"
        )
    else:
        t = meeting_target(ref, ref.committee_id, by_name)
        if t.committee_id is not None and t.meeting_date is not None:
            target_meeting = conn.scalar(
                select(meetings.c.id)
                .where(meetings.c.committee_id == t.committee_id, meetings.c.date == t.meeting_date)
                .order_by(meetings.c.id)
                .limit(1)
            )
        reason = None if target_meeting else t.problem or f"no meeting on {t.meeting_date} in the archive"
    values = {
        "method": t.method,
        "reason": reason,
        "target_minute_id": target_minute,
        "target_meeting_id": target_meeting,
        "resolved_at": utcnow() if (target_minute or target_meeting) else None,
    }
    conn.execute(
        update(links)
        .where(or_(links.c.id == ref.link_id, links.c.duplicate_of == ref.link_id))
        .values(**values)
    )
    return bool(target_minute or target_meeting)


def _label_form(label: str) -> str:
    return re.sub(r"[\s.]", "", label).upper()


def _same_label(conn: Connection, committee_id: int, cited: str) -> tuple[int | None, int | None]:
    """The committee's minute printed with the cited label, where the label carries a prefix or a
    year ("CB22/5", "74/15", "E.70/23"): what the council itself wrote needs no reading of it.
    Returns (minute id, its meeting id), or (None, None)."""
    numbers = [str(int(n)) for n in re.findall(r"\d+", cited)]
    for minute_id, label, meeting_id in conn.execute(
        select(minutes.c.id, minutes.c.label, minutes.c.meeting_id)
        .where(minutes.c.committee_id == committee_id, minutes.c.number.in_(numbers))
        .order_by(minutes.c.id)
    ):
        if _label_form(label) == _label_form(cited):
            return minute_id, meeting_id
    return None, None
