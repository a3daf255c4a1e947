"""drop the travel-record indexes no query uses

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 15:00:00

Travel records are read whole by the matcher, by id for evidence and by link for compliance;
none of them is ever looked up by departure time, document number or date of birth. Those
three indexes only cost writes: rebuilt after every big nightly load and changed for every
record the retention rule erases (about 4 s of a 1M-record night on SQLite).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNUSED = {
    "ix_travel_records_departure_time": "departure_time",
    "ix_travel_records_doc_number_norm": "doc_number_norm",
    "ix_travel_records_date_of_birth": "date_of_birth",
}


def upgrade() -> None:
    with op.batch_alter_table("travel_records", schema=None) as batch_op:
        for name in UNUSED:
            batch_op.drop_index(name)


def downgrade() -> None:
    with op.batch_alter_table("travel_records", schema=None) as batch_op:
        for name, column in UNUSED.items():
            batch_op.create_index(name, [column], unique=False)
