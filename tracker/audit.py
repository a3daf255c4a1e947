"""The one function every write, consultation and disclosure goes through (DPA 2018 s.62).

Each entry's hash covers its own fields and the previous entry's hash; a head row names the
newest entry (``audit_chain``). Editing, deleting or reordering any entry therefore breaks the
chain that ``verify_chain`` recomputes, even when the database's own append-only triggers were
bypassed.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import exists, insert, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tracker.audit_chain import (
    GENESIS_HASH,
    VALUES_DIGEST,
    Erasures,
    hash_event,
    head_problem,
    values_digest,
    values_problem,
)
from tracker.db import SQLITE_BUSY_MS
from tracker.models import AuditEvent, AuditEventValues, AuditHead
from tracker.models.enums import AUDIT_ACTIONS


class AuditError(ValueError):
    """An audit entry could not be written as asked."""


def _take_write_lock(session: Session) -> None:
    """On SQLite, which ignores FOR UPDATE: hold the database's write lock (waiting up to the
    busy timeout) before the head is read, so that head is the latest and stays so until this
    transaction ends. Without it two web requests read the same head and one of them failed
    (20 analysts at once, bench/web_load.py)."""
    if session.get_bind().dialect.name == "sqlite":
        head = AuditHead.__table__
        session.execute(
            update(head).where(head.c.id == 1).values(last_event_id=head.c.last_event_id)
        )


def _locked_head(session: Session) -> AuditHead:
    """The head row, locked; made only for a trail that has no entry yet. A trail with entries
    and no head was tampered with: writing on would hide that, so it is refused."""
    _take_write_lock(session)
    head = session.scalars(
        select(AuditHead)
        .where(AuditHead.id == 1)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()
    if head is None:
        if session.scalar(select(exists().where(AuditEvent.id > 0))):
            raise AuditError(
                "the audit trail has entries but its head row (audit_head) is gone: nothing "
                "more is written until it is restored from a backup; `tracker audit verify` "
                "reports the damage"
            )
        head = AuditHead(id=1, last_event_id=0, last_hash=GENESIS_HASH)
        session.add(head)
        session.flush()
    elif session.scalar(select(exists().where(AuditEvent.id > head.last_event_id))):
        raise AuditError(
            f"the audit trail's head (audit_head) was wound back to entry {head.last_event_id} "
            "below entries that exist: nothing more is written until it is restored from a "
            "backup; `tracker audit verify` reports the damage"
        )
    return head


SQLITE_POLL_SECONDS = 0.002


def lock_trail_promptly(session: Session, within: float = 30.0) -> None:
    """On SQLite, take the write lock (through the trail's head) polling every 2 ms, not by
    SQLite's own waits, which back off to 100 ms: under a stream of screenings, each holding
    the lock a few hundred ms with a few ms between them, the alert dispatcher waiting SQLite's
    way would miss every gap and the duty e-mail wait seconds. Nothing to do on PostgreSQL
    (its row lock queues fairly)."""
    if session.get_bind().dialect.name != "sqlite":
        return
    connection = session.connection()
    connection.exec_driver_sql("PRAGMA busy_timeout=0")
    deadline = time.monotonic() + within
    try:
        while True:
            try:
                connection.execute(
                    update(AuditHead).where(AuditHead.id == 1).values(id=AuditHead.id)
                )
                return
            except OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(SQLITE_POLL_SECONDS)
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")


def _json_ready(value: dict | None) -> dict:
    """Dates and other values as the text JSON stores, so hashing sees what is stored."""
    return json.loads(json.dumps(value or {}, default=str))


def _salted(values: dict) -> dict:
    return {"salt": secrets.token_hex(16), **_json_ready(values)}


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
    values: dict | None = None
    """Personal values the entry refers to (an alteration's old and new values): stored in
    ``audit_event_values`` with only their digest in the chain, so retention can erase them."""


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
    values: dict | None = None,
) -> AuditEvent:
    """Append one entry to the trail in the caller's transaction (it commits or fails with it).
    ``values``: personal values kept beside the entry, erasable (see ``AuditEntry.values``)."""
    entry = AuditEntry(
        actor, action, object_type, object_id, justification, details, run_id, values
    )
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
        if entry.details and VALUES_DIGEST in entry.details:
            raise AuditError(f"{VALUES_DIGEST!r} is set by the trail itself, from values=")
    if not entries:
        return []
    head = _locked_head(session)
    events = []
    kept_values = []
    for entry in entries:
        details = _json_ready(entry.details)
        if entry.values is not None:
            payload = _salted(entry.values)
            details[VALUES_DIGEST] = values_digest(payload)
            kept_values.append({"event_id": head.last_event_id + 1, "payload": payload})
        event = AuditEvent(
            id=head.last_event_id + 1,
            at=datetime.now(UTC),
            actor=entry.actor,
            action=entry.action,
            object_type=entry.object_type,
            object_id=None if entry.object_id is None else str(entry.object_id),
            justification=entry.justification,
            details=details,
            run_id=entry.run_id,
            prev_hash=head.last_hash,
        )
        event.entry_hash = hash_event(event)
        head.last_event_id = event.id
        head.last_hash = event.entry_hash
        events.append(event)
    session.add_all(events)
    session.flush()
    if kept_values:
        session.execute(insert(AuditEventValues), kept_values)
    return events


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    entries: int
    first_broken_id: int | None = None
    problem: str | None = None
    head_hash: str = GENESIS_HASH


def verify_chain(
    session: Session, batch_size: int = 5000, after: tuple[int, str] | None = None
) -> ChainReport:
    """Recompute every hash in order, check the values kept beside entries against their
    digests and the head against the last entry; name the first place the trail stops adding
    up. Only the database is read: ``tracker.audit_anchor`` checks it against checkpoints.
    ``after`` (entry id, hash), from a verified checkpoint: check only the entries after it,
    which must follow on from it (values erased before it are the full check's business)."""
    expected_id, expected_prev = (after[0] + 1, after[1]) if after else (1, GENESIS_HASH)
    count = 0
    last_id = expected_id - 1
    erasures = Erasures()
    from tracker.audit_redaction import accepts, recorded_redactions  # it writes through us

    redactions = recorded_redactions(session)
    query = (
        select(AuditEvent, AuditEventValues.payload)
        .outerjoin(AuditEventValues, AuditEventValues.event_id == AuditEvent.id)
        .where(AuditEvent.id >= expected_id)
        .order_by(AuditEvent.id)
        .execution_options(yield_per=batch_size)
    )
    for event, payload in session.execute(query):
        if event.id != expected_id:
            return ChainReport(
                False, count, expected_id, f"entry {expected_id} is missing (next is {event.id})"
            )
        if event.prev_hash != expected_prev:
            return ChainReport(
                False, count, event.id, f"entry {event.id} does not follow entry {event.id - 1}"
            )
        if hash_event(event) != event.entry_hash and not accepts(event, redactions.get(event.id)):
            return ChainReport(
                False, count, event.id, f"entry {event.id} was altered: its hash does not match"
            )
        problem = values_problem(event, payload)
        if problem:
            return ChainReport(False, count, event.id, problem)
        erasures.note(event, payload)
        expected_prev = event.entry_hash
        expected_id += 1
        last_id = event.id
        count += 1
    problem = head_problem(session, last_id, expected_prev)
    if problem:
        return ChainReport(False, count, last_id + 1, problem)
    destroyed = erasures.first_unvouched()
    if destroyed is not None:
        before = destroyed - 1 - (after[0] if after else 0)  # entries verified before it
        return ChainReport(
            False,
            before,
            destroyed,
            f"the values of entry {destroyed} were deleted without an erasure entry naming them",
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
