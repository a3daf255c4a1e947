"""The review, users and audit commands through the CLI, as an analyst would use them."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from factories import add_flag, add_offender, add_run, add_travel
from openpyxl import load_workbook
from sqlalchemy import text

from tracker.cli import main
from tracker.db import transaction


@pytest.fixture
def cli(db_url):
    runner = CliRunner()

    def invoke(*args, user: str | None = None):
        prefix = ["--db", db_url] + (["--user", user] if user else [])
        return runner.invoke(main, [*prefix, *args])

    return invoke


@pytest.fixture
def staffed(cli):
    assert cli("users", "add", "ada", "--role", "admin").exit_code == 0
    for name, role in (("ann", "analyst"), ("sue", "supervisor"), ("liz", "liaison")):
        result = cli("users", "add", name, "--role", role, user="ada")
        assert result.exit_code == 0, result.output
    return cli


@pytest.fixture
def flags(staffed, sessions):
    with transaction(sessions) as s:
        run = add_run(s)
        low = add_flag(
            s,
            add_offender(s),
            run,
            severity="low",
            kind="late_change",
            summary="=cmd|' /C calc'!A0",
        )
        critical = add_flag(
            s,
            add_offender(s, managing_force="Kent Police"),
            run,
            severity="critical",
            travel_pk=add_travel(s).id,
        )
        return {"low": low.id, "critical": critical.id}


def test_users_add_bootstrap_then_admin_only(staffed):
    refused = staffed("users", "add", "eve", "--role", "admin", user="ann")
    assert refused.exit_code == 1
    assert "may not users.add" in refused.output
    listed = staffed("users", "list", user="sue")
    assert "ann" in listed.output and "analyst" in listed.output


def test_unknown_users_are_refused_everywhere(flags, staffed):
    for args in (("review", "queue"), ("review", "show", "1"), ("audit", "log")):
        result = staffed(*args, user="mallory")
        assert result.exit_code == 1
        assert "unknown user 'mallory'" in result.output


def test_queue_puts_the_most_severe_first(flags, staffed):
    result = staffed("review", "queue", "--format", "json", user="ann")
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)["items"]
    assert [i["flag_id"] for i in items] == [flags["critical"], flags["low"]]


def test_queue_filters_by_force_and_severity(flags, staffed):
    by_force = staffed("review", "queue", "--force", "Kent Police", "--format", "json", user="ann")
    assert [i["flag_id"] for i in json.loads(by_force.output)["items"]] == [flags["critical"]]
    by_severity = staffed("review", "queue", "--severity", "low", "--format", "csv", user="ann")
    assert by_severity.output.count("\n") == 2  # header and one row


def test_queue_xlsx_keeps_formula_looking_text_inert(flags, staffed, tmp_path):
    out = tmp_path / "queue.xlsx"
    result = staffed("review", "queue", "--format", "xlsx", "--out", str(out), user="ann")
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).active
    summaries = [row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'=cmd|' /C calc'!A0" in summaries


def test_queue_csv_and_xlsx_mark_formulas_hidden_behind_blanks_and_tabs(
    staffed, sessions, tmp_path
):
    hidden = ["  =1+1", "\t=cmd|' /C calc'!A0", " \t@SUM(1)"]
    with transaction(sessions) as s:
        run = add_run(s)
        for summary in hidden:
            add_flag(s, add_offender(s), run, summary=summary)
    as_csv = staffed("review", "queue", "--format", "csv", user="ann")
    assert as_csv.exit_code == 0, as_csv.output
    summaries = {r["summary"] for r in csv.DictReader(io.StringIO(as_csv.output, newline=""))}
    assert summaries == {"'" + text for text in hidden}
    out = tmp_path / "queue.xlsx"
    assert (
        staffed("review", "queue", "--format", "xlsx", "--out", str(out), user="ann").exit_code == 0
    )
    cells = {row[-1] for row in load_workbook(out).active.iter_rows(min_row=2, values_only=True)}
    assert cells == {"'" + text for text in hidden}


def test_liaison_may_not_use_the_queue(flags, staffed):
    result = staffed("review", "queue", user="liz")
    assert result.exit_code == 1 and "allowed roles: analyst, supervisor" in result.output


def test_decide_needs_a_reason_and_the_right_role(flags, staffed):
    flag = str(flags["critical"])
    missing = staffed("review", "decide", flag, "--decision", "confirm", user="ann")
    assert missing.exit_code == 2  # --reason is required
    empty = staffed("review", "decide", flag, "--decision", "confirm", "--reason", " ", user="ann")
    assert empty.exit_code == 1 and "reason is required" in empty.output
    liaison = staffed(
        "review", "decide", flag, "--decision", "confirm", "--reason", "x", user="liz"
    )
    assert liaison.exit_code == 1
    done = staffed(
        "review", "decide", flag, "--decision", "escalate", "--reason", "unsure", user="ann"
    )
    assert done.exit_code == 0, done.output
    escalations = staffed("review", "queue", "--escalated", "--format", "json", user="sue")
    assert [i["flag_id"] for i in json.loads(escalations.output)["items"]] == [flags["critical"]]
    assert staffed("review", "queue", "--escalated", user="ann").exit_code == 1


def test_audit_log_filters_and_records_its_own_reading(flags, staffed):
    staffed("review", "show", str(flags["low"]), user="ann")
    result = staffed(
        "audit", "log", "--user", "ann", "--action", "consultation", "--format", "json", user="ada"
    )
    assert result.exit_code == 0, result.output
    entries = json.loads(result.output)
    assert entries and all(e["actor"] == "ann" for e in entries)
    assert any(e["object"] == f"flag:{flags['low']}" for e in entries)
    again = staffed("audit", "log", "--object", "audit_log", "--format", "json", user="ada")
    assert len(json.loads(again.output)) == 1


def test_audit_verify_names_the_altered_entry(flags, staffed, engine, backend):
    # No anchor key in this test's installation: the chain alone is verified.
    assert staffed("audit", "verify", "--no-anchor-yet").exit_code == 0
    with engine.begin() as conn:
        if backend == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_refuse_update"))
        conn.execute(text("UPDATE audit_events SET actor = 'someone' WHERE id = 2"))
    result = staffed("audit", "verify", "--no-anchor-yet")
    assert result.exit_code == 1
    assert "BROKEN at entry 2" in result.output


def test_queue_table_marks_escalations_and_says_which_page(flags, staffed):
    flag = str(flags["critical"])
    escalated = staffed(
        "review", "decide", flag, "--decision", "escalate", "--reason", "unsure", user="ann"
    )
    assert escalated.exit_code == 0, escalated.output
    table = staffed("review", "queue", "--page-size", "1", user="sue")
    assert table.exit_code == 0, table.output
    header, row, footer = table.output.splitlines()
    assert header.split()[:4] == ["flag", "severity", "kind", "offender"]
    assert row.split()[:3] == [flag, "^", "critical"]
    assert footer == ("page 1 of 2, 2 flags (critical 1, high 0, medium 0, low 1); ^ = escalated")


def test_a_workbook_without_a_file_is_refused_before_the_queue_is_read(flags, staffed, sessions):
    result = staffed("review", "queue", "--format", "xlsx", user="ann")
    assert result.exit_code == 2 and "--out" in result.output
    with transaction(sessions) as s:
        logged = s.execute(text("SELECT count(*) FROM audit_events WHERE action = 'consultation'"))
        assert logged.scalar() == 0
