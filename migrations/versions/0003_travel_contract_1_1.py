"""travel records of data contract 1.1: direction `transit`, crew, booking reference

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 08:00:00

A journey that neither leaves nor enters the home country is `transit` (stored, matched and
shown; the travel rules read `out` and `in` alone). Crew lists load as travellers of kind
`crew`, and a PNR's record locator is kept as `booking_ref`.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("travel_records", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_travel_records_direction_allowed"), type_="check")
        batch_op.alter_column("direction", existing_type=sa.String(length=3),
                              type_=sa.String(length=10), existing_nullable=False)
        batch_op.create_check_constraint(
            op.f("ck_travel_records_direction_allowed"), "direction IN ('out', 'in', 'transit')"
        )
        batch_op.add_column(sa.Column("traveller_kind", sa.String(length=10), nullable=False,
                                      server_default="passenger"))
        batch_op.add_column(sa.Column("booking_ref", sa.String(length=64), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_travel_records_traveller_kind_allowed"),
            "traveller_kind IN ('passenger', 'crew')",
        )


def downgrade() -> None:
    # Transit journeys have no place in the older schema (its direction is `out` or `in`).
    op.execute("DELETE FROM travel_records WHERE direction = 'transit'")
    with op.batch_alter_table("travel_records", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_travel_records_traveller_kind_allowed"), type_="check")
        batch_op.drop_column("booking_ref")
        batch_op.drop_column("traveller_kind")
        batch_op.drop_constraint(op.f("ck_travel_records_direction_allowed"), type_="check")
        batch_op.alter_column("direction", existing_type=sa.String(length=10),
                              type_=sa.String(length=3), existing_nullable=False)
        batch_op.create_check_constraint(op.f("ck_travel_records_direction_allowed"),
                                         "direction IN ('out', 'in')")
