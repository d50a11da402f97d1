"""search index (SQLite): filters as indexed facet tokens, rows keyed by kind and id; meetings
indexed by (council, date)

On SQLite the FTS5 table gains an indexed ``facets`` column ("council1 committee7 y2010 m201003"):
a council, committee or date filter becomes part of the full-text match instead of a read of
every matching row, which is what made a filtered search over a common word take seconds. Rows
get rowid ``2 * ref_id + (kind = 'page')``, so the writer replaces one row by rowid instead of
scanning the table, and a higher rowid is a more recently archived minute or page (the search
ranks the newest matches of very common words: pipeline/read/search.py). PostgreSQL keeps its
table (its filters are ordinary indexed columns).

``ix_meetings_council_date``: the minutes export walks each council's meetings in date order
instead of sorting every minute (pipeline/read/export_queries.py).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 14:30:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    "kind UNINDEXED, ref_id UNINDEXED, council_id UNINDEXED, committee_id UNINDEXED, "
    "meeting_date UNINDEXED, title, body"
)
TOKENIZE = "tokenize = 'porter unicode61 remove_diacritics 2'"
# the same tokens as pipeline.archive.writer.search_index.facets (tests/test_search_speed.py)
FACETS_SQL = (
    "'council' || council_id"
    " || coalesce(' committee' || committee_id, '')"
    " || coalesce(' y' || substr(meeting_date, 1, 4) || ' m' || substr(meeting_date, 1, 4)"
    " || substr(meeting_date, 6, 2), '')"
)
FIELDS = "kind, ref_id, council_id, committee_id, meeting_date, title, body"


def upgrade() -> None:
    op.create_index("ix_meetings_council_date", "meetings", ["council_id", "date"])
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(f"CREATE VIRTUAL TABLE search_index_new USING fts5({COLUMNS}, facets, {TOKENIZE})")
    op.execute(
        f"INSERT INTO search_index_new (rowid, {FIELDS}, facets) "
        f"SELECT 2 * ref_id + (kind = 'page'), {FIELDS}, {FACETS_SQL} FROM search_index"
    )
    op.execute("DROP TABLE search_index")
    op.execute("ALTER TABLE search_index_new RENAME TO search_index")


def downgrade() -> None:
    op.drop_index("ix_meetings_council_date", table_name="meetings")
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(f"CREATE VIRTUAL TABLE search_index_old USING fts5({COLUMNS}, {TOKENIZE})")
    op.execute(f"INSERT INTO search_index_old ({FIELDS}) SELECT {FIELDS} FROM search_index")
    op.execute("DROP TABLE search_index")
    op.execute("ALTER TABLE search_index_old RENAME TO search_index")
