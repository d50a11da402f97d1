"""year convention learnt per committee unless the registry sets it

``councils.year_convention_set``: the convention the registry sets for the council, NULL where it
sets none; each committee's is then learnt from its own minutes
(``pipeline/archive/writer/conventions.py``). ``councils.year_convention`` stays the council's
default (the one set, else "municipal").

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-02 04:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("councils", sa.Column("year_convention_set", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("councils") as batch:
        batch.drop_column("year_convention_set")
