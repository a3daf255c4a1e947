"""Reading the audit trail and checking it: the log (filtered, restricted values hidden, the
reading itself logged) and the chain's verification against the checkpoints kept outside the
database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from tracker.access.people import require_actor
from tracker.audit import ChainReport, query_audit_log, record_event, verify_chain
from tracker.audit_anchor import AnchorReport, verify_anchor
from tracker.audit_view import ShownEntry, shown_entries

READ_JUSTIFICATION = {
    "cli": "audit log read",
    "web": "audit log read in the web application",
}


class BadFilter(ValueError):
    """A date typed as a filter that is not one, or lies outside the calendar once read in
    UTC (``0001-01-01T00:00:00+14:00``)."""


@dataclass(frozen=True)
class TrailCheck:
    """The chain recomputed, and what the checkpoints outside the database say of it."""

    chain: ChainReport
    anchor: AnchorReport


def instant(label: str, value: datetime | str | None) -> datetime | None:
    """A filter's date or date-time in UTC (read as UTC without an offset); text is parsed."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(value[:40])
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise BadFilter(
            f"“{label}” must be a date (2026-11-20) or a date and time with its "
            "offset, between the years 1 and 9999 in UTC"
        ) from None


def read_audit_log(
    session: Session,
    who: str | None,
    *,
    actor: str | None = None,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: datetime | str | None = None,
    until: datetime | str | None = None,
    limit: int = 200,
    channel: str = "cli",
) -> list[ShownEntry]:
    """The trail newest first, filtered; addresses, postcodes, dates of birth, document
    numbers and unmatched travellers' details hidden (``tracker.audit_view``). Reading is
    logged; typed dates are read after the role check, and a bad one (``BadFilter``) reads
    nothing, so logs nothing."""
    reader = require_actor(session, who, "audit.read")
    since, until = instant("Since", since), instant("Until", until)
    events = query_audit_log(
        session,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        since=since,
        until=until,
        limit=limit,
    )
    entries = shown_entries(session, events)
    record_event(
        session,
        actor=reader.name,
        action="consultation",
        object_type="audit_log",
        justification=READ_JUSTIFICATION[channel],
        details={"entries": len(entries)},
    )
    return entries


def check_audit_trail(session: Session, keys_dir: Path, data_dir: Path) -> TrailCheck:
    """The operator's check on the server itself (`tracker audit verify | checkpoint`, the
    nightly run): whoever holds the keys folder, no person named."""
    return TrailCheck(verify_chain(session), verify_anchor(session, keys_dir, data_dir))


def verify_audit_trail(
    session: Session, who: str | None, keys_dir: Path, data_dir: Path
) -> TrailCheck:
    """The same check for a person in the web application (admins and supervisors)."""
    require_actor(session, who, "audit.verify")
    return check_audit_trail(session, keys_dir, data_dir)
