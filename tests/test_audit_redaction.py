"""A traveller's values written inside the chain before values were kept apart: retention
redacts them with a redaction entry, and the chain still verifies; nothing else may be edited."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from factories import add_travel
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tracker.audit import record_event, verify_chain
from tracker.audit_redaction import REDACTION_OBJECT, details_digest, redacted_details
from tracker.db import transaction
from tracker.models import AuditEvent
from tracker.services.retention import erase_unmatched_travel

NAMES = ("Passengerone", "Passengeronne", "P9988776")
OLD_KIND = {
    "changes": {
        "family_name": {"old": NAMES[0], "new": NAMES[1]},
        "doc_number": {"old": NAMES[2], "new": None},
        "flight_number": {"old": "BA9", "new": "BA11"},
    }
}


def _old_kind_entry(sessions, object_type: str = "travel_record") -> int:
    """An alteration written as before this version: the values inside the chained details."""
    with transaction(sessions) as s:
        add_travel(s, record_id="R1", departure_time=datetime(2026, 1, 10, 9, tzinfo=UTC))
        event = record_event(
            s,
            actor="system",
            action="alteration",
            object_type=object_type,
            object_id="api-test|R1",
            details=OLD_KIND,
        )
        record_event(s, actor="system", action="collection", object_type="source_file")
        return event.id


def test_retention_redacts_values_written_inside_the_chain_and_it_still_verifies(sessions):
    event_id = _old_kind_entry(sessions)
    with transaction(sessions) as s:
        assert erase_unmatched_travel(s, date(2030, 1, 1)).erased == 1
    with transaction(sessions) as s:
        entry = s.get(AuditEvent, event_id)
        assert not any(name in json.dumps(entry.details) for name in NAMES)
        assert entry.details["changes"]["family_name"] == "[erased]"
        assert entry.details["changes"]["flight_number"] == {"old": "BA9", "new": "BA11"}
        redaction = s.scalars(select(AuditEvent).filter_by(object_type=REDACTION_OBJECT)).one()
        assert redaction.details["event_id"] == event_id
        erasure = s.scalars(select(AuditEvent).filter_by(object_type="travel_records")).one()
        assert erasure.details["audit_entries_redacted"] == 1
        report = verify_chain(s)
    assert report.intact, report.problem


def test_details_edited_without_a_recorded_redaction_are_refused_and_named(
    engine, sessions, backend
):
    event_id = _old_kind_entry(sessions)
    edited = json.dumps(redacted_details(OLD_KIND))
    statement = text("UPDATE audit_events SET details = :d WHERE id = :i")
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(statement, {"d": edited, "i": event_id})
    with transaction(sessions) as s:  # a redaction entry that describes other details
        record_event(
            s,
            actor="system",
            action="erasure",
            object_type=REDACTION_OBJECT,
            object_id=event_id,
            details={
                "event_id": event_id,
                "original_hash": s.get(AuditEvent, event_id).entry_hash,
                "redacted_digest": "0" * 64,
            },
        )
    with engine.begin() as conn:  # now the database lets it through, but verify does not
        conn.execute(statement, {"d": edited, "i": event_id})
    with transaction(sessions) as s:
        report = verify_chain(s)
    assert not report.intact and report.first_broken_id == event_id
    assert "was altered" in report.problem


def test_an_offenders_entry_cannot_be_redacted(engine, sessions):
    event_id = _old_kind_entry(sessions, object_type="offender")
    details = redacted_details(OLD_KIND)
    with transaction(sessions) as s:
        record_event(
            s,
            actor="system",
            action="erasure",
            object_type=REDACTION_OBJECT,
            object_id=event_id,
            details={
                "event_id": event_id,
                "original_hash": s.get(AuditEvent, event_id).entry_hash,
                "redacted_digest": details_digest(details),
            },
        )
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_events SET details = :d WHERE id = :i"),
            {"d": json.dumps(details), "i": event_id},
        )
