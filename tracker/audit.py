"""The one function every write, consultation and disclosure goes through (DPA 2018 s.62).

Each entry's hash covers its own fields and the previous entry's hash; a head row names the
newest entry. Editing, deleting or reordering any entry therefore breaks the chain that
``verify_chain`` recomputes, even when the database's own append-only triggers were bypassed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.models import AuditEvent, AuditHead
from tracker.models.enums import AUDIT_ACTIONS

GENESIS_HASH = "0" * 64


class AuditError(ValueError):
    """An audit entry could not be written as asked."""


def _canonical(
    *,
    event_id: int,
    at: datetime,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | None,
    justification: str | None,
    details: dict,
    run_id: int | None,
    prev_hash: str,
) -> bytes:
    payload = {
        "id": event_id,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "justification": justification,
        "details": details,
        "run_id": run_id,
        "prev_hash": prev_hash,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def hash_event(event: AuditEvent) -> str:
    return hashlib.sha256(
        _canonical(
            event_id=event.id,
            at=event.at,
            actor=event.actor,
            action=event.action,
            object_type=event.object_type,
            object_id=event.object_id,
            justification=event.justification,
            details=event.details,
            run_id=event.run_id,
            prev_hash=event.prev_hash,
        )
    ).hexdigest()


def _locked_head(session: Session) -> AuditHead:
    head = session.scalars(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).one_or_none()
    if head is None:
        head = AuditHead(id=1, last_event_id=0, last_hash=GENESIS_HASH)
        session.add(head)
        session.flush()
    return head


@dataclass(frozen=True)
class AuditEntry:
    """What one entry says; ``record_events`` gives it its place in the chain."""

    actor: str
    action: str
    object_type: str
    object_id: str | int | None = None
    justification: str | None = None
    details: dict | None = None
    run_id: int | None = None


def record_event(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | int | None = None,
    justification: str | None = None,
    details: dict | None = None,
    run_id: int | None = None,
) -> AuditEvent:
    """Append one entry to the trail in the caller's transaction (it commits or fails with it)."""
    entry = AuditEntry(actor, action, object_type, object_id, justification, details, run_id)
    [event] = record_events(session, [entry])
    return event


def record_events(session: Session, entries: list[AuditEntry]) -> list[AuditEvent]:
    """Append entries in order, locking the head once: a night's thousands of collection
    entries (one per passenger-list file) cost one round of locking and one flush."""
    for entry in entries:
        if entry.action not in AUDIT_ACTIONS:
            raise AuditError(
                f"unknown audit action {entry.action!r}; expected one of {AUDIT_ACTIONS}"
            )
        if not entry.actor:
            raise AuditError("an audit entry needs the acting user (or 'system')")
    if not entries:
        return []
    head = _locked_head(session)
    events = []
    for entry in entries:
        event = AuditEvent(
            id=head.last_event_id + 1,
            at=datetime.now(UTC),
            actor=entry.actor,
            action=entry.action,
            object_type=entry.object_type,
            object_id=None if entry.object_id is None else str(entry.object_id),
            justification=entry.justification,
            details=json.loads(json.dumps(entry.details or {}, default=str)),
            run_id=entry.run_id,
            prev_hash=head.last_hash,
        )
        event.entry_hash = hash_event(event)
        head.last_event_id = event.id
        head.last_hash = event.entry_hash
        events.append(event)
    session.add_all(events)
    session.flush()
    return events


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    entries: int
    first_broken_id: int | None = None
    problem: str | None = None
    head_hash: str = GENESIS_HASH


def verify_chain(session: Session, batch_size: int = 5000) -> ChainReport:
    """Recompute every hash in order; name the first entry where the trail stops adding up."""
    expected_prev = GENESIS_HASH
    expected_id = 1
    count = 0
    last_id = 0
    query = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=batch_size)
    for event in session.scalars(query):
        if event.id != expected_id:
            return ChainReport(
                False, count, expected_id, f"entry {expected_id} is missing (next is {event.id})"
            )
        if event.prev_hash != expected_prev:
            return ChainReport(
                False, count, event.id, f"entry {event.id} does not follow entry {event.id - 1}"
            )
        if hash_event(event) != event.entry_hash:
            return ChainReport(
                False, count, event.id, f"entry {event.id} was altered: its hash does not match"
            )
        expected_prev = event.entry_hash
        expected_id += 1
        last_id = event.id
        count += 1
    head = session.get(AuditHead, 1)
    head_id = head.last_event_id if head else 0
    head_hash = head.last_hash if head else GENESIS_HASH
    if head_id != last_id or head_hash != expected_prev:
        return ChainReport(
            False,
            count,
            last_id + 1,
            f"the trail ends at entry {last_id} but its head names entry {head_id}: "
            f"entries {last_id + 1} to {head_id} were deleted",
        )
    return ChainReport(True, count, head_hash=expected_prev)


def query_audit_log(
    session: Session,
    *,
    actor: str | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 200,
) -> list[AuditEvent]:
    """Newest first, filtered; reading the log is itself logged by the caller."""
    statement = select(AuditEvent)
    if actor:
        statement = statement.where(AuditEvent.actor == actor)
    if action:
        statement = statement.where(AuditEvent.action == action)
    if object_type:
        statement = statement.where(AuditEvent.object_type == object_type)
    if object_id:
        statement = statement.where(AuditEvent.object_id == str(object_id))
    if since:
        statement = statement.where(AuditEvent.at >= since)
    if until:
        statement = statement.where(AuditEvent.at < until)
    return list(session.scalars(statement.order_by(AuditEvent.id.desc()).limit(limit)))
