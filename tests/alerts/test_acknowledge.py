"""A person acknowledges an alert once; nobody does within the set minutes and it escalates to
the supervisors by e-mail; the server's worker thread sends an alert within milliseconds of
the raising commit, and nothing for a transaction rolled back."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from alert_world import DUTY, NOW, SUPERVISORS, alert_settings
from sqlalchemy import select
from test_delivery import audit_events, deliveries, raise_one

from tracker.access.permissions import PermissionDenied
from tracker.alerts.dispatch import AlertDispatcher, deliver_alert, run_sweep
from tracker.audit import verify_chain
from tracker.db import transaction
from tracker.models import Alert, AuditEvent
from tracker.services.alerts import AlertError, acknowledge, escalate_overdue, list_alerts


def test_an_alert_is_acknowledged_once_and_the_second_is_told_who_has_it(sessions, world):
    alert_id = raise_one(sessions, world)
    later = NOW + timedelta(minutes=3, seconds=20)
    with transaction(sessions) as session:
        acknowledge(session, "ann", alert_id, later)
    with transaction(sessions) as session, pytest.raises(AlertError) as refused:
        acknowledge(session, "sam", alert_id, later + timedelta(minutes=1))
    assert str(refused.value) == (
        f"alert {alert_id} was already acknowledged by ann at 2026-12-03 09:03 UTC"
    )
    with sessions() as session:
        alert = session.get(Alert, alert_id)
        assert (alert.state, alert.acknowledged_by, alert.acknowledged_at) == (
            "acknowledged",
            "ann",
            later,
        )
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.actor == "ann", AuditEvent.object_type == "alert")
        ).one()
        assert event.action == "decision"
        assert event.details["event"] == "acknowledged"
        assert event.details["seconds_to_acknowledge"] == 200


def test_a_liaison_officer_may_neither_list_nor_acknowledge(sessions, world):
    alert_id = raise_one(sessions, world)
    with sessions() as session:
        with pytest.raises(PermissionDenied):
            acknowledge(session, "liz", alert_id, NOW)
        with pytest.raises(PermissionDenied):
            list_alerts(session, "liz")


def test_an_unknown_alert_or_state_is_refused_plainly(sessions, world):
    with sessions() as session:
        with pytest.raises(AlertError, match="there is no alert 999"):
            acknowledge(session, "ann", 999, NOW)
        with pytest.raises(AlertError, match="unknown alert state 'lost'"):
            list_alerts(session, "ann", "lost")


def test_the_list_puts_open_alerts_first_with_their_flag_link(sessions, world):
    alert_id = raise_one(sessions, world)
    with sessions() as session:
        [row] = list_alerts(session, "ann", base_url="https://t.example")
        assert row["flag_url"] == f"https://t.example/flags/{world.flag_id}"
        assert (row["alert_id"], row["state"], row["flight"]) == (alert_id, "raised", "BA0123")
        assert list_alerts(session, "ann", "acknowledged") == []


def test_unacknowledged_after_the_set_minutes_it_escalates_to_the_supervisors(
    sessions, world, db_url, smtp_server
):
    alert_id = raise_one(sessions, world)
    settings = alert_settings(
        db_url,
        smtp_url=smtp_server.url,
        duty_email=DUTY,
        escalation_email=SUPERVISORS,
        escalate_after_minutes=15,
    )
    deliver_alert(sessions, alert_id, settings)
    smtp_server.inbox.wait_for(1)
    early = run_sweep(sessions, settings, NOW + timedelta(minutes=14, seconds=59))
    assert early.escalated == [] and early.retried == []
    due = run_sweep(sessions, settings, NOW + timedelta(minutes=15))
    assert due.escalated == [alert_id] and due.failed == 0
    first, second = smtp_server.inbox.wait_for(2)
    assert second["Subject"].startswith(f"ESCALATED level one alert {alert_id}")
    assert smtp_server.inbox.envelopes[1].rcpt_tos == ["sup.one@ppu.example", "sup.two@ppu.example"]
    assert "not been acknowledged in time" in second.get_payload(decode=True).decode()
    assert run_sweep(sessions, settings, NOW + timedelta(hours=1)).escalated == []
    with sessions() as session:
        alert = session.get(Alert, alert_id)
        assert alert.state == "escalated"
        assert alert.escalated_at == NOW + timedelta(minutes=15)
        assert [(c, o) for c, o, _ in deliveries(session, alert_id)] == [
            ("email", "delivered"),
            ("escalation_email", "delivered"),
        ]
        assert audit_events(session, alert_id) == [
            "decision:raised",
            "disclosure:sent",
            "disclosure:delivered",
            "disclosure:escalated",
            "disclosure:sent",
            "disclosure:delivered",
        ]
    with transaction(sessions) as session:  # an escalated alert can still be taken on
        acknowledge(session, "sam", alert_id, NOW + timedelta(minutes=20))
    with sessions() as session:
        assert audit_events(session, alert_id)[-1] == "decision:acknowledged"
        assert verify_chain(session).intact  # `tracker audit verify` after the whole flow
        trail = str(session.execute(select(AuditEvent.details, AuditEvent.justification)).all())
    mails = [m.as_string() for m in smtp_server.inbox.messages()]
    for text in (trail, *mails):
        assert world.address not in text and world.family_name not in text


def test_an_acknowledged_alert_never_escalates(sessions, world, db_url):
    alert_id = raise_one(sessions, world)
    with transaction(sessions) as session:
        acknowledge(session, "ann", alert_id, NOW + timedelta(minutes=2))
    settings = alert_settings(db_url, escalate_after_minutes=15)
    assert run_sweep(sessions, settings, NOW + timedelta(hours=2)).escalated == []


def test_escalating_by_hand_needs_a_supervisor_or_an_admin(sessions, world, db_url):
    raise_one(sessions, world)
    settings = alert_settings(db_url)
    with sessions() as session:
        with pytest.raises(PermissionDenied):
            escalate_overdue(session, settings, NOW + timedelta(hours=1), "ann")
        assert len(escalate_overdue(session, settings, NOW + timedelta(hours=1), "sam")) == 1


def test_the_servers_dispatcher_sends_within_milliseconds_of_the_commit(
    sessions, world, db_url, smtp_server
):
    settings = alert_settings(db_url, smtp_url=smtp_server.url, duty_email=DUTY)
    dispatcher = AlertDispatcher(sessions, settings, sweep_seconds=3600)
    dispatcher.start()
    try:
        with transaction(sessions) as session:  # rolled back: nothing may go out
            from test_delivery import the_flag

            from tracker.services.alerts import raise_level_one

            raise_level_one(
                session,
                the_flag(session, world),
                screening_id=None,
                reason="r",
                flight=None,
                departure_time=None,
                now=NOW,
            )
            session.rollback()
        committed = time.monotonic()
        alert_id = raise_one(sessions, world)
        smtp_server.inbox.wait_for(1)
        took = time.monotonic() - committed
    finally:
        dispatcher.stop()
    assert len(smtp_server.inbox.envelopes) == 1
    assert took < 1.0, took
    with sessions() as session:
        assert [(c, o) for c, o, _ in deliveries(session, alert_id)] == [("email", "delivered")]
    assert deliver_alert(sessions, alert_id, settings) == []  # stopped: no longer queued
