"""`tracker alerts list | ack | escalate` against a real database and a real SMTP server."""

from __future__ import annotations

import json

from alert_world import BASE_URL, SUPERVISORS
from click.testing import CliRunner
from test_delivery import audit_events, raise_one

from tracker.cli import main


def run(db_url, smtp_url, *args):
    env = {
        "TRACKER_SMTP_URL": smtp_url,
        "TRACKER_ESCALATION_EMAIL": SUPERVISORS,
        "TRACKER_WEB_BASE_URL": BASE_URL,
    }
    return CliRunner().invoke(main, ["--db", db_url, *map(str, args)], env=env)


def test_list_escalate_then_acknowledge_from_the_command_line(sessions, world, db_url, smtp_server):
    alert_id = raise_one(sessions, world)  # raised hours ago: overdue
    listed = run(db_url, smtp_server.url, "--user", "ann", "alerts", "list")
    assert listed.exit_code == 0, listed.output
    assert f"{BASE_URL}/flags/{world.flag_id}" in listed.output
    assert "BA0123" in listed.output and "1 alert, 1 not acknowledged" in listed.output

    refused = run(db_url, smtp_server.url, "--user", "ann", "alerts", "escalate")
    assert refused.exit_code == 1 and "may not alerts.escalate" in refused.output
    swept = run(db_url, smtp_server.url, "alerts", "escalate")  # cron: the system
    assert swept.exit_code == 0, swept.output
    assert swept.output.startswith(f"escalated: {alert_id};")
    [mail] = smtp_server.inbox.wait_for(1)
    assert mail["Subject"].startswith("ESCALATED")

    acked = run(db_url, smtp_server.url, "alerts", "ack", alert_id, "--as", "sam")
    assert acked.exit_code == 0, acked.output
    assert acked.output.startswith(f"alert {alert_id} acknowledged by sam after ")
    again = run(db_url, smtp_server.url, "--user", "ann", "alerts", "ack", alert_id)
    assert again.exit_code == 1
    assert f"alert {alert_id} was already acknowledged by sam at" in again.output

    as_json = run(db_url, smtp_server.url, "--user", "ann", "alerts", "list", "--format", "json")
    [row] = json.loads(as_json.output)
    assert (row["state"], row["acknowledged_by"], row["reached"]) == (
        "acknowledged",
        "sam",
        "escalation_email",
    )
    none = run(db_url, smtp_server.url, "--user", "ann", "alerts", "list", "--state", "raised")
    assert none.output.strip() == "no alerts"
    with sessions() as session:
        assert audit_events(session, alert_id)[-1] == "decision:acknowledged"


def test_a_liaison_officer_is_refused_the_list(sessions, world, db_url, smtp_server):
    refused = run(db_url, smtp_server.url, "--user", "liz", "alerts", "list")
    assert refused.exit_code == 1 and "may not alerts.list" in refused.output
