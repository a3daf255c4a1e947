"""`tracker offenders show`: the record as tables or one JSON document, restricted fields and
sections only for the roles that may read them, the opening logged, unknown references and
refused people answered in a line."""

from __future__ import annotations

import json
from datetime import date

import pytest
from factories import (
    add_alias,
    add_flag,
    add_link,
    add_notification,
    add_offender,
    add_run,
    add_travel,
)
from sqlalchemy import select

from tracker.db import transaction
from tracker.models import AuditEvent


@pytest.fixture
def cli(cli, sessions):
    """Ann (analyst), Sue (supervisor), Liz (liaison), and VR-CLI-1 with an alias, a
    notification, a linked journey and its flag decided by Ann."""
    for name, role in (("ann", "analyst"), ("sue", "supervisor"), ("liz", "liaison")):
        assert cli("users", "add", name, "--role", role, user="ada").exit_code == 0
    with transaction(sessions) as s:
        offender = add_offender(
            s, offender_id="VR-CLI-1", family_name="Clirecord", offence_category="secret-cat"
        )
        add_alias(s, offender, "Oldname", "Alex", "previous_name")
        add_notification(s, offender, "periodic", date(2026, 1, 5))
        run = add_run(s)
        trip = add_travel(s, departure_port="LHR", arrival_port="BKK")
        add_link(s, run, trip, offender, 0.97)
        flag = add_flag(s, offender, run, travel_pk=trip.id)
        flag_id = flag.id
    decided = cli(
        "review", "decide", flag_id, "--decision", "confirm", "--reason", "gate CCTV", user="ann"
    )
    assert decided.exit_code == 0, decided.output
    cli.flag_id = flag_id
    return cli


def test_the_table_shows_each_section(cli):
    result = cli("offenders", "show", "VR-CLI-1", user="ann")
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("Register entry VR-CLI-1: Clirecord, Alex")
    for heading in ("Aliases (1):", "Notifications (1):", "Linked travel (1):", "Flags (1):"):
        assert heading in text
    assert "Oldname" in text and "LHR → BKK" in text and "0.970" in text
    assert "gate CCTV" in text and "confirmed" in text
    assert "public feed          never published" in text
    for section in ("Packages sent", "Publication history", "Audit entries"):
        assert section not in text  # not an analyst's to read
    assert "secret-cat" not in text


def test_json_carries_the_sections_the_role_may_read(cli):
    as_liaison = json.loads(
        cli("offenders", "show", "VR-CLI-1", "--format", "json", user="liz").output
    )
    assert as_liaison["register"]["offence_category"] == "secret-cat"  # packages carry it
    assert as_liaison["linked_travel"][0]["band"] == "match"
    assert as_liaison["flags"][0]["flag_id"] == cli.flag_id
    assert as_liaison["decisions"][0]["reason"] == "gate CCTV"
    assert as_liaison["packages_sent"] == [] and "audit_entries" not in as_liaison
    as_supervisor = json.loads(
        cli("offenders", "show", "VR-CLI-1", "--format", "json", user="sue").output
    )
    assert "offence_category" not in as_supervisor["register"]
    assert as_supervisor["publication_history"] == []
    assert as_supervisor["public_feed"] == "never published"
    actions = {(e["action"], e["object"]) for e in as_supervisor["audit_entries"]}
    assert ("decision", f"flag:{cli.flag_id}") in actions
    assert ("consultation", "offender:VR-CLI-1") in actions


def test_opening_is_logged_and_an_unknown_reference_is_one_line(cli, sessions):
    assert cli("offenders", "show", "VR-CLI-1", user="sue").exit_code == 0
    missing = cli("offenders", "show", "VR-NOBODY", user="sue")
    assert missing.exit_code == 1
    assert "no register entry 'VR-NOBODY'" in missing.output
    assert "Traceback" not in missing.output
    with transaction(sessions) as s:
        opened = s.scalars(select(AuditEvent).filter_by(object_type="offender")).all()
        assert [(e.actor, e.object_id) for e in opened] == [("sue", "VR-CLI-1")]


@pytest.mark.parametrize("who", ["ada", None])
def test_people_who_may_not_open_records_are_refused(cli, who):
    result = cli("offenders", "show", "VR-CLI-1", user=who)
    assert result.exit_code != 0
    assert "Register entry" not in result.output
