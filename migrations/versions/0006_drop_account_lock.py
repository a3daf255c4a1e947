"""drop the account lock: sign-in is throttled per (name, client) instead

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 09:20:00

Five wrong passwords from anywhere used to lock any account, an admin's included (issue 19).
Failures are now counted in `sign_in_failures` per (name typed, client address), so the
account's own counter and lock are unused and go.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tracker.models.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_sign_ins")


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("locked_until", tracker.models.base.UTCDateTime(timezone=True),
                      nullable=True)
        )
