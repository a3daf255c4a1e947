"""urgent screening: API tokens, screenings and their hits, level-one alerts

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:30:00

Issue 22 (data contract 1.1): border systems push manifests with a bearer token; each
manifest is a screening with its hits; a level-one case raises an alert that is delivered,
acknowledged or escalated. A flag may now be raised by a screening rather than a run
(`pending_departure_without_notice`) and PNRGOV is an input format. Alerts are audited with
the existing actions (a delivery is a disclosure, an acknowledgement a decision), so the
append-only audit table is not rebuilt.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import tracker.models.base

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


OLD_FLAG_KINDS = (
    "'unnotified_travel', 'late_travel_notification', 'travel_details_mismatch', "
    "'missing_return_notification', 'late_initial', 'late_change', 'overdue_periodic', "
    "'overdue_weekly', 'whereabouts_unknown'"
)
NEW_FLAG_KINDS = OLD_FLAG_KINDS + ", 'pending_departure_without_notice'"
OLD_FORMATS = "'csv', 'jsonl', 'paxlst'"
NEW_FORMATS = OLD_FORMATS + ", 'pnrgov'"


def _replace_check(table: str, column: str, values: str) -> None:
    name = f"ck_{table}_{column}_allowed"
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(op.f(name), type_="check")
        batch_op.create_check_constraint(op.f(name), f"{column} IN ({values})")


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", tracker.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("expires_at", tracker.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", tracker.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=100), nullable=True),
        sa.Column("last_used_at", tracker.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("name", name=op.f("uq_api_tokens_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "screenings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=120), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("source_file_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("received_at", tracker.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("screened_at", tracker.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("travellers_read", sa.Integer(), nullable=False),
        sa.Column("travellers_rejected", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "status IN ('received', 'screened', 'failed')",
            name=op.f("ck_screenings_status_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["source_file_id"],
            ["source_files.id"],
            name=op.f("fk_screenings_source_file_id_source_files"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screenings")),
    )
    with op.batch_alter_table("screenings", schema=None) as batch_op:
        batch_op.create_index("ix_screenings_received_at", ["received_at"], unique=False)
        batch_op.create_index(
            "uq_screenings_idempotency", ["sender", "idempotency_key"], unique=True
        )

    op.create_table(
        "screening_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("screening_id", sa.Integer(), nullable=False),
        sa.Column("travel_pk", sa.Integer(), nullable=False),
        sa.Column("offender_pk", sa.Integer(), nullable=False),
        sa.Column("band", sa.String(length=10), nullable=False),
        sa.Column("match_probability", sa.Float(), nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("created_at", tracker.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "band IN ('match', 'review')", name=op.f("ck_screening_hits_band_allowed")
        ),
        sa.ForeignKeyConstraint(
            ["offender_pk"],
            ["offenders.id"],
            name=op.f("fk_screening_hits_offender_pk_offenders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["screening_id"],
            ["screenings.id"],
            name=op.f("fk_screening_hits_screening_id_screenings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["travel_pk"],
            ["travel_records.id"],
            name=op.f("fk_screening_hits_travel_pk_travel_records"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_hits")),
    )
    with op.batch_alter_table("screening_hits", schema=None) as batch_op:
        batch_op.create_index("ix_screening_hits_offender", ["offender_pk"], unique=False)
        batch_op.create_index("uq_screening_hits_pair", ["screening_id", "travel_pk"], unique=True)

    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("screening_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("flight", sa.String(length=40), nullable=True),
        sa.Column("departure_time", tracker.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("raised_at", tracker.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", tracker.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=100), nullable=True),
        sa.Column("escalated_at", tracker.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('raised', 'acknowledged', 'escalated')", name=op.f("ck_alerts_state_allowed")
        ),
        sa.ForeignKeyConstraint(
            ["flag_id"], ["flags.id"], name=op.f("fk_alerts_flag_id_flags"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["screening_id"],
            ["screenings.id"],
            name=op.f("fk_alerts_screening_id_screenings"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index("ix_alerts_state", ["state", "raised_at"], unique=False)
        batch_op.create_index("uq_alerts_flag", ["flag_id"], unique=True)

    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("attempted_at", tracker.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "channel IN ('email', 'webhook', 'escalation_email')",
            name=op.f("ck_alert_deliveries_channel_allowed"),
        ),
        sa.CheckConstraint(
            "outcome IN ('delivered', 'failed')", name=op.f("ck_alert_deliveries_outcome_allowed")
        ),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["alerts.id"],
            name=op.f("fk_alert_deliveries_alert_id_alerts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_deliveries")),
    )
    with op.batch_alter_table("alert_deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_alert_deliveries_alert", ["alert_id"], unique=False)

    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.add_column(sa.Column("screening_id", sa.Integer(), nullable=True))
        batch_op.alter_column("run_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_flags_screening_id_screenings"),
            "screenings",
            ["screening_id"],
            ["id"],
            ondelete="SET NULL",
        )
    _replace_check("flags", "kind", NEW_FLAG_KINDS)
    _replace_check("source_files", "format", NEW_FORMATS)


def downgrade() -> None:
    op.execute(
        "DELETE FROM flags WHERE kind = 'pending_departure_without_notice' OR run_id IS NULL"
    )
    op.execute("DELETE FROM source_files WHERE format = 'pnrgov'")
    _replace_check("source_files", "format", OLD_FORMATS)
    _replace_check("flags", "kind", OLD_FLAG_KINDS)
    with op.batch_alter_table("flags", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_flags_screening_id_screenings"), type_="foreignkey")
        batch_op.alter_column("run_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("screening_id")

    with op.batch_alter_table("alert_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_deliveries_alert")

    op.drop_table("alert_deliveries")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index("uq_alerts_flag")
        batch_op.drop_index("ix_alerts_state")

    op.drop_table("alerts")
    with op.batch_alter_table("screening_hits", schema=None) as batch_op:
        batch_op.drop_index("uq_screening_hits_pair")
        batch_op.drop_index("ix_screening_hits_offender")

    op.drop_table("screening_hits")
    with op.batch_alter_table("screenings", schema=None) as batch_op:
        batch_op.drop_index("uq_screenings_idempotency")
        batch_op.drop_index("ix_screenings_received_at")

    op.drop_table("screenings")
    op.drop_table("api_tokens")
