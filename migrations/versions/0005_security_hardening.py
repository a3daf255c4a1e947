"""security hardening: session versions, sign-in throttle, public feed text, audit values apart

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 08:45:00

- `users.session_version`: sign-out, password and role changes and deactivation end every
  session of that person at once.
- `sign_in_failures`: failed sign-ins counted per (account, client), so guessing is slowed
  without anyone being able to lock another person's account.
- `publications.public_description` / `public_area`: the only free text the feed publishes.
- `audit_event_values`: personal values an audit entry refers to, kept out of the chained
  payload so retention can erase them and the chain still verifies.
- `audit_head` is protected like the trail: it cannot be deleted or rewound.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from tracker.models.base import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HEAD_MESSAGE = "audit_head can only move forward: deleting or rewinding it is refused"
VALUES_MESSAGE = "audit_event_values cannot be changed, only erased"


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_description", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("public_area", sa.Text(), nullable=True))
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(length=100), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_failed_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failures")),
        sa.UniqueConstraint("account", "client", name=op.f("uq_sign_in_failures_account_client")),
    )
    op.create_table(
        "audit_event_values",
        sa.Column("event_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["audit_events.id"],
            name=op.f("fk_audit_event_values_event_id_audit_events"),
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_audit_event_values")),
    )
    create_head_and_values_triggers()


def downgrade() -> None:
    drop_head_and_values_triggers()
    op.drop_table("audit_event_values")
    op.drop_table("sign_in_failures")
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_column("public_area")
        batch_op.drop_column("public_description")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")


def create_head_and_values_triggers() -> None:
    """The head may only move forward; stored values may be erased but never edited."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION audit_head_refuse_rewind() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'UPDATE' AND NEW.id = OLD.id
                   AND NEW.last_event_id >= OLD.last_event_id THEN
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION '{HEAD_MESSAGE}';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_head "
            "FOR EACH ROW EXECUTE FUNCTION audit_head_refuse_rewind()"
        )
        op.execute(
            "CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_head_refuse_rewind()"
        )
        op.execute(
            f"""
            CREATE FUNCTION audit_event_values_refuse_update() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{VALUES_MESSAGE}';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER audit_event_values_erase_only BEFORE UPDATE ON audit_event_values "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_values_refuse_update()"
        )
    else:
        op.execute(
            "CREATE TRIGGER audit_head_refuse_delete BEFORE DELETE ON audit_head "
            f"BEGIN SELECT RAISE(ABORT, '{HEAD_MESSAGE}'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_head_refuse_rewind BEFORE UPDATE ON audit_head "
            "WHEN NEW.id != OLD.id OR NEW.last_event_id < OLD.last_event_id "
            f"BEGIN SELECT RAISE(ABORT, '{HEAD_MESSAGE}'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_event_values_refuse_update BEFORE UPDATE ON audit_event_values "
            f"BEGIN SELECT RAISE(ABORT, '{VALUES_MESSAGE}'); END"
        )


def drop_head_and_values_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_values_erase_only ON audit_event_values")
        op.execute("DROP FUNCTION IF EXISTS audit_event_values_refuse_update()")
        op.execute("DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_head")
        op.execute("DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_head")
        op.execute("DROP FUNCTION IF EXISTS audit_head_refuse_rewind()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_values_refuse_update")
        op.execute("DROP TRIGGER IF EXISTS audit_head_refuse_rewind")
        op.execute("DROP TRIGGER IF EXISTS audit_head_refuse_delete")
