"""What makes the audit trail add up: each entry's hash covers its own fields and the previous
entry's hash, values kept apart from an entry are named by their digest, a head row names the
newest entry, and an erasure entry vouches for the kept values it erased. ``tracker.audit``
writes entries by these rules and ``verify_chain`` checks them.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from datetime import UTC, datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from tracker.models import AuditEvent, AuditHead, Offender, SourceFile, TravelRecord, User

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


def values_digest(payload: dict) -> str:
    """SHA-256 of the values kept apart from an entry. The payload carries a random salt, so
    once retention erased the values, their digest in the chain reveals nothing of them."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


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


class Erasures:
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


def values_problem(event: AuditEvent, payload: dict | None) -> str | None:
    """Values kept beside an entry must be the ones its chained digest names. Values that are
    gone may only be a travel record's (retention erases nothing else, domain.md s.6): an
    erasure entry could be forged by anyone who can append to the trail, so it vouches for
    those alone (``Erasures``)."""
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


def head_problem(session: Session, last_id: int, last_hash: str) -> str | None:
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
