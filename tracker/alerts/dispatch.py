"""Delivering alerts after the raising transaction commits, and the sweep that escalates and
tries again.

``deliver_alert`` is the one call an adapter makes after its commit: under `tracker serve` it
queues the alert to the server's ``AlertDispatcher`` (a worker thread) and returns at once;
elsewhere (the command line) it sends now and returns what happened. ``run_sweep`` escalates
overdue alerts, writes to the supervisors and retries failed deliveries: the dispatcher runs
it every 30 seconds, `tracker alerts escalate` once (for cron).

Each delivery is two short transactions around the network: "sent" audited before, the
outcome (``AlertDelivery`` and its audit entry) after, so no database lock is held while a
mail server thinks.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tracker.alerts import registry
from tracker.alerts.email import Outcome, SmtpServer, send_email
from tracker.alerts.message import email_message, webhook_body
from tracker.alerts.webhook import post_webhook
from tracker.audit import lock_trail_promptly
from tracker.db import transaction
from tracker.services.alerts import (
    Attempt,
    alerts_to_retry,
    escalate_overdue,
    plan_deliveries,
    record_outcomes,
)
from tracker.settings import SYSTEM_ACTOR, Settings

log = logging.getLogger(__name__)
SWEEP_SECONDS = 30.0

Sessions = sessionmaker[Session]


def _factory(sessions: Sessions | Session) -> Sessions:
    """A session factory for the database of ``sessions`` (a factory, or a session's bind)."""
    if isinstance(sessions, Session):
        return sessionmaker(bind=sessions.get_bind(), expire_on_commit=False)
    return sessions


def _engine(sessions: Sessions) -> Engine:
    bind = sessions.kw["bind"]
    return bind if isinstance(bind, Engine) else bind.engine


def send(attempt: Attempt, settings: Settings) -> Outcome:
    """One attempt over the network; never raises (the outcome says what went wrong)."""
    config = settings.alerts
    if attempt.channel == "webhook":
        secret = config.webhook_secret.get_secret_value() if config.webhook_secret else ""
        body = webhook_body(attempt.message)
        return post_webhook(attempt.target, secret, body, config.timeout_seconds)
    mail = email_message(attempt.message, config.alert_from, attempt.recipients)
    server = SmtpServer(config.smtp_url or "", config.timeout_seconds)
    return send_email(server, mail)


def deliver_now(
    sessions: Sessions | Session,
    alert_id: int,
    settings: Settings,
    channels: tuple[str, ...] | None = None,
) -> list[tuple[Attempt, Outcome]]:
    """Send every channel of the alert not yet delivered (or only ``channels``), now."""
    factory = _factory(sessions)
    with transaction(factory) as session:
        lock_trail_promptly(session)  # on SQLite, between screenings, not seconds after
        attempts = plan_deliveries(session, settings, alert_id, channels)
    results = [(attempt, send(attempt, settings)) for attempt in attempts]
    if results:
        with transaction(factory) as session:
            lock_trail_promptly(session)
            outcomes = [(a, o.delivered, o.detail) for a, o in results]
            record_outcomes(session, outcomes, datetime.now(UTC))
    return results


def deliver_alert(
    sessions: Sessions | Session, alert_id: int, settings: Settings
) -> list[tuple[Attempt, Outcome]] | None:
    """After the transaction that raised ``alert_id`` committed: queued to this process's
    dispatcher when one runs for the database (None, at once), else sent now."""
    factory = _factory(sessions)
    submit = registry.running_for(_engine(factory))
    if submit is not None:
        submit(alert_id)
        return None
    return deliver_now(factory, alert_id, settings)


@dataclass
class SweepReport:
    """What one sweep did: alerts escalated, alerts whose deliveries were tried again."""

    escalated: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: int = 0


def run_sweep(
    sessions: Sessions | Session,
    settings: Settings,
    now: datetime | None = None,
    who: str | None = SYSTEM_ACTOR,
) -> SweepReport:
    """Escalate what is overdue and write to the supervisors, then retry failed deliveries."""
    factory = _factory(sessions)
    now = now or datetime.now(UTC)
    report = SweepReport()
    with transaction(factory) as session:
        report.escalated = [a.id for a in escalate_overdue(session, settings, now, who)]
    for alert_id in report.escalated:
        results = deliver_now(factory, alert_id, settings, channels=("escalation_email",))
        report.failed += sum(not outcome.delivered for _, outcome in results)
    with transaction(factory) as session:
        report.retried = alerts_to_retry(session, now)
    for alert_id in report.retried:
        results = deliver_now(factory, alert_id, settings)
        report.failed += sum(not outcome.delivered for _, outcome in results)
    return report


_SWEEP = -1  # the queue item that asks for a sweep
_STOP = -2


class AlertDispatcher:
    """The worker thread of `tracker serve`: delivers each alert handed to it, sweeps every
    ``sweep_seconds``. Problems are logged, never raised: the server keeps serving."""

    def __init__(
        self,
        sessions: Sessions,
        settings: Settings,
        sweep_seconds: float = SWEEP_SECONDS,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.sessions = sessions
        self.settings = settings
        self.sweep_seconds = sweep_seconds
        self.clock = clock
        self._queue: queue.Queue[int] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="alert-dispatcher", daemon=True)

    def start(self) -> None:
        self._thread.start()
        registry.register(_engine(self.sessions), self.submit)

    def stop(self) -> None:
        """Alerts already queued are still sent (each bounded by the timeout), then it ends."""
        registry.unregister(_engine(self.sessions), self.submit)
        self._queue.put(_STOP)
        self._thread.join(timeout=3 * self.settings.alerts.timeout_seconds + 5)

    def submit(self, alert_id: int) -> None:
        self._queue.put(alert_id)

    def sweep_soon(self) -> None:
        self._queue.put(_SWEEP)

    def _loop(self) -> None:
        next_sweep = time.monotonic() + self.sweep_seconds
        while True:
            try:
                item = self._queue.get(timeout=max(0.0, next_sweep - time.monotonic()))
            except queue.Empty:
                item = _SWEEP
            if item == _STOP:
                return
            if item == _SWEEP:
                self._safely("sweep", lambda: run_sweep(self.sessions, self.settings, self.clock()))
                next_sweep = time.monotonic() + self.sweep_seconds
            else:
                self._safely(
                    f"alert {item}", partial(deliver_now, self.sessions, item, self.settings)
                )

    @staticmethod
    def _safely(what: str, work: Callable[[], object]) -> None:
        try:
            work()
        except Exception:  # a database outage must not end the thread for good
            log.exception("alert dispatcher: %s failed", what)
