"""Reading the compliance flags back: `flags list` for people, `flags export` for machines.

Both are consultations of personal data: the person must be allowed ``flags.read`` and every
reading is logged with its filters and the number of rows it returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from tracker.access.people import require_actor
from tracker.audit import record_event
from tracker.models import Flag, Notification, Offender, TravelRecord
from tracker.models.enums import SEVERITIES
from tracker.tabular import Column

FLAG_EXPORT_COLUMNS = (
    "flag_id",
    "kind",
    "severity",
    "status",
    "offender_id",
    "travel_source",
    "travel_record_id",
    "notification_id",
    "match_probability",
    "due_on",
    "detected_on",
    "run_id",
    "summary",
)
SUMMARY_WIDTH = 90


def _shortened(text: str) -> str:
    return text if len(text) <= SUMMARY_WIDTH else text[: SUMMARY_WIDTH - 1] + "…"


#: ``flags list``: one flag a line, summaries shortened in the table (whole in the files).
FLAG_LIST_COLUMNS = (
    Column("flag_id", "ID"),
    Column("severity", "SEVERITY"),
    Column("kind", "KIND"),
    Column("status", "STATUS"),
    Column("offender_id", "OFFENDER"),
    Column("managing_force", "FORCE"),
    Column("due_on", "DUE"),
    Column("detected_on", "DETECTED"),
    Column("match_probability", "P", shown=lambda p: f"{p:.2f}"),
    Column("summary", "SUMMARY", shown=_shortened),
)


def flag_count(rows: list[dict]) -> str:
    """The line under the list: how many flags it holds, or that none matched."""
    if not rows:
        return "no flags match"
    return f"{len(rows)} flag{'s' if len(rows) != 1 else ''}"


@dataclass(frozen=True)
class FlagFilters:
    """``flags list`` / ``flags export`` filters; empty means any."""

    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    force: str | None = None
    since: date | None = None


SEVERITY_RANK = case({s: i for i, s in enumerate(SEVERITIES)}, value=Flag.severity, else_=99)


def flag_rows(session: Session, filters: FlagFilters, order: str = "id") -> list[dict]:
    """Flags in the contract's columns (plus ``managing_force``), filtered.

    ``order='queue'``: most severe first, then the oldest deadline (most urgent); else by id.
    """
    statement = (
        select(
            Flag.id.label("flag_id"),
            Flag.kind,
            Flag.severity,
            Flag.status,
            Offender.offender_id,
            TravelRecord.source.label("travel_source"),
            TravelRecord.record_id.label("travel_record_id"),
            Notification.notification_id,
            Flag.match_probability,
            Flag.due_on,
            Flag.detected_on,
            Flag.run_id,
            Flag.summary,
            Offender.managing_force,
        )
        .join(Offender, Offender.id == Flag.offender_pk)
        .outerjoin(TravelRecord, TravelRecord.id == Flag.travel_pk)
        .outerjoin(Notification, Notification.id == Flag.notification_pk)
    )
    conditions: list[ColumnElement[bool]] = []
    if filters.kinds:
        conditions.append(Flag.kind.in_(filters.kinds))
    if filters.statuses:
        conditions.append(Flag.status.in_(filters.statuses))
    if filters.severities:
        conditions.append(Flag.severity.in_(filters.severities))
    if filters.force:
        conditions.append(func.lower(Offender.managing_force) == filters.force.strip().lower())
    if filters.since:
        conditions.append(Flag.detected_on >= filters.since)
    if conditions:
        statement = statement.where(and_(*conditions))
    if order == "queue":
        statement = statement.order_by(SEVERITY_RANK, Flag.due_on.is_(None), Flag.due_on, Flag.id)
    else:
        statement = statement.order_by(Flag.id)
    return [dict(row._mapping) for row in session.execute(statement)]


def _consulted(session: Session, who: str | None, filters: FlagFilters, order: str) -> list[dict]:
    """The flags for ``filters``, read by a permitted person and logged as a consultation."""
    actor = require_actor(session, who, "flags.read")
    rows = flag_rows(session, filters, order=order)
    record_event(
        session,
        actor=actor.name,
        action="consultation",
        object_type="flags",
        justification=f"flags {'listed' if order == 'queue' else 'exported'}",
        details={
            "rows": len(rows),
            "kinds": list(filters.kinds),
            "statuses": list(filters.statuses),
            "severities": list(filters.severities),
            "force": filters.force,
        },
    )
    return rows


def list_flags(session: Session, who: str | None, filters: FlagFilters) -> list[dict]:
    """``flags list``: the most severe and most urgent (oldest deadline) first."""
    return _consulted(session, who, filters, "queue")


def export_flags(session: Session, who: str | None, filters: FlagFilters) -> list[dict]:
    """``flags export``: by flag id, for the contract's columns (``FLAG_EXPORT_COLUMNS``)."""
    return _consulted(session, who, filters, "id")
