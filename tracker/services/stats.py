"""Counts of everything the tracker holds, for `tracker stats` (open to anyone who can reach the
database: counts only, no personal data) and the demo's summary."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.models import (
    Alias,
    Document,
    Flag,
    Link,
    Notification,
    Offender,
    Run,
    TravelRecord,
)
from tracker.models.enums import FLAG_KINDS, FLAG_STATUSES
from tracker.tabular import Column


def _count(session: Session, model) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _grouped(session: Session, column, keys: tuple[str, ...]) -> dict[str, int]:
    counts = dict.fromkeys(keys, 0)
    for key, n in session.execute(select(column, func.count()).group_by(column)):
        counts[key] = n
    return counts


def collect_stats(session: Session) -> dict:
    """The contract's `tracker stats` figures: table counts, flags by kind and status, last run."""
    latest = session.scalars(select(Run).order_by(Run.id.desc()).limit(1)).first()
    return {
        "offenders": _count(session, Offender),
        "aliases": _count(session, Alias),
        "documents": _count(session, Document),
        "notifications": _count(session, Notification),
        "travel_records": _count(session, TravelRecord),
        "links": _count(session, Link),
        "flags": {
            "total": _count(session, Flag),
            "by_kind": _grouped(session, Flag.kind, FLAG_KINDS),
            "by_status": _grouped(session, Flag.status, FLAG_STATUSES),
        },
        "latest_run": {
            "id": latest.id if latest else None,
            "as_of": latest.as_of.isoformat() if latest else None,
            "status": latest.status if latest else None,
        },
    }


#: ``tracker stats`` as a table: one figure a line.
STATS_COLUMNS = (Column("figure"), Column("value", align=">"))


def stats_rows(stats: dict) -> list[dict]:
    """The same figures flattened to rows of ``STATS_COLUMNS`` for a table."""
    pairs: list[tuple[str, object]] = [
        (name, stats[name])
        for name in (
            "offenders",
            "aliases",
            "documents",
            "notifications",
            "travel_records",
            "links",
        )
    ]
    pairs.append(("flags", stats["flags"]["total"]))
    pairs += [(f"flags.kind.{k}", v) for k, v in stats["flags"]["by_kind"].items()]
    pairs += [(f"flags.status.{k}", v) for k, v in stats["flags"]["by_status"].items()]
    run = stats["latest_run"]
    pairs.append(("latest_run.id", "-" if run["id"] is None else run["id"]))
    pairs.append(("latest_run.as_of", run["as_of"] or "-"))
    return [{"figure": label, "value": value} for label, value in pairs]
