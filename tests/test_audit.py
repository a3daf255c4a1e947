"""The audit trail is append-only and any tampering is found and named."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tracker.audit import AuditError, record_event, verify_chain
from tracker.db import transaction


def _write_events(sessions, n: int = 5) -> None:
    with transaction(sessions) as s:
        for i in range(n):
            record_event(
                s,
                actor="system",
                action="collection",
                object_type="source_file",
                object_id=i,
                justification="nightly load",
                details={"rows": i, "name": "Zoë <b>"},
            )


def _bypass_append_only(engine, backend: str, statement: str) -> None:
    """Tamper as a database administrator would: switch the guard off, then edit."""
    with engine.begin() as conn:
        if backend == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            conn.execute(text(statement))
            conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_refuse_update"))
            conn.execute(text("DROP TRIGGER audit_events_refuse_delete"))
            conn.execute(text(statement))


def test_untouched_trail_verifies(sessions):
    _write_events(sessions)
    with transaction(sessions) as s:
        report = verify_chain(s)
    assert report.intact and report.entries == 5


def test_empty_trail_verifies(sessions):
    with transaction(sessions) as s:
        assert verify_chain(s).intact


def test_database_refuses_update_and_delete(engine, sessions):
    _write_events(sessions, 2)
    for statement in (
        "UPDATE audit_events SET actor = 'someone' WHERE id = 1",
        "DELETE FROM audit_events WHERE id = 2",
    ):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))


def test_altered_entry_is_named(engine, sessions, backend):
    _write_events(sessions)
    _bypass_append_only(
        engine, backend, "UPDATE audit_events SET justification = 'edited' WHERE id = 3"
    )
    with transaction(sessions) as s:
        report = verify_chain(s)
    assert not report.intact
    assert report.first_broken_id == 3
    assert "altered" in report.problem


def test_deleted_middle_entry_is_named(engine, sessions, backend):
    _write_events(sessions)
    _bypass_append_only(engine, backend, "DELETE FROM audit_events WHERE id = 2")
    with transaction(sessions) as s:
        report = verify_chain(s)
    assert not report.intact and report.first_broken_id == 2


def test_deleted_last_entry_is_found_through_the_head(engine, sessions, backend):
    _write_events(sessions)
    _bypass_append_only(engine, backend, "DELETE FROM audit_events WHERE id = 5")
    with transaction(sessions) as s:
        report = verify_chain(s)
    assert not report.intact and report.first_broken_id == 5
    assert "deleted" in report.problem


def test_unknown_action_is_refused(sessions):
    with pytest.raises(AuditError, match="unknown audit action"), transaction(sessions) as s:
        record_event(s, actor="system", action="shredding", object_type="x")
