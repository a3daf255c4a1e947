"""The one function every write, consultation and disclosure goes through (DPA 2018 s.62).

Each entry's hash covers its own fields and the previous entry's hash; a head row names the
newest entry. Editing, deleting or reordering any entry therefore breaks the chain that
``verify_chain`` recomputes, even when the database's own append-only triggers were bypassed.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import exists, insert, select
from sqlalchemy.orm import Session

from tracker.models import (
    AuditEvent,
    AuditEventValues,
    AuditHead,
    Offender,
    SourceFile,
    TravelRecord,
    User,
)
from tracker.models.enums import AUDIT_ACTIONS

GENESIS_HASH = "0" * 64
VALUES_DIGEST = "values_digest"
"""The key, in an entry's chained details, of the digest of the values kept apart from it."""
ERASED_VALUES = "erased_values"
"""The key, in an erasure entry's chained details, of the ids (as ``[first, last]`` ranges)
of the entries whose kept values it erased: the only values verify accepts as gone."""
ERASABLE_VALUES_OF = frozenset({"travel_record"})
"""The entries whose kept values retention erases: a member of the public's travel details."""
# Every row of these tables was written with an audit entry beside it: an empty trail next to
# any of them means the trail was emptied, not that nothing happened. (Not runs: a first run can
# fail before it writes anything.)
AUDITED_TABLES = (User, SourceFile, Offender, TravelRecord)


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
    """The head row, locked; made only for a trail that has no entry yet. A trail with entries
    and no head was tampered with: writing on would hide that, so it is refused."""
    head = session.scalars(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
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


def _json_ready(value: dict | None) -> dict:
    """Dates and other values as the text JSON stores, so hashing sees what is stored."""
    return json.loads(json.dumps(value or {}, default=str))


def values_digest(payload: dict) -> str:
    """SHA-256 of the values kept apart from an entry. The payload carries a random salt, so
    once retention erased the values, their digest in the chain reveals nothing of them."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


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


def id_ranges(ids: list[int]) -> list[list[int]]:
    """Ids as ``[first, last]`` runs of consecutive ids: an erasure of 10,000 values written
    night after night is a handful of ranges in its entry, not 10,000 numbers."""
    ranges: list[list[int]] = []
    for event_id in sorted(set(ids)):
        if ranges and event_id == ranges[-1][1] + 1:
            ranges[-1][1] = event_id
        else:
            ranges.append([event_id, event_id])
    return ranges


class _Erasures:
    """Entries whose kept values are gone, and the erasure entries that vouch for that: values
    deleted without an erasure entry after their entry naming it were destroyed, not erased."""

    def __init__(self) -> None:
        self.missing: list[int] = []
        self.covered: list[tuple[int, int]] = []

    def note(self, event: AuditEvent, payload: dict | None) -> None:
        if payload is None and VALUES_DIGEST in (event.details or {}):
            self.missing.append(event.id)
        if event.action != "erasure":
            return
        for item in (event.details or {}).get(ERASED_VALUES) or []:
            if isinstance(item, list) and len(item) == 2 and all(isinstance(n, int) for n in item):
                # an erasure vouches only for entries written before it
                self.covered.append((item[0], min(item[1], event.id - 1)))

    def first_unvouched(self) -> int | None:
        merged: list[list[int]] = []  # the vouched ranges, sorted and without overlaps
        for first, last in sorted(self.covered):
            if merged and first <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], last)
            elif first <= last:
                merged.append([first, last])
        starts = [first for first, _ in merged]
        for event_id in self.missing:
            at = bisect.bisect_right(starts, event_id) - 1
            if at < 0 or merged[at][1] < event_id:
                return event_id
        return None


def _values_problem(event: AuditEvent, payload: dict | None) -> str | None:
    """Values kept beside an entry must be the ones its chained digest names. Values that are
    gone may only be a travel record's (retention erases nothing else, domain.md s.6): an
    erasure entry could be forged by anyone who can append to the trail, so it vouches for
    those alone (``_Erasures``)."""
    if payload is None:
        if VALUES_DIGEST in (event.details or {}) and event.object_type not in ERASABLE_VALUES_OF:
            return (
                f"the values of entry {event.id} ({event.object_type}) were deleted: only "
                "a travel record's kept values are ever erased"
            )
        return None
    digest = (event.details or {}).get(VALUES_DIGEST)
    if digest is None:
        return f"values are kept beside entry {event.id}, which names none"
    if values_digest(payload) != digest:
        return f"the values kept beside entry {event.id} were altered: their digest does not match"
    return None


def _audited_rows(session: Session) -> str | None:
    """The first table holding rows that were written with an audit entry, if any does."""
    for model in AUDITED_TABLES:
        if session.scalar(select(exists().select_from(model))):
            return model.__tablename__
    return None


def _head_problem(session: Session, last_id: int, last_hash: str) -> str | None:
    """The head must name the last entry; an empty trail beside audited data was emptied."""
    head = session.get(AuditHead, 1)
    if head is None and last_id:
        return (
            f"the head row (audit_head) is missing: the trail ends at entry {last_id} "
            "but nothing records where it should end"
        )
    if last_id == 0:
        table = _audited_rows(session)
        if table:
            return (
                f"the trail is empty but the database holds {table}, each written with an "
                "audit entry: the entries were deleted"
            )
    if head is None:
        return None
    if head.last_event_id < last_id:
        return (
            f"the head names entry {head.last_event_id} but the trail goes on to entry "
            f"{last_id}: the head was wound back"
        )
    if head.last_event_id != last_id or head.last_hash != last_hash:
        return (
            f"the trail ends at entry {last_id} but its head names entry "
            f"{head.last_event_id}: entries {last_id + 1} to {head.last_event_id} were "
            "deleted"
        )
    return None


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
    erasures = _Erasures()
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
        problem = _values_problem(event, payload)
        if problem:
            return ChainReport(False, count, event.id, problem)
        erasures.note(event, payload)
        expected_prev = event.entry_hash
        expected_id += 1
        last_id = event.id
        count += 1
    problem = _head_problem(session, last_id, expected_prev)
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
