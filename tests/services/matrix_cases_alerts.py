"""Permission-matrix rows for level-one alerts: listing, acknowledging, escalating by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service_matrix import ServiceCase, World
from sqlalchemy.orm import Session

from tracker.models import Alert
from tracker.services.alerts import acknowledge, escalate_overdue, list_alerts
from tracker.settings import DatabaseSettings, Settings

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def _open_alert(session: Session, w: World) -> Alert:
    """The world's flag's alert, an hour old (made directly: raising it is the system's)."""
    alert = Alert(
        flag_id=w.flag_id,
        reason="wanted offender, match band",
        flight="BA0123",
        raised_at=NOW - timedelta(hours=1),
    )
    session.add(alert)
    session.flush()
    return alert


def _acknowledged(session: Session, who: str | None, w: World, tmp) -> Alert:
    return acknowledge(session, who, _open_alert(session, w).id, NOW)


def _escalated(session: Session, who: str | None, w: World, tmp) -> list[Alert]:
    _open_alert(session, w)
    settings = Settings(database=DatabaseSettings(url="sqlite://"))
    return escalate_overdue(session, settings, NOW, who)


CASES = [
    ServiceCase("alerts.list", lambda s, who, w, tmp: list_alerts(s, who)),
    ServiceCase("alerts.acknowledge", _acknowledged, "decision"),
    ServiceCase("alerts.escalate", _escalated, "disclosure"),
]
