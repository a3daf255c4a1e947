"""`tracker audit verify | checkpoint | log` as an operator and an admin use them."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

HEADER = (
    "offender_id,family_name,given_names,date_of_birth,requirement_start,"
    "notification_period,managing_force,address_line,postcode"
)
BEFORE = "VR-1,Testperson,Alex,1980-01-31,2020-05-01,P10Y,Kent Police,1 Old Road,AB1 2CD\n"
AFTER = "VR-1,Testperson,Alex,1981-02-28,2020-05-01,P7Y,Kent Police,9 New Street,EF3 4GH\n"
RESTRICTED_VALUES = (
    "1 Old Road",
    "AB1 2CD",
    "9 New Street",
    "EF3 4GH",
    "1980-01-31",
    "1981-02-28",
    "X1234567",
)


@pytest.fixture
def altered(cli, tmp_path):
    """An offender whose address, postcode, date of birth and passport expiry were changed."""
    for n, row in enumerate((BEFORE, AFTER)):
        path = tmp_path / f"offenders-{n}.csv"
        path.write_text(HEADER + "\n" + row, encoding="utf-8")
        assert cli("ingest", "offenders", str(path), user="ada").exit_code == 0
    for n, expiry in enumerate(("2030-01-01", "2031-01-01")):
        path = tmp_path / f"documents-{n}.csv"
        path.write_text(
            "offender_id,doc_type,doc_number,issuing_country,expires_on\n"
            f"VR-1,P,X1234567,GBR,{expiry}\n",
            encoding="utf-8",
        )
        assert cli("ingest", "documents", str(path), user="ada").exit_code == 0
    return cli


def test_audit_log_names_the_changed_fields_but_shows_no_restricted_value(altered):
    result = altered("audit", "log", "--action", "alteration", "--format", "json", user="ada")
    assert result.exit_code == 0, result.output
    for value in RESTRICTED_VALUES:
        assert value not in result.output
    offender = next(e for e in json.loads(result.output) if e["object"] == "offender:VR-1")
    changes = offender["details"]["changes"]
    assert changes["postcode"] == changes["address_line"] == "[restricted]"
    assert changes["date_of_birth"] == "[restricted]"
    assert changes["notification_period"] == {"old": "P10Y", "new": "P7Y"}  # not restricted
    assert offender["details"]["changed"] == [
        "address_line",
        "date_of_birth",
        "notification_period",
        "postcode",
    ]
    table = altered("audit", "log", user="ada")
    assert table.exit_code == 0 and "X1234567" not in table.output


def test_verify_fails_without_an_anchor_unless_told_there_is_none_yet(cli):
    refused = cli("audit", "verify")
    assert refused.exit_code == 1
    assert "audit anchor MISSING" in refused.output and "--no-anchor-yet" in refused.output
    allowed = cli("audit", "verify", "--no-anchor-yet")
    assert allowed.exit_code == 0, allowed.output
    assert "only the chain was checked" in allowed.output


def test_checkpoint_then_verify_and_a_rewritten_trail_is_refused(cli, engine, backend):
    made = cli("audit", "checkpoint")
    assert made.exit_code == 0, made.output
    assert "checkpoint written: entry 2" in made.output  # 1: ada added, 2: the key made
    verified = cli("audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert "1 checkpoint(s) verified" in verified.output
    with engine.begin() as conn:  # the owner empties the trail and its head
        if backend == "postgresql":
            conn.execute(text("ALTER TABLE audit_head DISABLE TRIGGER USER"))
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_head_refuse_delete"))
            conn.execute(text("DROP TRIGGER audit_events_refuse_delete"))
        conn.execute(text("DELETE FROM audit_events"))
        conn.execute(text("DELETE FROM audit_head"))
    broken = cli("audit", "verify", "--no-anchor-yet")
    assert broken.exit_code == 1
    assert "the trail is empty but the database holds users" in broken.output
    assert "audit anchor BROKEN" in broken.output
    assert cli("audit", "checkpoint").exit_code == 1


def test_keys_init_also_makes_the_audit_anchor_key(cli, tmp_path):
    made = cli("keys", "init", user="ada")
    assert made.exit_code == 0, made.output
    key = tmp_path / "data" / "keys" / "audit-anchor.key"
    assert oct(key.stat().st_mode & 0o777) == "0o600" and "audit anchor key" in made.output
    first = key.read_bytes()
    assert cli("keys", "init", "--force", user="ada").exit_code == 0
    assert key.read_bytes() == first  # never replaced: its checkpoints verify only with it
    verified = cli("audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert "checkpoint written" in verified.output


def test_a_command_that_writes_to_the_trail_checkpoints_it_at_its_end(cli, tmp_path):
    checkpoints = tmp_path / "data" / "audit" / "checkpoints.jsonl"
    assert cli("audit", "checkpoint").exit_code == 0
    assert len(checkpoints.read_text().splitlines()) == 1
    added = cli("users", "add", "bo", "--role", "analyst", user="ada")
    assert added.exit_code == 0, added.output
    lines = checkpoints.read_text().splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["event_id"] == 4  # bo's entry
    verified = cli("audit", "verify")
    assert verified.exit_code == 0 and "2 checkpoint(s) verified" in verified.output


def test_keys_init_does_not_remake_an_anchor_key_that_checkpoints_need(cli, tmp_path):
    assert cli("audit", "checkpoint").exit_code == 0
    key = tmp_path / "data" / "keys" / "audit-anchor.key"
    key.unlink()
    made = cli("keys", "init", user="ada")
    assert made.exit_code == 0, made.output  # the signing key is still made
    assert "the anchor key is gone: restore keys/ from backup" in made.output
    assert not key.exists()
    refused = cli("audit", "checkpoint")
    assert refused.exit_code == 1 and "audit anchor BROKEN" in refused.output
    assert "is gone but 1 checkpoint(s) need it" in refused.output
