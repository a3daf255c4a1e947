"""Redacting a traveller's values out of alteration entries written before values were kept
apart from the chain: retention must erase them too (domain.md s.6).

The entry's details are rewritten with every personal value replaced by ``[erased]``; a later
``audit_redaction`` entry records the entry's id, its original hash and the digest of the
redacted details. The entry keeps its stored hash, so the chain after it still follows on, and
``verify_chain`` accepts the redacted details only as that redaction entry describes them.
The database allows the update only for a travel record's alteration entry that such a
redaction entry names (migration 0007).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tracker.audit import record_event
from tracker.audit_chain import VALUES_DIGEST
from tracker.audit_view import TRAVELLER_FIELDS, redacted
from tracker.models import AuditEvent

REDACTION_OBJECT = "audit_redaction"
ERASED = "[erased]"
REDACTABLE = ("travel_record", "alteration")  # (object type, action) of the entries concerned


def redacted_details(details: dict) -> dict:
    """The details with every personal value of a traveller replaced, at any depth."""
    return redacted(details, TRAVELLER_FIELDS, ERASED)


def details_digest(details: dict) -> str:
    canonical = json.dumps(details, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def holds_values(event: AuditEvent) -> bool:
    """An entry of the old kind: a traveller's values inside its chained details."""
    details = event.details or {}
    return (
        (event.object_type, event.action) == REDACTABLE
        and VALUES_DIGEST not in details
        and redacted_details(details) != details
    )


@dataclass(frozen=True)
class Redaction:
    """What a redaction entry says about the entry it redacted."""

    redaction_id: int
    original_hash: str
    redacted_digest: str


def recorded_redactions(session: Session) -> dict[int, Redaction]:
    """The redactions the trail records, by the id of the entry redacted (first one wins)."""
    found: dict[int, Redaction] = {}
    rows = session.execute(
        select(AuditEvent.id, AuditEvent.details)
        .where(AuditEvent.object_type == REDACTION_OBJECT)
        .order_by(AuditEvent.id)
    )
    for redaction_id, details in rows:
        try:
            event_id = int(details["event_id"])
            redaction = Redaction(
                redaction_id, str(details["original_hash"]), str(details["redacted_digest"])
            )
        except (KeyError, TypeError, ValueError):
            continue
        found.setdefault(event_id, redaction)
    return found


def accepts(event: AuditEvent, redaction: Redaction | None) -> bool:
    """Does a recorded redaction explain why this entry's hash no longer matches? Only for a
    travel record's alteration, redacted later, still holding its original hash, with exactly
    the redacted details recorded and nothing left to redact."""
    details = event.details or {}
    return (
        redaction is not None
        and redaction.redaction_id > event.id
        and (event.object_type, event.action) == REDACTABLE
        and event.entry_hash == redaction.original_hash
        and details_digest(details) == redaction.redacted_digest
        and redacted_details(details) == details
    )


def redact_entries(
    session: Session, events: list[AuditEvent], actor: str, run_id: int | None = None
) -> int:
    """Redact these old-kind entries: record each redaction, then rewrite the details (the
    database allows it only once the redaction entry exists). Returns how many."""
    done = 0
    for event in events:
        if not holds_values(event):
            continue
        details = redacted_details(event.details)
        record_event(
            session,
            actor=actor,
            action="erasure",
            object_type=REDACTION_OBJECT,
            object_id=event.id,
            run_id=run_id,
            justification="retention: a traveller's values redacted from an entry "
            "written before values were kept apart",
            details={
                "event_id": event.id,
                "original_hash": event.entry_hash,
                "redacted_digest": details_digest(details),
            },
        )
        session.flush()
        session.execute(
            update(AuditEvent).where(AuditEvent.id == event.id).values(details=details),
            execution_options={"synchronize_session": False},
        )
        session.expire(event)
        done += 1
    return done
