"""search index change log (SQLite): the outbox the search mirror is kept in step from

Every change the writer makes to ``search_index`` on SQLite also appends (kind, ref_id) here, in
the same transaction, so the tantivy mirror (pipeline/archive/search_mirror.py) can apply exactly
what changed since it was last brought up to date, and a reader can tell whether it is. Applied
entries are deleted by the sync. PostgreSQL has no mirror, so no log.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 19:00:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE TABLE search_index_changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
        "kind VARCHAR(10) NOT NULL, ref_id INTEGER NOT NULL)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TABLE search_index_changes")
