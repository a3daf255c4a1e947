"""api_tokens.sources: the travel sources a border system's token may write

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 16:10:00

Issue 22 security review: travel rows are upserted by (source, record_id) and the sender
chooses the source, so any manifests:write token could overwrite any traveller (another
system's, or the nightly's). Each token now names the sources it may write, as exact names
or ``*`` globs. Tokens made before get none: their manifests' rows are all rejected until an
admin makes them a token with ``--source``; downgrade drops the column.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(
            sa.Column("sources", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("sources")
