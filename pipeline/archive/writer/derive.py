"""Derived rows of one council: each detected minute linked to its minute, each reference resolved.

A job of its own, run at the end of every crawl and by ``reprocess``: per council, in batches (its
memory stays flat whatever the archive's size), idempotent (a second run changes nothing), and
independent of the order sources arrived in. The parts: ``minutes`` (linking), ``conventions``
(each committee's year convention) and ``citations`` (resolving).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from pipeline.archive.writer.citations import resolve_references
from pipeline.archive.writer.conventions import apply_years, committee_profiles
from pipeline.archive.writer.minutes import drop_orphan_minutes, link_minutes
from pipeline.parse.profile import Profile


@dataclass
class DeriveStats:
    minutes_linked: int = 0
    minutes_removed: int = 0
    references_resolved: int = 0
    references_unresolved: int = 0


def derive(engine: Engine, council_id: int, profile: Profile) -> DeriveStats:
    stats = DeriveStats()
    stats.minutes_linked = link_minutes(engine, council_id, committee_profiles(engine, council_id, profile))
    stats.minutes_removed = drop_orphan_minutes(engine, council_id)
    profiles = committee_profiles(engine, council_id, profile)  # with what was just linked
    apply_years(engine, council_id, profiles)
    stats.references_resolved, stats.references_unresolved = resolve_references(engine, council_id, profiles)
    return stats
