"""Each committee's year convention, learnt from its own minutes where the registry sets none.

A minute whose key prints its year ("74/15", "CB22/14") beside its meeting's date says whether the
committee numbers by municipal or calendar year (``parse.profile.learn_year_convention``). The
registry's ``year_convention``, where set (kept in ``councils.year_convention_set``), overrides it.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import Engine, select, update

from pipeline.archive.models import Council, DetectedMinute, Meeting, Minute, MinuteSource
from pipeline.parse.profile import Profile, Profiles, learn_year_convention

BATCH = 500

councils = Council.__table__
dm = DetectedMinute.__table__
minutes = Minute.__table__
meetings = Meeting.__table__
sources = MinuteSource.__table__


def committee_profiles(engine: Engine, council_id: int, default: Profile) -> Profiles:
    with engine.connect() as conn:
        if conn.scalar(select(councils.c.year_convention_set).where(councils.c.id == council_id)):
            return Profiles(default)  # set in the registry: it wins
        pairs = defaultdict(list)
        rows = conn.execute(
            select(minutes.c.committee_id, dm.c.year, meetings.c.date)
            .join(sources, sources.c.minute_id == minutes.c.id)
            .join(dm, dm.c.id == sources.c.detected_minute_id)
            .join(meetings, meetings.c.id == minutes.c.meeting_id)
            .where(minutes.c.council_id == council_id, dm.c.year.is_not(None), meetings.c.date.is_not(None))
            .distinct()
        )
        for committee_id, year, when in rows:
            pairs[committee_id].append((year, when))
    learnt = {}
    for committee_id, found in pairs.items():
        convention = learn_year_convention(found)
        if convention and convention != default.year_convention:
            learnt[committee_id] = Profile(convention, default.year_start_month)
    return Profiles(default, learnt)


def apply_years(engine: Engine, council_id: int, profiles: Profiles) -> int:
    """Set each minute's year by its committee's convention; returns how many changed."""
    changed = 0
    after = 0
    while True:
        with engine.begin() as conn:
            rows = conn.execute(
                select(minutes.c.id, minutes.c.committee_id, minutes.c.year, meetings.c.date)
                .join(meetings, meetings.c.id == minutes.c.meeting_id)
                .where(minutes.c.council_id == council_id, minutes.c.id > after)
                .order_by(minutes.c.id)
                .limit(BATCH)
            ).all()
            if not rows:
                return changed
            for minute_id, committee_id, year, when in rows:
                right = profiles.of(committee_id).numbering_year(when)
                if right != year:
                    conn.execute(update(minutes).where(minutes.c.id == minute_id).values(year=right))
                    changed += 1
            after = rows[-1].id
