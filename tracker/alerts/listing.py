"""How `tracker alerts list` shows alerts: one a line, times to the minute in UTC (the files
keep the full ISO times)."""

from __future__ import annotations

from datetime import UTC, datetime

from tracker.tabular import Column


def minute(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


ALERT_LIST_COLUMNS = (
    Column("alert_id", "ID", align=">"),
    Column("state", "STATE"),
    Column("severity", "SEVERITY"),
    Column("flight", "FLIGHT"),
    Column("departure_time", "DEPARTS (UTC)", shown=minute),
    Column("raised_at", "RAISED (UTC)", shown=minute),
    Column("acknowledged_by", "ACK BY"),
    Column("acknowledged_at", "ACK AT (UTC)", shown=minute),
    Column("reached", "REACHED"),
    Column("flag_url", "FLAG"),
)


def alert_count(rows: list[dict]) -> str:
    if not rows:
        return "no alerts"
    waiting = sum(row["state"] != "acknowledged" for row in rows)
    return f"{len(rows)} alert{'s' if len(rows) != 1 else ''}, {waiting} not acknowledged"
