"""What an archive's derived rows say, keyed by site identity (never by row ids or timestamps), so
two archives made by different routes can be compared."""

from __future__ import annotations

from sqlalchemy import Engine, text


def _rows(conn, sql: str) -> list[tuple]:
    return sorted(tuple(r) for r in conn.execute(text(sql)).all())


SOURCE = """
    CASE WHEN dm.page_version_id IS NOT NULL
         THEN 'page ' || (SELECT p.url || ' ' || pv.sha256 FROM page_versions pv JOIN pages p ON p.id = pv.page_id
                          WHERE pv.id = dm.page_version_id)
         ELSE 'text ' || (SELECT te.sha256 FROM text_extractions te WHERE te.id = dm.extraction_id) END
"""
MINUTE_KEY = "(SELECT me.site_id FROM meetings me WHERE me.id = {m}.meeting_id) || ':' || {m}.number"


# minutes whose kept first source or number of sources (writer/source_counts.py) is not what
# minute_sources says
STALE_SOURCE_COUNTS = """
    SELECT mi.id, mi.first_source_url, mi.source_count FROM minutes mi
    WHERE mi.source_count != (SELECT count(*) FROM minute_sources s WHERE s.minute_id = mi.id)
       OR mi.first_source_url != coalesce((SELECT s.source_url FROM minute_sources s
                                           WHERE s.minute_id = mi.id ORDER BY s.id LIMIT 1), '')
"""


def assert_source_counts_kept(engine: Engine) -> None:
    with engine.connect() as conn:
        stale = conn.execute(text(STALE_SOURCE_COUNTS)).all()
    assert stale == [], stale


def snapshot(engine: Engine) -> dict[str, list[tuple]]:
    assert_source_counts_kept(engine)  # whatever route made the archive
    with engine.connect() as conn:
        return {
            "text_pages": _rows(
                conn,
                "SELECT te.sha256, tp.page_no, tp.text, tp.raw_text, te.parser_version FROM text_pages tp "
                "JOIN text_extractions te ON te.id = tp.extraction_id",
            ),
            "page_versions": _rows(
                conn,
                "SELECT p.url, pv.sha256, pv.parser_version FROM page_versions pv JOIN pages p ON p.id = pv.page_id "
                "WHERE p.kind = 'meeting'",
            ),
            "detected_minutes": _rows(
                conn,
                f"SELECT {SOURCE}, dm.position, dm.number, dm.label, dm.title, dm.meeting_date, dm.text, "
                "dm.prefix, dm.year, dm.parser_version FROM detected_minutes dm",
            ),
            "detected_references": _rows(
                conn,
                f"SELECT {SOURCE}, dm.position, dr.kind, dr.cited_text, dr.cited_number, dr.cited_sub, "
                "dr.cited_label, dr.cited_year, dr.cited_prefix, dr.cited_committee, dr.cited_date, "
                "dr.parser_version FROM detected_references dr JOIN detected_minutes dm ON dm.id = dr.minute_id",
            ),
            "minutes": _rows(
                conn,
                f"SELECT {MINUTE_KEY.format(m='mi')}, mi.label, mi.year, mi.title, mi.text, "
                "(SELECT COUNT(*) FROM minute_sources s WHERE s.minute_id = mi.id) FROM minutes mi",
            ),
            "minute_sources": _rows(
                conn,
                f"SELECT {MINUTE_KEY.format(m='mi')}, s.source_url FROM minute_sources s "
                "JOIN minutes mi ON mi.id = s.minute_id",
            ),
            "references": _rows(
                conn,
                f"SELECT {MINUTE_KEY.format(m='ci')}, rl.citation_key, dr.cited_text, "
                f"(SELECT {MINUTE_KEY.format(m='t')} FROM minutes t WHERE t.id = rl.target_minute_id), "
                "(SELECT me.site_id FROM meetings me WHERE me.id = rl.target_meeting_id), "
                "rl.method, rl.reason, rl.resolved_at IS NOT NULL, "
                "1 + (SELECT COUNT(*) FROM reference_links d WHERE d.duplicate_of = rl.id) "
                "FROM reference_links rl JOIN minutes ci ON ci.id = rl.citing_minute_id "
                "JOIN detected_references dr ON dr.id = rl.detected_reference_id WHERE rl.duplicate_of IS NULL",
            ),
            "search_minutes": _rows(
                conn,
                f"SELECT {MINUTE_KEY.format(m='mi')}, si.title, si.body FROM search_index si "
                "JOIN minutes mi ON mi.id = si.ref_id WHERE si.kind = 'minute'",
            ),
            "search_pages": _rows(
                conn,
                "SELECT te.sha256, tp.page_no, si.body FROM search_index si JOIN text_pages tp ON tp.id = si.ref_id "
                "JOIN text_extractions te ON te.id = tp.extraction_id WHERE si.kind = 'page'",
            ),
        }
