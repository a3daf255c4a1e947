"""Level-one alerts reaching people over real loopback servers: the duty officer's e-mail
(plain and with STARTTLS), the signed webhook, a failed delivery kept and retried, and each
step in the audit trail. Nothing in what leaves names the person or their address."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import time

from alert_world import (
    BASE_URL,
    DEPARTURE,
    DUTY,
    NOW,
    WEBHOOK_SECRET,
    alert_settings,
    the_flag,
)
from sqlalchemy import select

from tracker.alerts.dispatch import deliver_alert, deliver_now, run_sweep
from tracker.db import transaction
from tracker.models import Alert, AlertDelivery, AuditEvent
from tracker.schemas.alerts import AlertMessage
from tracker.services.alerts import raise_level_one


def raise_one(sessions, world, now=NOW) -> int:
    with transaction(sessions) as session:
        alert = raise_level_one(
            session,
            the_flag(session, world),
            screening_id=None,
            reason="wanted offender, match band",
            flight="BA0123",
            departure_time=DEPARTURE,
            now=now,
        )
        return alert.id


def audit_events(session, alert_id: int) -> list[str]:
    rows = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "alert", AuditEvent.object_id == str(alert_id))
        .order_by(AuditEvent.id)
    )
    return [f"{e.action}:{e.details['event']}" for e in rows]


def deliveries(session, alert_id: int) -> list[tuple[str, str, str]]:
    rows = session.scalars(
        select(AlertDelivery).where(AlertDelivery.alert_id == alert_id).order_by(AlertDelivery.id)
    )
    return [(d.channel, d.outcome, d.detail or "") for d in rows]


def assert_nothing_personal(text: str, world) -> None:
    for secret in (world.family_name, *world.given_names.split(), world.address, "Larkspur"):
        assert secret.lower() not in text.lower(), secret


def test_raising_twice_gives_one_alert_audited_once_as_the_systems_decision(sessions, world):
    first, again = raise_one(sessions, world), raise_one(sessions, world)
    assert first == again
    with sessions() as session:
        assert session.scalars(select(Alert)).all()[0].state == "raised"
        assert audit_events(session, first) == ["decision:raised"]
        event = session.scalars(select(AuditEvent).where(AuditEvent.object_type == "alert")).one()
        assert event.actor == "system"
        assert event.details["flag_id"] == world.flag_id
        assert_nothing_personal(json.dumps(event.details), world)


def test_a_flight_with_line_breaks_cannot_add_a_mail_header(sessions, world, db_url, smtp_server):
    with transaction(sessions) as session:
        alert = raise_level_one(
            session,
            the_flag(session, world),
            screening_id=None,
            reason="r",
            flight="BA0123\r\nBcc: someone@elsewhere.example",
            departure_time=None,
            now=NOW,
        )
        alert_id = alert.id
    settings = alert_settings(db_url, smtp_url=smtp_server.url, duty_email=DUTY)
    [(_, outcome)] = deliver_now(sessions, alert_id, settings)
    [mail] = smtp_server.inbox.wait_for(1)
    assert outcome.delivered and mail["Bcc"] is None
    assert smtp_server.inbox.envelopes[0].rcpt_tos == [DUTY]


def test_the_duty_officer_gets_the_minimum_by_email(sessions, world, db_url, smtp_server):
    alert_id = raise_one(sessions, world)
    settings = alert_settings(db_url, smtp_url=smtp_server.url, duty_email=DUTY)
    [(attempt, outcome)] = deliver_now(sessions, alert_id, settings)
    assert outcome.delivered, outcome.detail
    [mail] = smtp_server.inbox.wait_for(1)
    assert smtp_server.inbox.envelopes[0].rcpt_tos == [DUTY]
    body = mail.get_payload(decode=True).decode()
    assert (
        f"LEVEL ONE alert {alert_id}: flight BA0123, departs 2026-12-03 14:40 UTC"
        == mail["Subject"]
    )
    assert f"{BASE_URL}/flags/{world.flag_id}" in body
    assert f"tracker alerts ack {alert_id}" in body and f"{BASE_URL}/duty" in body
    assert "level_one" in body and "BA0123" in body
    assert_nothing_personal(mail.as_string(), world)
    with sessions() as session:
        [(channel, result, detail)] = deliveries(session, alert_id)
        assert (channel, result) == ("email", "delivered")
        assert detail == "no TLS offered: 250 Message accepted for delivery"
        assert audit_events(session, alert_id) == [
            "decision:raised",
            "disclosure:sent",
            "disclosure:delivered",
        ]


def test_starttls_is_used_when_the_server_offers_it(sessions, world, db_url, tls_smtp_server):
    alert_id = raise_one(sessions, world)
    settings = alert_settings(db_url, smtp_url=tls_smtp_server.url, duty_email=DUTY)
    [(_, outcome)] = deliver_now(sessions, alert_id, settings)
    assert outcome.delivered, outcome.detail
    assert outcome.detail.startswith("STARTTLS: 250")
    [mail] = tls_smtp_server.inbox.wait_for(1)
    assert f"/flags/{world.flag_id}" in mail.get_payload(decode=True).decode()


def test_smtps_speaks_tls_from_the_first_byte(sessions, world, db_url, smtps_server):
    alert_id = raise_one(sessions, world)
    settings = alert_settings(db_url, smtp_url=smtps_server.url, duty_email=DUTY)
    [(_, outcome)] = deliver_now(sessions, alert_id, settings)
    assert outcome.delivered and outcome.detail.startswith("TLS: 250"), outcome.detail
    assert len(smtps_server.inbox.wait_for(1)) == 1


def test_an_untrusted_certificate_is_a_failed_delivery(
    sessions, world, db_url, tls_smtp_server, monkeypatch
):
    monkeypatch.delenv("SSL_CERT_FILE")  # the system's CAs do not know the test's certificate
    alert_id = raise_one(sessions, world)
    settings = alert_settings(db_url, smtp_url=tls_smtp_server.url, duty_email=DUTY)
    [(_, outcome)] = deliver_now(sessions, alert_id, settings)
    assert not outcome.delivered and "CERTIFICATE_VERIFY_FAILED" in outcome.detail
    assert tls_smtp_server.inbox.envelopes == []


def test_the_webhook_is_signed_over_its_raw_body(sessions, world, db_url, webhook_receiver):
    alert_id = raise_one(sessions, world)
    keyed = webhook_receiver.url + "?key=receiver-key"
    settings = alert_settings(db_url, webhook_url=keyed, webhook_secret=WEBHOOK_SECRET)
    [(attempt, outcome)] = deliver_now(sessions, alert_id, settings)
    assert (attempt.channel, outcome.delivered, outcome.detail) == (
        "webhook",
        True,
        "HTTP 200 received",
    )
    [(headers, body)] = webhook_receiver.requests
    expected = hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Tracker-Signature"] == f"sha256={expected}"
    assert abs(int(headers["X-Tracker-Timestamp"]) - time.time()) < 60
    sent = json.loads(body)
    assert set(sent) == set(AlertMessage.model_fields)
    assert (sent["alert_id"], sent["flight"], sent["event"]) == (alert_id, "BA0123", "raised")
    assert sent["flag_url"] == f"{BASE_URL}/flags/{world.flag_id}"
    assert_nothing_personal(body.decode(), world)
    with sessions() as session:  # the receiver's key is not kept
        assert deliveries(session, alert_id)[0][:2] == ("webhook", "delivered")
        target = session.scalars(select(AlertDelivery.target)).one()
        assert target == webhook_receiver.url
        sent = session.scalars(select(AuditEvent).where(AuditEvent.action == "disclosure"))
        assert {e.details["recipient"] for e in sent} == {webhook_receiver.url}


def test_a_webhook_that_refuses_is_a_failed_delivery(sessions, world, db_url, webhook_receiver):
    webhook_receiver.status = 503
    alert_id = raise_one(sessions, world)
    settings = alert_settings(
        db_url, webhook_url=webhook_receiver.url, webhook_secret=WEBHOOK_SECRET
    )
    [(_, outcome)] = deliver_now(sessions, alert_id, settings)
    assert not outcome.delivered and outcome.detail == "HTTP 503 received"


def test_a_closed_port_is_recorded_as_failed_and_the_sweep_sends_it_later(
    sessions, world, db_url, closed_port_url, smtp_server
):
    alert_id = raise_one(sessions, world)
    down = alert_settings(db_url, smtp_url=closed_port_url, duty_email=DUTY)
    [(_, outcome)] = deliver_now(sessions, alert_id, down)
    assert not outcome.delivered and "cannot reach 127.0.0.1" in outcome.detail
    with sessions() as session:
        assert [(c, o) for c, o, _ in deliveries(session, alert_id)] == [("email", "failed")]
        failed = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "disclosure").order_by(AuditEvent.id)
        ).all()[-1]
        assert failed.details["event"] == "failed" and failed.details["recipient"] == DUTY
    up = alert_settings(db_url, smtp_url=smtp_server.url, duty_email=DUTY)
    report = run_sweep(sessions, up, NOW)
    assert report.retried == [alert_id] and report.escalated == [] and report.failed == 0
    smtp_server.inbox.wait_for(1)
    assert run_sweep(sessions, up, NOW).retried == []  # delivered: not sent again
    with sessions() as session:
        assert [(c, o) for c, o, _ in deliveries(session, alert_id)] == [
            ("email", "failed"),
            ("email", "delivered"),
        ]


def test_a_server_that_never_answers_fails_within_the_timeout(sessions, world, db_url):
    alert_id = raise_one(sessions, world)
    with socket.socket() as silent:  # accepts the connection, never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"smtp://127.0.0.1:{silent.getsockname()[1]}"
        settings = alert_settings(db_url, smtp_url=url, duty_email=DUTY, timeout_seconds=0.5)
        started = time.monotonic()
        [(_, outcome)] = deliver_now(sessions, alert_id, settings)
    assert time.monotonic() - started < 3
    assert not outcome.delivered and "timed out" in outcome.detail


def test_without_a_running_dispatcher_deliver_alert_sends_at_once(
    sessions, world, db_url, smtp_server
):
    alert_id = raise_one(sessions, world)
    settings = alert_settings(db_url, smtp_url=smtp_server.url, duty_email=DUTY)
    results = deliver_alert(sessions, alert_id, settings)
    assert results is not None and results[0][1].delivered
    assert deliver_alert(sessions, alert_id, settings) == []  # nothing left to send
    assert len(smtp_server.inbox.envelopes) == 1


def test_nothing_configured_sends_nothing(sessions, world, db_url):
    alert_id = raise_one(sessions, world)
    assert deliver_now(sessions, alert_id, alert_settings(db_url)) == []
