"""Retention: travel records that matched no one are kept only briefly (DPA 2018 Part 3,
domain.md s.6), then erased with the copies of their values the audit trail kept beside its
alteration entries, and the erasure is logged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, delete, exists, func, select
from sqlalchemy.orm import Session

from tracker.audit import record_event
from tracker.audit_chain import ERASED_VALUES, id_ranges
from tracker.audit_redaction import redact_entries
from tracker.ingest.bulk import BULK_INDEX_THRESHOLD_ROWS, sqlite_heavy_write
from tracker.models import AuditEvent, AuditEventValues, Flag, Link, PairLabel, TravelRecord

DEFAULT_RETENTION_DAYS = 30
ERASE_BATCH = 1000  # ids per DELETE ... IN (...)


def retention_cutoff(as_of: date, days: int) -> date:
    """The first day kept: everything of an earlier day goes (one rule for every copy)."""
    if days < 0:
        raise ValueError(f"retention days must be 0 or more, not {days}")
    return as_of - timedelta(days=days)


@dataclass
class ErasureOutcome:
    erased: int
    cutoff: date
    oldest: date | None
    newest: date | None
    audit_values_erased: int = 0


def _unmatched_before(cutoff: date) -> tuple[ColumnElement[bool], ...]:
    return (
        TravelRecord.departure_local_date < cutoff,
        ~exists().where(Link.travel_pk == TravelRecord.id),
        ~exists().where(Flag.travel_pk == TravelRecord.id),
        ~exists().where(PairLabel.travel_pk == TravelRecord.id),
    )


def _erase_audit_values(session: Session, conditions: Sequence[ColumnElement[bool]]) -> list[int]:
    """The old and new values of the alteration entries about the records being erased
    (names, dates of birth, documents): the entries stay, with the changed fields' names and
    the digest the chain verifies; the values go. Returns the entries' ids, which the erasure
    entry names so verify can tell erased values from destroyed ones. Ingest names a travel
    record ``source|record_id`` (``KindSpec.key_text``)."""
    erased_keys = select(TravelRecord.source + "|" + TravelRecord.record_id).where(*conditions)
    entries = select(AuditEvent.id).where(
        AuditEvent.object_type == "travel_record", AuditEvent.object_id.in_(erased_keys)
    )
    ids = list(
        session.scalars(
            select(AuditEventValues.event_id).where(AuditEventValues.event_id.in_(entries))
        )
    )
    for start in range(0, len(ids), ERASE_BATCH):
        session.execute(
            delete(AuditEventValues).where(
                AuditEventValues.event_id.in_(ids[start : start + ERASE_BATCH])
            ),
            execution_options={"synchronize_session": False},
        )
    return ids


def _redact_old_entries(
    session: Session, conditions: Sequence[ColumnElement[bool]], actor: str, run_id: int | None
) -> int:
    """Alteration entries about these records written before values were kept apart hold the
    values in their chained details: redacted, each with its own redaction entry."""
    erased_keys = select(TravelRecord.source + "|" + TravelRecord.record_id).where(*conditions)
    events = list(
        session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.object_type == "travel_record",
                AuditEvent.action == "alteration",
                AuditEvent.object_id.in_(erased_keys),
            )
            .order_by(AuditEvent.id)
        )
    )
    return redact_entries(session, events, actor, run_id)


def erase_unmatched_travel(
    session: Session,
    as_of: date,
    days: int = DEFAULT_RETENTION_DAYS,
    actor: str = "system",
    run_id: int | None = None,
) -> ErasureOutcome:
    """Erase travel records older than ``days`` before ``as_of`` that no run ever linked, no
    flag cites and no analyst labelled. One audit entry records how many, which dates and
    which audit entries' kept values went with them."""
    cutoff = retention_cutoff(as_of, days)
    conditions = _unmatched_before(cutoff)
    count, oldest, newest = session.execute(
        select(
            func.count(),
            func.min(TravelRecord.departure_local_date),
            func.max(TravelRecord.departure_local_date),
        ).where(*conditions)
    ).one()
    values_erased = _erase_audit_values(session, conditions) if count else []
    redacted = _redact_old_entries(session, conditions, actor, run_id) if count else 0
    if count:
        connection = session.connection()
        stored = session.scalar(select(func.count()).select_from(TravelRecord)) or 0
        # Erasing most of a big table: rebuilding its indexes afterwards beats changing them
        # row by row (on SQLite; PostgreSQL needs no help).
        rebuild = count >= BULK_INDEX_THRESHOLD_ROWS and 2 * count >= stored
        with sqlite_heavy_write(connection, TravelRecord.__table__, rebuild):
            # No erased record is loaded in this session: nothing to synchronise, so the ORM
            # need not fetch back every erased id.
            session.execute(
                delete(TravelRecord).where(*conditions),
                execution_options={"synchronize_session": False},
            )
    record_event(
        session,
        actor=actor,
        action="erasure",
        object_type="travel_records",
        justification=f"retention: unmatched travel records are kept {days} days",
        details={
            "erased": count,
            "cutoff": cutoff.isoformat(),
            "oldest": oldest.isoformat() if oldest else None,
            "newest": newest.isoformat() if newest else None,
            "audit_values_erased": len(values_erased),
            ERASED_VALUES: id_ranges(values_erased),
            "audit_entries_redacted": redacted,
        },
        run_id=run_id,
    )
    return ErasureOutcome(count, cutoff, oldest, newest, len(values_erased))
