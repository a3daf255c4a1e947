"""The analysts' export of the night's links (data contract, "Links")."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.access.people import require_actor
from tracker.models import Link, Offender, TravelRecord

LINK_EXPORT_COLUMNS = (
    "travel_source",
    "travel_record_id",
    "offender_id",
    "match_probability",
    "match_weight",
    "band",
    "run_id",
)


class NoSuchRun(LookupError):
    """The run asked for has no links."""


def latest_run_with_links(session: Session) -> int | None:
    return session.scalar(select(func.max(Link.run_id)))


def link_export_rows(session: Session, run_id: int) -> list[dict]:
    statement = (
        select(
            TravelRecord.source.label("travel_source"),
            TravelRecord.record_id.label("travel_record_id"),
            Offender.offender_id,
            Link.match_probability,
            Link.match_weight,
            Link.band,
            Link.run_id,
        )
        .join(TravelRecord, TravelRecord.id == Link.travel_pk)
        .join(Offender, Offender.id == Link.offender_pk)
        .where(Link.run_id == run_id)
        .order_by(TravelRecord.source, TravelRecord.record_id)
    )
    return [dict(row._mapping) for row in session.execute(statement)]


def export_links(session: Session, who: str | None, run_id: int | None = None) -> list[dict]:
    """The links of ``run_id`` (default: the latest run with links) for ``who``."""
    require_actor(session, who, "links.export")
    chosen = run_id if run_id is not None else latest_run_with_links(session)
    rows = link_export_rows(session, chosen) if chosen is not None else []
    if run_id is not None and not rows:
        raise NoSuchRun(f"run {run_id} has no links (is the run id right?)")
    return rows
