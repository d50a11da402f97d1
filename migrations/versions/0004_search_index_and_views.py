"""Full-text search index (SQLite FTS5 / PostgreSQL tsvector + GIN) and researchers' views.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIEWS = {
    "minutes_view": """
        SELECT mi.id AS minute_id, co.slug AS council, cm.name AS committee, me.date AS meeting_date,
               me.site_id AS meeting_site_id, mi.number, mi.label, mi.year, mi.title, mi.text,
               (SELECT COUNT(*) FROM minute_sources s WHERE s.minute_id = mi.id) AS sources,
               me.url AS meeting_url
        FROM minutes mi
        JOIN meetings me ON me.id = mi.meeting_id
        JOIN committees cm ON cm.id = mi.committee_id
        JOIN councils co ON co.id = mi.council_id
    """,
    "references_view": """
        SELECT rl.id AS reference_id, co.slug AS council, cm.name AS committee, me.date AS meeting_date,
               mi.label AS minute_label, mi.title AS minute_title, dr.kind, dr.cited_text,
               tcm.name AS target_committee, tme.date AS target_meeting_date, tmi.label AS target_minute_label,
               tmi.title AS target_minute_title, rl.resolved_at IS NOT NULL AS resolved, rl.method,
               rl.citing_minute_id, rl.target_minute_id, rl.target_meeting_id
        FROM reference_links rl
        JOIN detected_references dr ON dr.id = rl.detected_reference_id
        JOIN minutes mi ON mi.id = rl.citing_minute_id
        JOIN meetings me ON me.id = mi.meeting_id
        JOIN committees cm ON cm.id = mi.committee_id
        JOIN councils co ON co.id = mi.council_id
        LEFT JOIN minutes tmi ON tmi.id = rl.target_minute_id
        LEFT JOIN meetings tme ON tme.id = rl.target_meeting_id
        LEFT JOIN committees tcm ON tcm.id = tme.committee_id
        WHERE rl.duplicate_of IS NULL
    """,
    "documents_view": """
        SELECT d.id AS document_id, co.slug AS council, cm.name AS committee, me.date AS meeting_date,
               d.title, d.kind, d.url, d.removed_at,
               (SELECT COUNT(*) FROM document_versions v WHERE v.document_id = d.id) AS versions,
               (SELECT v.sha256 FROM document_versions v WHERE v.document_id = d.id ORDER BY v.id DESC LIMIT 1)
                   AS latest_sha256
        FROM documents d
        JOIN councils co ON co.id = d.council_id
        LEFT JOIN meetings me ON me.id = d.meeting_id
        LEFT JOIN committees cm ON cm.id = me.committee_id
    """,
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE search_index USING fts5("
            "kind UNINDEXED, ref_id UNINDEXED, council_id UNINDEXED, committee_id UNINDEXED, "
            "meeting_date UNINDEXED, title, body, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
    else:
        op.execute(
            "CREATE TABLE search_index (id BIGSERIAL PRIMARY KEY, kind VARCHAR(10) NOT NULL, "
            "ref_id INTEGER NOT NULL, council_id INTEGER, committee_id INTEGER, meeting_date DATE, "
            "title TEXT, body TEXT, tsv tsvector GENERATED ALWAYS AS "
            "(setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
            "to_tsvector('english', coalesce(body, ''))) STORED)"
        )
        op.execute("CREATE INDEX ix_search_index_tsv ON search_index USING GIN (tsv)")
        op.execute("CREATE INDEX ix_search_index_council ON search_index (council_id, meeting_date)")
    for name, sql in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {sql}")


def downgrade() -> None:
    for name in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS search_index")
