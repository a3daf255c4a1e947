"""audit erase rule: only a travel record's kept values may be deleted, and an entry's details
may change only as a recorded redaction

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 09:45:00

- `audit_event_values`: a row may be deleted only when its entry is about a travel record
  (retention erases a member of the public's travel details; an offender's alteration evidence
  is never erased), and the table cannot be truncated.
- `audit_events`: still no delete; an update is refused unless it changes only `details` of a
  travel record's alteration entry that a later `audit_redaction` entry names (retention
  redacting values written inside the chain before values were kept apart). `verify_chain`
  accepts the redacted details only against that redaction entry's original hash and digest.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_MESSAGE = "audit_events is append-only: updates and deletes are refused"
ERASE_MESSAGE = "audit_event_values: only the kept values of travel records may be erased"
UNCHANGED = ("id", "at", "actor", "action", "object_type", "object_id", "justification",
             "run_id", "prev_hash", "entry_hash")  # fmt: skip


def _redaction_clause(cast_id: str, same_as: str) -> str:
    """True for an update that is a recorded redaction (``same_as``: the dialect's null-safe
    equality)."""
    same = " AND ".join(f"NEW.{column} {same_as} OLD.{column}" for column in UNCHANGED)
    return (f"{same} AND OLD.object_type = 'travel_record' AND OLD.action = 'alteration' "
            "AND EXISTS (SELECT 1 FROM audit_events r WHERE r.object_type = 'audit_redaction' "
            f"AND r.object_id = {cast_id} AND r.id > OLD.id)")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("CREATE TRIGGER audit_events_refuse_delete BEFORE DELETE ON audit_events "
                   "FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()")
        op.execute(f"""
            CREATE FUNCTION audit_events_redaction_only() RETURNS trigger AS $$
            BEGIN
                IF {_redaction_clause("OLD.id::text", "IS NOT DISTINCT FROM")} THEN
                    RETURN NEW;
                END IF;
                RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}';
            END;
            $$ LANGUAGE plpgsql
        """)  # fmt: skip
        op.execute("CREATE TRIGGER audit_events_redaction_only BEFORE UPDATE ON audit_events "
                   "FOR EACH ROW EXECUTE FUNCTION audit_events_redaction_only()")
        op.execute(f"""
            CREATE FUNCTION audit_event_values_erase_rule() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM audit_events e
                        WHERE e.id = OLD.event_id AND e.object_type = 'travel_record') THEN
                    RETURN OLD;
                END IF;
                RAISE EXCEPTION '{ERASE_MESSAGE}';
            END;
            $$ LANGUAGE plpgsql
        """)  # fmt: skip
        op.execute("CREATE TRIGGER audit_event_values_erase_rule BEFORE DELETE ON "
                   "audit_event_values FOR EACH ROW EXECUTE FUNCTION "
                   "audit_event_values_erase_rule()")
        op.execute("CREATE TRIGGER audit_event_values_no_truncate BEFORE TRUNCATE ON "
                   "audit_event_values FOR EACH STATEMENT EXECUTE FUNCTION "
                   "audit_event_values_erase_rule()")
    else:
        op.execute("DROP TRIGGER audit_events_refuse_update")
        op.execute("CREATE TRIGGER audit_events_refuse_update BEFORE UPDATE ON audit_events "
                   f"WHEN NOT ({_redaction_clause('CAST(OLD.id AS TEXT)', 'IS')}) "
                   f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END")
        op.execute("CREATE TRIGGER audit_event_values_refuse_delete BEFORE DELETE ON "
                   "audit_event_values WHEN (SELECT e.object_type FROM audit_events e "
                   "WHERE e.id = OLD.event_id) IS NOT 'travel_record' "
                   f"BEGIN SELECT RAISE(ABORT, '{ERASE_MESSAGE}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_values_no_truncate ON audit_event_values")
        op.execute("DROP TRIGGER IF EXISTS audit_event_values_erase_rule ON audit_event_values")
        op.execute("DROP FUNCTION IF EXISTS audit_event_values_erase_rule()")
        op.execute("DROP TRIGGER IF EXISTS audit_events_redaction_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS audit_events_redaction_only()")
        op.execute("DROP TRIGGER IF EXISTS audit_events_refuse_delete ON audit_events")
        op.execute("CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON "
                   "audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_values_refuse_delete")
        op.execute("DROP TRIGGER IF EXISTS audit_events_refuse_update")
        op.execute("CREATE TRIGGER audit_events_refuse_update BEFORE UPDATE ON audit_events "
                   f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END")
