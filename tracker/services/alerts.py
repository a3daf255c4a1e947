"""Level-one alerts: raised by screening, acknowledged by a person, escalated when nobody does.

Every step is audited with its time, so the trail (and the daily report) shows how long each
alert waited: raised and acknowledged are decisions; sent, delivered, failed and escalated
are disclosures naming the channel and the recipient. Details carry ids, never a name.

Sending happens outside these transactions (``tracker.alerts.dispatch``): ``plan_deliveries``
says what to send and audits "sent"; ``record_outcomes`` keeps how each attempt ended.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from tracker.access.people import SYSTEM, Actor, require_actor
from tracker.alerts.message import alert_message, flag_url
from tracker.alerts.registry import hand_over_after_commit
from tracker.audit import AuditEntry, record_event, record_events
from tracker.models import Alert, AlertDelivery, Flag
from tracker.models.enums import ALERT_STATES
from tracker.schemas.alerts import AlertMessage
from tracker.settings import SYSTEM_ACTOR, Settings
from tracker.settings_alerts import AlertSettings

REASON_LIMIT = 500
FLIGHT_LIMIT = 40
MAX_ATTEMPTS = 10  # per channel; the sweep tries again every 30 s until then
RETRY_GRACE = timedelta(seconds=30)  # an alert nobody tried to send by then is sent by the sweep


class AlertError(ValueError):
    """The alert cannot be acted on as asked (unknown, or already acknowledged)."""


@dataclass(frozen=True)
class Attempt:
    """One message to send: the channel, who or where it goes to, and what it says."""

    alert_id: int
    channel: str  # email, webhook or escalation_email
    target: str  # addresses, comma-separated, or the webhook URL
    message: AlertMessage

    @property
    def recipients(self) -> list[str]:
        return AlertSettings.recipients(self.target)

    @property
    def shown_target(self) -> str:
        """The target as recorded: a webhook URL without its user, password and query (each
        may hold a key)."""
        if self.channel != "webhook":
            return self.target
        parts = urlsplit(self.target)
        host = parts.netloc.rpartition("@")[2]
        return urlunsplit(parts._replace(netloc=host, query="", fragment=""))


def raise_level_one(
    session: Session,
    flag: Flag,
    *,
    screening_id: int | None,
    reason: str,
    flight: str | None,
    departure_time: datetime | None,
    now: datetime,
) -> Alert:
    """The flag's alert, made once: raising it again (a manifest pushed twice, a second
    screening of the same booking) returns the first. Audited as the system's decision."""
    existing = _alert_of(session, flag.id)
    if existing is not None:
        return existing
    values = {
        "flag_id": flag.id,
        "screening_id": screening_id,
        "reason": reason[:REASON_LIMIT],
        "severity": "level_one",
        "flight": " ".join(flight.split())[:FLIGHT_LIMIT] or None if flight else None,
        "departure_time": departure_time,
        "state": "raised",
        "raised_at": now,
    }
    # Another screening may raise it at the same moment: the database keeps the first.
    new_id = session.scalar(
        _insert(session)(Alert)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[Alert.flag_id])
        .returning(Alert.id)
    )
    alert = session.get(Alert, new_id) if new_id is not None else _alert_of(session, flag.id)
    assert alert is not None
    if new_id is None:
        return alert
    hand_over_after_commit(session, alert.id)
    record_event(
        session,
        actor=SYSTEM_ACTOR,
        action="decision",
        object_type="alert",
        object_id=alert.id,
        justification="level-one alert raised",
        details={
            "event": "raised",
            "flag_id": flag.id,
            "screening_id": screening_id,
            "reason": alert.reason,
        },
    )
    return alert


def _insert(session: Session) -> Callable:
    """The dialect's INSERT, which knows ON CONFLICT (SQLite and PostgreSQL)."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _alert_of(session: Session, flag_id: int) -> Alert | None:
    return session.scalars(select(Alert).where(Alert.flag_id == flag_id)).one_or_none()


def _alert(session: Session, alert_id: int, *, lock: bool = False) -> Alert:
    alert = session.get(Alert, alert_id, with_for_update=lock)
    if alert is None:
        raise AlertError(f"there is no alert {alert_id}")
    return alert


def acknowledge(session: Session, who: str | None, alert_id: int, now: datetime) -> Alert:
    """A person takes the alert on; once only, so nobody believes a colleague has it when
    nobody does, and the refusal names who has it."""
    actor = require_actor(session, who, "alerts.acknowledge")
    alert = _alert(session, alert_id, lock=True)
    if alert.acknowledged_by is not None:
        when = alert.acknowledged_at.strftime("%Y-%m-%d %H:%M UTC") if alert.acknowledged_at else ""
        raise AlertError(
            f"alert {alert_id} was already acknowledged by {alert.acknowledged_by} at {when}"
        )
    state_before = alert.state
    alert.state, alert.acknowledged_by, alert.acknowledged_at = "acknowledged", actor.name, now
    record_event(
        session,
        actor=actor.name,
        action="decision",
        object_type="alert",
        object_id=alert.id,
        justification="level-one alert acknowledged",
        details={
            "event": "acknowledged",
            "flag_id": alert.flag_id,
            "state_before": state_before,
            "seconds_to_acknowledge": round((now - alert.raised_at).total_seconds()),
        },
    )
    return alert


def list_alerts(
    session: Session, who: str | None, state: str | None = None, *, base_url: str = ""
) -> list[dict]:
    """Alerts, unacknowledged first, newest first. Not logged as a consultation: a row holds
    no personal data (flight, times, the flag's id); opening the flag it links to is logged.
    (The duty page asks every few seconds, which would otherwise flood the trail.)"""
    require_actor(session, who, "alerts.list")
    if state is not None and state not in ALERT_STATES:
        raise AlertError(
            f"unknown alert state {state!r}; expected one of {', '.join(ALERT_STATES)}"
        )
    statement = select(Alert).order_by(Alert.state == "acknowledged", Alert.id.desc())
    if state is not None:
        statement = statement.where(Alert.state == state)
    alerts = session.scalars(statement.limit(1000)).all()
    reached = _channels_reached(session, [a.id for a in alerts])
    return [_row(alert, base_url, reached.get(alert.id, [])) for alert in alerts]


def _channels_reached(session: Session, alert_ids: list[int]) -> dict[int, list[str]]:
    if not alert_ids:
        return {}
    rows = session.execute(
        select(AlertDelivery.alert_id, AlertDelivery.channel)
        .where(AlertDelivery.alert_id.in_(alert_ids), AlertDelivery.outcome == "delivered")
        .distinct()
        .order_by(AlertDelivery.alert_id, AlertDelivery.channel)
    )
    reached: dict[int, list[str]] = {}
    for alert_id, channel in rows:
        reached.setdefault(alert_id, []).append(channel)
    return reached


def _row(alert: Alert, base_url: str, reached: list[str]) -> dict:
    return {
        "alert_id": alert.id,
        "state": alert.state,
        "severity": alert.severity,
        "flight": alert.flight,
        "departure_time": alert.departure_time,
        "raised_at": alert.raised_at,
        "acknowledged_by": alert.acknowledged_by,
        "acknowledged_at": alert.acknowledged_at,
        "escalated_at": alert.escalated_at,
        "flag_id": alert.flag_id,
        "flag_url": flag_url(base_url, alert.flag_id),
        "reached": ", ".join(reached),
    }


def _sweeper(session: Session, who: str | None) -> Actor:
    """The system (the server's sweep, cron), or a person allowed to run it by hand."""
    if who == SYSTEM_ACTOR:
        return SYSTEM
    return require_actor(session, who, "alerts.escalate")


def escalate_overdue(
    session: Session, settings: Settings, now: datetime, who: str | None = SYSTEM_ACTOR
) -> list[Alert]:
    """Alerts nobody acknowledged within ``TRACKER_ESCALATE_AFTER_MINUTES`` go to the
    supervisors (the e-mail is sent after this commits, see ``plan_deliveries``)."""
    actor = _sweeper(session, who)
    minutes = settings.alerts.escalate_after_minutes
    overdue = session.scalars(
        select(Alert)
        .where(Alert.state == "raised", Alert.raised_at <= now - timedelta(minutes=minutes))
        .order_by(Alert.id)
        .with_for_update()
    ).all()
    recipient = settings.alerts.escalation_email
    for alert in overdue:
        alert.state, alert.escalated_at = "escalated", now
    record_events(
        session,
        [
            AuditEntry(
                actor.name,
                "disclosure",
                "alert",
                alert.id,
                justification=f"level-one alert not acknowledged within {minutes} minutes",
                details={
                    "event": "escalated",
                    "flag_id": alert.flag_id,
                    "channel": "escalation_email",
                    "recipient": recipient,
                },
            )
            for alert in overdue
        ],
    )
    return list(overdue)


def plan_deliveries(
    session: Session, settings: Settings, alert_id: int, channels: tuple[str, ...] | None = None
) -> list[Attempt]:
    """What to send for one alert now: each configured channel not yet delivered (or only
    ``channels``), each audited as "sent" before it goes."""
    alert = _alert(session, alert_id)
    done = _finished_channels(session, alert.id)
    attempts = [
        Attempt(alert.id, channel, target, alert_message(alert, settings.web.base_url, event))
        for channel, target, event in _configured_channels(settings.alerts, alert)
        if (channels is None or channel in channels) and channel not in done
    ]
    record_events(session, [_audit_entry(a, "sent") for a in attempts])
    return attempts


def _configured_channels(config: AlertSettings, alert: Alert) -> list[tuple[str, str, str]]:
    """(channel, target, event) for every way this alert should reach someone."""
    found = []
    if config.smtp_url and config.duty_email:
        found.append(("email", config.duty_email, "raised"))
    if config.webhook_url and config.webhook_secret:
        found.append(("webhook", config.webhook_url, "raised"))
    if alert.state == "escalated" and config.smtp_url and config.escalation_email:
        found.append(("escalation_email", config.escalation_email, "escalated"))
    return found


def _finished_channels(session: Session, alert_id: int) -> set[str]:
    """Channels delivered already, or tried ``MAX_ATTEMPTS`` times in vain."""
    rows = session.execute(
        select(
            AlertDelivery.channel,
            func.count(),
            func.sum(case((AlertDelivery.outcome == "delivered", 1), else_=0)),
        )
        .where(AlertDelivery.alert_id == alert_id)
        .group_by(AlertDelivery.channel)
    )
    return {channel for channel, tries, ok in rows if ok or tries >= MAX_ATTEMPTS}


def _audit_entry(attempt: Attempt, event: str, detail: str | None = None) -> AuditEntry:
    details = {"event": event, "channel": attempt.channel, "recipient": attempt.shown_target}
    if detail is not None:
        details["outcome"], details["reply"] = event, detail
    return AuditEntry(
        SYSTEM_ACTOR,
        "disclosure",
        "alert",
        attempt.alert_id,
        justification=f"level-one alert {event} ({attempt.channel})",
        details=details,
    )


def record_outcomes(
    session: Session, outcomes: list[tuple[Attempt, bool, str]], now: datetime
) -> None:
    """Each attempt's ending (delivered or failed, the server's reply) kept and audited."""
    for attempt, delivered, detail in outcomes:
        session.add(
            AlertDelivery(
                alert_id=attempt.alert_id,
                channel=attempt.channel,
                target=attempt.shown_target,
                outcome="delivered" if delivered else "failed",
                attempted_at=now,
                detail=detail,
            )
        )
    record_events(
        session,
        [_audit_entry(a, "delivered" if ok else "failed", detail) for a, ok, detail in outcomes],
    )


def alerts_to_retry(session: Session, now: datetime) -> list[int]:
    """Unacknowledged alerts with a channel that failed (fewer than ``MAX_ATTEMPTS`` times)
    or that nobody tried within ``RETRY_GRACE`` (a process ended before it sent them)."""
    attempts = (
        select(
            AlertDelivery.alert_id,
            func.count().label("tries"),
            func.sum(case((AlertDelivery.outcome == "delivered", 1), else_=0)).label("ok"),
        )
        .group_by(AlertDelivery.alert_id, AlertDelivery.channel)
        .subquery()
    )
    failing = select(attempts.c.alert_id).where(attempts.c.ok == 0, attempts.c.tries < MAX_ATTEMPTS)
    untried = select(Alert.id).where(
        Alert.raised_at <= now - RETRY_GRACE,
        ~select(AlertDelivery.id).where(AlertDelivery.alert_id == Alert.id).exists(),
    )
    open_states = ("raised", "escalated")
    return list(
        session.scalars(
            select(Alert.id)
            .where(Alert.state.in_(open_states))
            .where(Alert.id.in_(failing) | Alert.id.in_(untried))
            .order_by(Alert.id)
        )
    )
