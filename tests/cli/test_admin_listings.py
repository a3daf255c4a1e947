"""The admins' and supervisors' listings through the one renderer: `tracker users list`,
`tracker feed list`, `tracker audit log` and `tracker package list` in each of their formats."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from factories import add_offender

from tracker.access.sign_in_throttle import ThrottlePolicy, attempt_failed, reserve_attempt
from tracker.audit import record_events
from tracker.db import transaction

ATTACKER = "203.0.113.50"


@pytest.fixture
def cli(cli):
    """Ada (admin), Sue (supervisor) and Liz (liaison)."""
    for name, role in (("sue", "supervisor"), ("liz", "liaison")):
        assert cli("users", "add", name, "--role", role, user="ada").exit_code == 0
    return cli


def _throttle(sessions, name: str) -> None:
    """Enough wrong passwords for ``name`` from one address to make it wait."""
    policy, now = ThrottlePolicy(), datetime.now(UTC)
    with transaction(sessions) as s:
        for _ in range(policy.free_failures):
            attempt = reserve_attempt(s, name, ATTACKER, now, policy)
            record_events(s, attempt_failed(s, attempt, policy))


def test_users_list_as_json_carries_no_password_and_the_throttles_only_for_admins(cli, sessions):
    _throttle(sessions, "liz")
    people = json.loads(cli("users", "list", "--format", "json", user="sue").output)
    assert [p["name"] for p in people] == ["ada", "liz", "sue"]
    assert set(people[0]) == {"name", "role", "active", "password_set", "created_at", "created_by"}
    assert people[0]["created_by"] == "ada" and people[0]["password_set"] is False
    assert "sign-in throttles" not in cli("users", "list", user="sue").output
    table = cli("users", "list", user="ada").output
    assert "sign-in throttles" in table and ATTACKER in table and "'liz'" in table
    assert ATTACKER not in cli("users", "list", "--format", "csv", user="ada").output


def test_feed_list_as_csv_marks_a_formula_like_reason_as_text(cli, sessions):
    with transaction(sessions) as s:
        add_offender(s, offender_id="VR-0000301", status="wanted")
    approved = cli("feed", "approve", "VR-0000301", "--reason", "=HYPERLINK(x)", user="sue")
    assert approved.exit_code == 0, approved.output
    rows = list(
        csv.DictReader(io.StringIO(cli("feed", "list", "--format", "csv", user="sue").output))
    )
    assert [(r["offender_id"], r["in_force"]) for r in rows] == [("VR-0000301", "True")]
    assert rows[0]["approval_reason"] == "'=HYPERLINK(x)"
    table = cli("feed", "list", user="sue").output
    assert "VR-0000301" in table and "on the feed" in table


def test_an_empty_feed_list_and_package_list_say_so(cli):
    assert cli("feed", "list", user="sue").output.strip() == "no publications approved yet"
    assert cli("package", "list", user="liz").output.strip() == "no packages yet"
    assert cli("package", "list", "--format", "csv", user="liz").output.startswith(
        "package_id,flag_id,country,agency,grading,handling,created_by,created_at,path"
    )


def test_audit_log_writes_to_a_file_and_its_reading_is_logged(cli, tmp_path):
    out = tmp_path / "log.json"
    written = cli("audit", "log", "--format", "json", "--out", out, user="ada")
    assert written.exit_code == 0 and f"wrote {out}" in written.output
    entries = json.loads(out.read_text(encoding="utf-8"))
    assert [e["object"] for e in entries][-1] == "user:ada"
    again = json.loads(
        cli("audit", "log", "--object", "audit_log", "--format", "json", user="sue").output
    )
    assert [e["actor"] for e in again] == ["ada"]  # the first reading, before this one
    assert cli("audit", "log", user="liz").exit_code == 1
