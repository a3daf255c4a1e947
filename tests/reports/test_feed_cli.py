"""`tracker feed ...` as supervisors and the publishing job use it."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from click.testing import CliRunner
from factories import add_offender

from tracker.cli import main
from tracker.db import transaction
from tracker.reports.feed_atom import ATOM_NS


@pytest.fixture
def cli(db_url):
    runner = CliRunner()

    def invoke(*args, user: str | None = None, env: dict | None = None):
        prefix = ["--db", db_url] + (["--user", user] if user else [])
        return runner.invoke(main, [*prefix, *args], env=env)

    return invoke


@pytest.fixture
def staffed(cli):
    assert cli("users", "add", "ada", "--role", "admin").exit_code == 0
    for name, role in (("ann", "analyst"), ("sue", "supervisor")):
        result = cli("users", "add", name, "--role", role, user="ada")
        assert result.exit_code == 0, result.output
    return cli


@pytest.fixture
def register(staffed, sessions):
    with transaction(sessions) as s:
        return {
            "wanted": add_offender(
                s,
                offender_id="VR-0000101",
                status="wanted",
                wanted_since=date(2026, 3, 1),
                given_names="Pieter",
                family_name="Vos",
                last_known_area="Bristol",
                address_line="4 Quay Street",
                postcode="BS1 4AA",
                public_id="5e1c0a77d2f4b9e3",
            ).offender_id,
            "active": add_offender(s, offender_id="VR-0000102").offender_id,
        }


def test_approval_needs_a_supervisor(register, staffed):
    for user in ("ann", "ada"):
        refused = staffed("feed", "approve", "VR-0000101", "--reason", "r", user=user)
        assert refused.exit_code == 1
        assert "may not feed.approve" in refused.output
    nobody = staffed("feed", "approve", "VR-0000101", "--reason", "r")
    assert nobody.exit_code == 1 and "needs the acting person" in nobody.output
    assert (
        "may not feed.withdraw"
        in staffed("feed", "withdraw", "VR-0000101", "--reason", "r", user="ann").output
    )


def test_approval_refuses_the_not_wanted_the_unknown_and_no_reason(register, staffed):
    active = staffed("feed", "approve", "VR-0000102", "--reason", "r", user="sue")
    assert active.exit_code == 1
    assert "VR-0000102 has status 'active', not 'wanted'" in active.output
    unknown = staffed("feed", "approve", "VR-404", "--reason", "r", user="sue")
    assert unknown.exit_code == 1 and "'VR-404'" in unknown.output
    assert staffed("feed", "approve", "VR-0000101", user="sue").exit_code == 2
    blank = staffed("feed", "approve", "VR-0000101", "--reason", " ", user="sue")
    assert blank.exit_code == 1 and "reason is required" in blank.output


def test_approve_publish_withdraw(register, staffed, tmp_path):
    approved = staffed(
        "feed", "approve", "VR-0000101", "--reason", "high risk, missing a week", user="sue"
    )
    assert approved.exit_code == 0, approved.output
    assert "approved by sue" in approved.output
    again = staffed("feed", "approve", "VR-0000101", "--reason", "again", user="sue")
    assert again.exit_code == 0 and "already on the feed" in again.output
    assert "nothing changed" in again.output

    published = staffed("feed", "most-wanted")
    assert published.exit_code == 0, published.output
    document = json.loads(published.output)
    assert document["total"] == 1
    [item] = document["items"]
    assert item["uid"] == "5e1c0a77d2f4b9e3" and item["title"] == "Pieter Vos"
    for secret in ("VR-0000101", "4 Quay Street", "BS1 4AA", "high risk"):
        assert secret not in published.output

    out = tmp_path / "feed.atom"
    atom = staffed("feed", "most-wanted", "--format", "atom", "--out", str(out))
    assert atom.exit_code == 0 and f"wrote {out}" in atom.output
    entries = ET.parse(out).getroot().findall(f"{{{ATOM_NS}}}entry")
    assert len(entries) == 1

    withdrawn = staffed("feed", "withdraw", "VR-0000101", "--reason", "found", user="sue")
    assert withdrawn.exit_code == 0 and "withdrawn by sue" in withdrawn.output
    assert json.loads(staffed("feed", "most-wanted").output)["items"] == []
    twice = staffed("feed", "withdraw", "VR-0000101", "--reason", "found", user="sue")
    assert twice.exit_code == 1 and "nothing to withdraw" in twice.output

    listed = staffed("feed", "list", user="sue")
    assert listed.exit_code == 0
    assert "VR-0000101" in listed.output and "withdrawn" in listed.output
    assert "high risk, missing a week" in listed.output
    assert staffed("feed", "list", user="ann").exit_code == 1

    log = json.loads(
        staffed("audit", "log", "--action", "publication", "--format", "json", user="sue").output
    )
    assert [e["details"]["change"] for e in log] == ["withdrawn", "approved"]
    assert (
        staffed(
            "audit", "verify", "--no-anchor-yet", env={"TRACKER_DATA_DIR": str(tmp_path / "data")}
        ).exit_code
        == 0
    )


def test_paging_options(register, staffed):
    staffed("feed", "approve", "VR-0000101", "--reason", "r", user="sue")
    paged = json.loads(staffed("feed", "most-wanted", "--page-size", "1").output)
    assert (paged["page"], paged["page_size"], paged["total"]) == (1, 1, 1)
    beyond = json.loads(staffed("feed", "most-wanted", "--page", "2", "--page-size", "1").output)
    assert beyond["items"] == [] and beyond["total"] == 1
    assert staffed("feed", "most-wanted", "--page", "2").exit_code == 2
    assert staffed("feed", "most-wanted", "--format", "rss").exit_code == 2


def test_a_bad_base_url_is_named(register, staffed):
    result = staffed("feed", "most-wanted", env={"TRACKER_FEED_BASE_URL": "example.org/x"})
    assert result.exit_code == 1
    assert "'example.org/x'" in result.output


def test_approval_takes_the_text_for_the_public_and_the_feed_carries_only_it(register, staffed):
    approved = staffed(
        "feed",
        "approve",
        "VR-0000101",
        "--reason",
        "missing a week",
        "--public-description",
        "Tall, red coat",
        "--public-area",
        "Harbourside",
        user="sue",
    )
    assert approved.exit_code == 0, approved.output
    [item] = json.loads(staffed("feed", "most-wanted").output)["items"]
    assert (item["description"], item["last_known_area"]) == ("Tall, red coat", "Harbourside")
    assert "Bristol" not in staffed("feed", "most-wanted").output  # the register's own area
    listed = json.loads(staffed("feed", "list", "--format", "json", user="sue").output)
    assert listed[0]["public_description"] == "Tall, red coat"


def test_the_supervisor_may_approve_the_registers_own_text_for_the_public(register, staffed):
    approved = staffed(
        "feed",
        "approve",
        "VR-0000101",
        "--reason",
        "missing a week",
        "--public-description",
        "Tall, red coat",
        "--use-register-text",
        user="sue",
    )
    assert approved.exit_code == 0, approved.output
    assert "public description: Tall, red coat" in approved.output
    assert "public area: Bristol" in approved.output  # the register's, approved by name
    [item] = json.loads(staffed("feed", "most-wanted").output)["items"]
    assert (item["description"], item["last_known_area"]) == ("Tall, red coat", "Bristol")


def test_the_registers_own_text_is_screened_when_approved_for_the_public(
    register, staffed, sessions
):
    with transaction(sessions) as s:
        add_offender(
            s,
            offender_id="VR-0000103",
            status="wanted",
            wanted_since=date(2026, 3, 1),
            description="Lives at 7 Mill Lane",
            address_line="7 Mill Lane",
        )
    refused = staffed(
        "feed", "approve", "VR-0000103", "--reason", "r", "--use-register-text", user="sue"
    )
    assert refused.exit_code == 1
    assert "public description refused: it contains the address" in refused.output


def test_approval_refuses_text_that_gives_away_a_restricted_fact(register, staffed):
    refused = staffed(
        "feed",
        "approve",
        "VR-0000101",
        "--reason",
        "r",
        "--public-area",
        "Quay St, no. 4",
        user="sue",
    )
    assert refused.exit_code == 1
    assert (
        "public area refused: it contains the address (house number and street) "
        "(written 'Quay St, no. 4')"
    ) in refused.output
    assert json.loads(staffed("feed", "most-wanted").output)["total"] == 0
