"""minutes: the first source's URL and the number of sources, kept on the minute's row

The minutes export printed each minute's first source (lowest id) and how many sources show it
with two look-ups into minute_sources per row, nearly half its time. The writer now keeps both on
the minute (pipeline/archive/writer/source_counts.py) whenever a minute gains or loses a source;
this migration fills them in for an existing archive.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 22:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = (
    "UPDATE minutes SET "
    "source_count = (SELECT count(*) FROM minute_sources s WHERE s.minute_id = minutes.id), "
    "first_source_url = coalesce((SELECT s.source_url FROM minute_sources s "
    "WHERE s.minute_id = minutes.id ORDER BY s.id LIMIT 1), '')"
)


def upgrade() -> None:
    op.add_column("minutes", sa.Column("first_source_url", sa.Text(), nullable=False, server_default=""))
    op.add_column("minutes", sa.Column("source_count", sa.Integer(), nullable=False, server_default="0"))
    op.execute(BACKFILL)


def downgrade() -> None:
    # plain ALTER TABLE (SQLite >= 3.35 too): a batch copy of minutes would trip its foreign keys
    op.execute("ALTER TABLE minutes DROP COLUMN source_count")
    op.execute("ALTER TABLE minutes DROP COLUMN first_source_url")
