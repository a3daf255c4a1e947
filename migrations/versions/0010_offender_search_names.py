"""offenders.search_names: every name folded to upper-case ASCII for search in any script

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 15:00:00

Issue 21: SQLite's upper() is ASCII-only and neither database transliterates, so a Latin
query could not find a name stored in Cyrillic, Greek or Arabic. The register's and the
aliases' names are kept a second time, folded (tracker.search_names), and filled here for
the offenders already stored; downgrade drops the column.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("offenders") as batch:
        batch.add_column(sa.Column("search_names", sa.Text(), nullable=True))
    from tracker.search_names import refresh_search_names

    refresh_search_names(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("offenders") as batch:
        batch.drop_column("search_names")
