"""a run may end `partial`

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 08:30:00

Every stage ran but a file was quarantined or skipped (data contract 1.1: `tracker nightly`
exits 3). The run's status says so instead of claiming a clean night.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_runs_status_allowed"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_runs_status_allowed"),
            "status IN ('running', 'succeeded', 'partial', 'failed')",
        )


def downgrade() -> None:
    op.execute("UPDATE runs SET status = 'succeeded' WHERE status = 'partial'")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_runs_status_allowed"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_runs_status_allowed"), "status IN ('running', 'succeeded', 'failed')"
        )
