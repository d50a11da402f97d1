"""Parser versions on derived rows, raw extracted text, citations, 64-bit site ids.

- ``detected_minutes`` / ``detected_references`` / ``text_extractions`` / ``page_versions`` record
  the parser (version;profile) that made their derived rows, so ``reprocess`` knows what is stale;
- ``text_pages.raw_text``: the text as extracted, so repairs can be redone;
- ``reference_links.citation_key`` (one citation found in several sources is one row) and ``reason``;
- ``minute_sources``: unique per (minute, detected minute) instead of per detected minute (a joint
  committee's minutes published on two councils' sites belong to both);
- site ids (committees, meetings, agenda items) as BIGINT: what sites publish.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VERSIONED = ("detected_minutes", "detected_references", "page_versions", "text_extractions")
SITE_IDS = (("agenda_items", "ai_id", True), ("committees", "site_id", False), ("meetings", "site_id", False))
# 0003 made this constraint unnamed; batch mode on SQLite names reflected constraints with this.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}

NEW_REFERENCE_COLUMNS = (
    ", rl.reason, 1 + (SELECT COUNT(*) FROM reference_links d WHERE d.duplicate_of = rl.id) AS sources"
)
# The views of 0004 read the tables changed here: dropped first, made again (references_view now
# with each citation's reason and number of sources).
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
               rl.citing_minute_id, rl.target_minute_id, rl.target_meeting_id"""
    + NEW_REFERENCE_COLUMNS
    + """
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
    for name in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
    for table in VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("parser_version", sa.String(length=60), nullable=True))
    for table, column, nullable in SITE_IDS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column, existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=nullable
            )
    with op.batch_alter_table("meetings") as batch:
        batch.create_index("ix_meetings_council_url", ["council_id", "url"], unique=False)
    with op.batch_alter_table("text_pages") as batch:
        batch.add_column(sa.Column("raw_text", sa.Text(), nullable=True))
    with op.batch_alter_table("reference_links") as batch:
        batch.add_column(sa.Column("citation_key", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("reason", sa.Text(), nullable=True))
        batch.create_index("ix_reference_links_citation", ["citing_minute_id", "citation_key"], unique=False)
        batch.create_index("ix_reference_links_duplicate_of", ["duplicate_of"], unique=False)
    old = [
        uc["name"] or NAMING["uq"] % {"table_name": "minute_sources", "column_0_name": "detected_minute_id"}
        for uc in sa.inspect(op.get_bind()).get_unique_constraints("minute_sources")
        if uc["column_names"] == ["detected_minute_id"]
    ]
    with op.batch_alter_table("minute_sources", naming_convention=NAMING) as batch:
        for name in old:
            batch.drop_constraint(name, type_="unique")
    with op.batch_alter_table("minute_sources") as batch:
        batch.create_index("ix_minute_sources_detected_minute_id", ["detected_minute_id"], unique=False)
        batch.create_unique_constraint(
            "uq_minute_sources_minute_detected", ["minute_id", "detected_minute_id"]
        )
    if op.get_bind().dialect.name != "sqlite":
        # Two writers can never index one row twice (SQLite serialises its writers instead).
        op.execute("CREATE UNIQUE INDEX uq_search_index_kind_ref ON search_index (kind, ref_id)")
    for name, sql in VIEWS.items():
        op.execute(f"CREATE VIEW {name} AS {sql}")


def downgrade() -> None:
    for name in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP INDEX IF EXISTS uq_search_index_kind_ref")
    with op.batch_alter_table("minute_sources") as batch:
        batch.drop_constraint("uq_minute_sources_minute_detected", type_="unique")
        batch.drop_index("ix_minute_sources_detected_minute_id")
        batch.create_unique_constraint("minute_sources_detected_minute_id_key", ["detected_minute_id"])
    with op.batch_alter_table("reference_links") as batch:
        batch.drop_index("ix_reference_links_duplicate_of")
        batch.drop_index("ix_reference_links_citation")
        batch.drop_column("reason")
        batch.drop_column("citation_key")
    with op.batch_alter_table("text_pages") as batch:
        batch.drop_column("raw_text")
    with op.batch_alter_table("meetings") as batch:
        batch.drop_index("ix_meetings_council_url")
    for table, column, nullable in SITE_IDS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column, existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=nullable
            )
    for table in VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("parser_version")
