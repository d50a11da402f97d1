"""document keys: a document's identity where its URL is not stable

``documents.doc_key``: what the site says a document is when its URL changes on every publication
(CMIS serves each document under a new opaque ``Document.ashx?<token>``): ``cmis:<meeting id>:<title>``.
Unique per council (a unique index); NULL where the URL is the identity (ModernGov), which a unique constraint allows
any number of times on SQLite and PostgreSQL alike.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 14:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# A column and a unique index, not a table rebuild: SQLite's batch mode would recreate `documents`
# under the views of migration 0006.
def upgrade() -> None:
    op.add_column("documents", sa.Column("doc_key", sa.Text(), nullable=True))
    op.create_index("uq_documents_council_key", "documents", ["council_id", "doc_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_documents_council_key", table_name="documents")
    op.drop_column("documents", "doc_key")
