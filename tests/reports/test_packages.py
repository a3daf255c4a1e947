"""Intelligence packages through the service and the CLI, on SQLite and PostgreSQL: who may
build one, for which flags, what it holds (and never holds), and what the build records."""

from __future__ import annotations

import hashlib
import html
import json
import os
import stat
import uuid
import zipfile
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import (
    add_alias,
    add_document,
    add_flag,
    add_notification,
    add_offender,
    add_run,
    add_travel,
    add_user,
)
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tracker.access.people import Actor
from tracker.audit import verify_chain
from tracker.cli import main
from tracker.db import transaction
from tracker.models import AuditEvent, Disclosure, Flag, Link, Package, User
from tracker.reports import signing
from tracker.reports.package_files import (
    PACKAGE_JSON,
    SUMMARY_HTML,
    ZIP_ORDER,
    ZIP_TIMESTAMP,
    zip_bytes,
)
from tracker.reports.packages import build_package, make_request, trusting, verify_package
from tracker.review.decisions import decide_flag
from tracker.schemas.package import PUBLISHED_SCHEMA, IntelligencePackage
from tracker.settings import DatabaseSettings, Settings

UNIT = {
    "TRACKER_UNIT_NAME": "Testshire Public Protection Unit",
    "TRACKER_UNIT_CONTACT": "ppu.liaison@testshire.example",
    "TRACKER_HOME_COUNTRY": "GBR",
}
RESTRICTED = {
    "address_line": "12 Hiddenvale Road, Testbury",
    "postcode": "QX9 9QZ",
    "description": "Scar on the left hand (PRIVATE-DESCRIPTION)",
    "last_known_area": "Secretshire Marsh",
    "managing_force": "Hushford Constabulary",
    "photo_ref": "photos/internal-0042.jpg",
}
EXPLANATION = {
    "prior_weight": -9.5,
    "fields": [
        {
            "field": "family_name",
            "level": 2,
            "label": "close spelling (Jaro-Winkler >= 0.92)",
            "weight": 6.1,
        },
        {"field": "given_names", "level": 4, "label": "exact", "weight": 4.2},
        {"field": "date_of_birth", "level": 3, "label": "exact", "weight": 7.9},
        {"field": "document", "level": 2, "label": "same number", "weight": 9.0},
        {"field": "sex", "level": 1, "label": "INTERNAL-LABEL-NOT-IN-VOCABULARY", "weight": 0.3},
        {"field": "nationality", "level": 0, "label": "different", "weight": -1.2},
        {
            "field": "conflict",
            "level": None,
            "label": "birth date or given names conflict",
            "weight": -3.0,
        },
    ],
    "total_weight": 22.8,
    "probability": 0.9991,
    "name_used": {"source": "register", "family": "OKONKWO SMITH", "given": "DANIEL"},
    "order_swapped": False,
}


# --- building blocks --------------------------------------------------------------------------


def confirmed_travel_flag(
    s,
    *,
    offender_values: dict | None = None,
    kind="unnotified_travel",
    decide: str | None = "confirm",
    reason="matches passport and DOB",
    with_notification: bool = False,
    travel_values: dict | None = None,
    flag_values: dict | None = None,
) -> Flag:
    """A travel flag as the nightly job would raise it, then decided by an analyst."""
    run = add_run(s)
    values = {
        "family_name": "Okonkwo-Smith",
        "given_names": "Daniel James",
        "sex": "M",
        "date_of_birth": date(1979, 4, 2),
        "nationalities": "GBR|NGA",
        "risk_level": "high",
        "offence_category": "sexual offences against children",
        **RESTRICTED,
        **(offender_values or {}),
    }
    offender = add_offender(s, **values)
    add_alias(s, offender, "Smith", "Danny", kind="nickname")
    add_document(s, offender, f"P{uuid.uuid4().hex[:8].upper()}", "GBR")
    add_document(s, offender, f"ID-{uuid.uuid4().hex[:8]}", "GBR", doc_type="I")
    travel = add_travel(
        s,
        **{
            "family_name": "OKONKWO SMITH",
            "given_names": "DANIEL",
            "date_of_birth": date(1979, 4, 2),
            "carrier": "TG",
            "flight_number": "TG917",
            "departure_port": "LHR",
            "arrival_port": "BKK",
            "arrival_country": "THA",
            "departure_time": datetime(2026, 3, 1, 21, 40, tzinfo=UTC),
            **(travel_values or {}),
        },
    )
    link = Link(
        run_id=run.id,
        travel_pk=travel.id,
        offender_pk=offender.id,
        match_probability=0.99912,
        match_weight=22.8,
        band="match",
        explanation=EXPLANATION,
    )
    s.add(link)
    s.flush()
    notification = None
    if with_notification:
        notification = add_notification(
            s,
            offender,
            "foreign_travel",
            date(2026, 2, 27),
            departure_date=date(2026, 3, 1),
            return_date=date(2026, 3, 20),
            destination_countries="THA|KHM",
        )
    flag_values = {"summary": "INTERNAL-SUMMARY travelled unnotified", **(flag_values or {})}
    flag = add_flag(
        s,
        offender,
        run,
        kind=kind,
        travel_pk=travel.id,
        link_id=link.id,
        match_probability=0.99912,
        notification_pk=notification.id if notification else None,
        **flag_values,
    )
    if decide:
        analyst = add_user(s, f"analyst-{uuid.uuid4().hex[:8]}", "analyst")
        decide_flag(s, Actor(analyst.name, "analyst", analyst.id), flag.id, decide, reason)
    return flag


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def unit_key(data_dir):
    return signing.init_keys(data_dir / "keys")


@pytest.fixture
def people(sessions):
    with transaction(sessions) as s:
        for name, role in (
            ("ada", "admin"),
            ("ann", "analyst"),
            ("sue", "supervisor"),
            ("liz", "liaison"),
        ):
            add_user(s, name, role)


@pytest.fixture
def cli(db_url, data_dir, people):
    runner = CliRunner()
    env = {**UNIT, "TRACKER_DATA_DIR": str(data_dir), "TRACKER_USER": ""}

    def invoke(*args, user: str | None = None):
        prefix = ["--db", db_url] + (["--user", user] if user else [])
        return runner.invoke(main, [*prefix, *[str(a) for a in args]], env=env)

    return invoke


@pytest.fixture
def flag_id(sessions, people) -> int:
    with transaction(sessions) as s:
        return confirmed_travel_flag(s).id


def build(cli, flag: int, out: Path, *extra, user="liz", mkdir=True):
    """``package build`` of ``flag`` into ``out`` (made with --mkdir unless ``mkdir=False``)."""
    extra = ("--mkdir", *extra) if mkdir else extra
    return cli(
        "package",
        "build",
        flag,
        "--country",
        "THA",
        "--out",
        out,
        "--reason",
        "travelling to THA unnotified; risk to children",
        *extra,
        user=user,
    )


def only_package(out: Path) -> Path:
    folders = [p for p in out.iterdir() if p.is_dir()]
    assert len(folders) == 1, list(out.iterdir())
    return folders[0]


# --- building ---------------------------------------------------------------------------------


def test_liaison_builds_a_package_for_a_confirmed_flag(cli, flag_id, unit_key, tmp_path):
    out = tmp_path / "out"
    result = build(cli, flag_id, out)
    assert result.exit_code == 0, result.output
    folder = only_package(out)
    assert uuid.UUID(folder.name).version == 4
    assert sorted(p.name for p in folder.iterdir()) == sorted(ZIP_ORDER)
    assert (out / f"{folder.name}.zip").is_file()
    assert f"flag {flag_id} is now actioned" in result.output
    assert "warning" not in result.output


def test_package_json_validates_against_the_model_and_the_published_schema(
    cli, flag_id, unit_key, tmp_path
):
    jsonschema = pytest.importorskip("jsonschema")
    out = tmp_path / "out"
    assert build(cli, flag_id, out).exit_code == 0
    raw = (only_package(out) / PACKAGE_JSON).read_bytes()
    document = IntelligencePackage.model_validate_json(raw)
    schema = json.loads(PUBLISHED_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(json.loads(raw))
    assert document.schema_version == "1.0"
    assert document.sending_unit.name == UNIT["TRACKER_UNIT_NAME"]
    assert document.sending_unit.contact == UNIT["TRACKER_UNIT_CONTACT"]
    assert document.recipient.country == "THA"
    assert document.recipient.agency == "INTERPOL NCB Thailand"
    assert document.created_by == "liz"
    assert "sections 72 to 78" in document.legal.basis
    assert "without the prior written authorisation" in document.legal.statement
    assert (document.grading.code, document.grading.handling) == ("1B", "P")
    assert document.grading.conditions is None


def test_package_carries_what_the_issue_lists(cli, flag_id, unit_key, tmp_path):
    out = tmp_path / "out"
    assert build(cli, flag_id, out).exit_code == 0
    p = json.loads((only_package(out) / PACKAGE_JSON).read_text(encoding="utf-8"))
    subject = p["subject"]
    assert (subject["family_name"], subject["given_names"]) == ("Okonkwo-Smith", "Daniel James")
    assert subject["aliases"] == [
        {"family_name": "Smith", "given_names": "Danny", "kind": "nickname"}
    ]
    assert subject["date_of_birth"] == "1979-04-02" and subject["sex"] == "M"
    assert subject["nationalities"] == ["GBR", "NGA"]
    assert [d["issuing_country"] for d in subject["passports"]] == ["GBR"]  # not the ID card
    assert subject["passports"][0]["number"].startswith("P")
    assert p["offence_category"] == "sexual offences against children"
    assert p["risk_level"] == "high"
    assert p["registration"]["status"] == "active"
    travel = p["travel"]
    assert (travel["carrier"], travel["flight_number"]) == ("TG", "TG917")
    assert (travel["departure_port"], travel["arrival_port"]) == ("LHR", "BKK")
    assert (travel["departure_country"], travel["arrival_country"]) == ("GBR", "THA")
    assert travel["departure_time"] == "2026-03-01T21:40:00Z"
    assert travel["notified"] is False and travel["declared"] is None
    assert travel["finding"] == "unnotified_travel"
    match = p["match"]
    assert match["probability"] == 0.9991
    assert [f["field"] for f in match["agreeing_fields"]] == [
        "family_name",
        "given_names",
        "date_of_birth",
        "document",
    ]  # sex's label is not the matcher's own, so it stays home; conflict never "agrees"
    assert match["confirmed_by_analyst_on"] is not None


def test_a_swapped_name_order_that_weighs_for_the_match_is_not_sent_and_builds(
    cli, sessions, unit_key, tmp_path
):
    """The matcher explains its name-order field too; the package schema has no such field, so
    the agreeing fields leave it out (it used to refuse the whole package)."""
    swapped = {
        "field": "name_order",
        "level": 1,
        "label": "family and given names swapped between fields",
        "weight": 4.1,
    }
    with transaction(sessions) as s:
        flag = confirmed_travel_flag(s)
        link = s.get(Link, flag.link_id)
        link.explanation = {**EXPLANATION, "fields": [*EXPLANATION["fields"], swapped]}
        flag_id = flag.id
    out = tmp_path / "out"
    result = build(cli, flag_id, out)
    assert result.exit_code == 0, result.output
    p = json.loads((only_package(out) / PACKAGE_JSON).read_text())
    assert "name_order" not in [f["field"] for f in p["match"]["agreeing_fields"]]


def test_a_notified_trip_carries_what_was_declared(cli, sessions, unit_key, tmp_path):
    with transaction(sessions) as s:
        flag = confirmed_travel_flag(s, kind="late_travel_notification", with_notification=True)
    out = tmp_path / "out"
    assert build(cli, flag.id, out).exit_code == 0
    travel = json.loads((only_package(out) / PACKAGE_JSON).read_text())["travel"]
    assert travel["notified"] is True
    assert travel["declared"] == {
        "notified_on": "2026-02-27",
        "departure_date": "2026-03-01",
        "return_date": "2026-03-20",
        "destination_countries": ["THA", "KHM"],
    }


def test_no_restricted_or_internal_value_leaves(cli, sessions, flag_id, unit_key, tmp_path):
    out = tmp_path / "out"
    assert build(cli, flag_id, out).exit_code == 0
    with transaction(sessions) as s:
        flag = s.get(Flag, flag_id)
        internal = [
            flag.offender.offender_id,
            flag.summary,
            flag.rule,
            flag.offender.public_id,
            "matches passport and DOB",
            "travelling to THA unnotified",
            "api-test",
            "INTERNAL-LABEL-NOT-IN-VOCABULARY",
            "OKONKWO SMITH",
        ]
        id_card = [d.doc_number for d in flag.offender.documents if d.doc_type == "I"]
    blobs = _package_blobs(out)
    for value in [*RESTRICTED.values(), *internal, *id_card]:
        for form in _forms(value):
            assert all(form.encode() not in blob for blob in blobs), value


def test_handling_c_carries_its_conditions(cli, flag_id, unit_key, tmp_path):
    out = tmp_path / "out"
    conditions = "Not for court use without consent"
    result = build(
        cli,
        flag_id,
        out,
        "--grading",
        "2c",
        "--handling",
        "C",
        "--conditions",
        conditions,
        "--agency",
        "Royal Thai Police",
    )
    assert result.exit_code == 0, result.output
    folder = only_package(out)
    p = json.loads((folder / PACKAGE_JSON).read_text())
    assert p["grading"] == {
        "source": "2",
        "intelligence": "C",
        "code": "2C",
        "handling": "C",
        "conditions": "Not for court use without consent",
    }
    assert p["recipient"]["agency"] == "Royal Thai Police"
    page = (folder / SUMMARY_HTML).read_text()
    assert "Not for court use without consent" in page and "known indirectly" in page


@pytest.mark.parametrize(
    ("extra", "option", "said"),
    [
        (("--country", "XYZ"), "--country", "'XYZ' is not an ISO 3166-1 alpha-3"),
        (("--country", "TH"), "--country", "not an ISO 3166-1 alpha-3"),
        (("--country", "gbr"), "--country", "GBR is the unit's own country"),
        (("--grading", "4A"), "--grading", "'4A' is not a 3x5x2 grading"),
        (("--grading", "1F"), "--grading", "not a 3x5x2 grading"),
        (("--handling", "X"), "--handling", "'X' is not a handling code"),
        (("--handling", "C"), "--conditions", "handling code C needs --conditions"),
        (("--conditions", "x"), "--conditions", "handling code C only"),
        (("--reason", "  "), "--reason", "a reason is required"),
    ],
)
def test_bad_options_are_usage_errors(cli, flag_id, unit_key, tmp_path, extra, option, said):
    out = tmp_path / "out"
    args = {
        "--country": "THA",
        "--reason": "why",
        **dict(zip(extra[::2], extra[1::2], strict=True)),
    }
    flat = [item for pair in args.items() for item in pair]
    result = cli("package", "build", flag_id, "--out", out, *flat, user="liz")
    assert result.exit_code == 2, result.output
    assert option in result.output and said in result.output
    assert not out.exists()


def test_a_missing_out_folder_is_refused_unless_mkdir(cli, flag_id, unit_key, tmp_path, sessions):
    out = tmp_path / "missing" / "out"
    refused = build(cli, flag_id, out, user="liz", mkdir=False)
    assert refused.exit_code == 1
    assert f"folder {out} does not exist (give --mkdir to create it)" in refused.output
    assert not out.exists() and not (tmp_path / "missing").exists()
    with transaction(sessions) as s:  # nothing built, nothing disclosed
        assert s.get(Flag, flag_id).status == "confirmed"
    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert "is a file" in build(cli, flag_id, a_file, mkdir=False).output  # click says so
    out.parent.mkdir()
    out.mkdir()
    made = build(cli, flag_id, out, mkdir=False)
    assert made.exit_code == 0, made.output
    assert only_package(out).is_dir()


def test_reason_is_required(cli, flag_id, unit_key, tmp_path):
    result = cli(
        "package", "build", flag_id, "--country", "THA", "--out", tmp_path / "o", user="liz"
    )
    assert result.exit_code == 2 and "--reason" in result.output


def test_another_country_than_the_arrival_is_allowed_with_a_warning(
    cli, flag_id, unit_key, tmp_path
):
    out = tmp_path / "out"
    result = cli(
        "package",
        "build",
        flag_id,
        "--country",
        "KHM",
        "--out",
        out,
        "--reason",
        "onward travel to Cambodia is known",
        "--mkdir",
        user="liz",
    )
    assert result.exit_code == 0, result.output
    assert f"warning: flag {flag_id}'s travel arrived in THA, but the package goes to KHM" in (
        result.stderr
    )
    p = json.loads((only_package(out) / PACKAGE_JSON).read_text())
    assert p["recipient"]["agency"] == "INTERPOL NCB Cambodia"


def test_travel_document_country_codes_pass_and_d_is_germany(cli, sessions, unit_key, tmp_path):
    with transaction(sessions) as s:
        flag = confirmed_travel_flag(
            s,
            offender_values={"nationalities": "GBN"},
            travel_values={"arrival_country": "D", "arrival_port": "FRA"},
        )
    out = tmp_path / "out"
    result = cli(
        "package",
        "build",
        flag.id,
        "--country",
        "DEU",
        "--out",
        out,
        "--reason",
        "travelling to Germany unnotified",
        "--mkdir",
        user="liz",
    )
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    p = json.loads((only_package(out) / PACKAGE_JSON).read_text())
    assert p["travel"]["arrival_country"] == "D" and p["subject"]["nationalities"] == ["GBN"]
    assert p["recipient"]["agency"] == "INTERPOL NCB Germany"


def test_data_that_does_not_fit_the_schema_builds_nothing(cli, sessions, unit_key, tmp_path):
    with transaction(sessions) as s:
        flag = confirmed_travel_flag(s, travel_values={"departure_country": "gb1"})
    out = tmp_path / "out"
    result = build(cli, flag.id, out)
    assert result.exit_code == 1
    assert f"flag {flag.id}: the data does not fit package schema 1.0" in result.output
    assert "travel: departure_country: String should match pattern" in result.output
    _assert_nothing_happened(sessions, flag.id, out)


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["ann", "sue", "ada"])
def test_only_liaison_officers_build(cli, sessions, flag_id, unit_key, tmp_path, user):
    out = tmp_path / "out"
    result = build(cli, flag_id, out, user=user)
    assert result.exit_code == 1
    assert f"user {user!r}" in result.output and "allowed roles: liaison" in result.output
    _assert_nothing_happened(sessions, flag_id, out)


def test_an_unknown_or_missing_user_is_refused(cli, sessions, flag_id, unit_key, tmp_path):
    out = tmp_path / "out"
    assert "unknown user 'mallory'" in build(cli, flag_id, out, user="mallory").output
    assert "needs the acting person" in build(cli, flag_id, out, user=None).output
    _assert_nothing_happened(sessions, flag_id, out)


@pytest.mark.parametrize(
    ("decide", "status"), [(None, "open"), ("dismiss", "dismissed"), ("escalate", "open")]
)
def test_unconfirmed_flags_are_refused(cli, sessions, unit_key, tmp_path, decide, status):
    with transaction(sessions) as s:
        flag = confirmed_travel_flag(s, decide=decide)
    out = tmp_path / "out"
    result = build(cli, flag.id, out)
    assert result.exit_code == 1
    assert f"flag {flag.id} (unnotified_travel) is {status}" in result.output
    assert "only a flag an analyst or supervisor confirmed" in result.output
    _assert_nothing_happened(sessions, flag.id, out, status=status)


def test_resolved_flags_are_refused(cli, sessions, unit_key, tmp_path):
    with transaction(sessions) as s:
        flag = confirmed_travel_flag(s, decide=None, flag_values={"status": "resolved"})
    result = build(cli, flag.id, tmp_path / "out")
    assert result.exit_code == 1 and "is resolved" in result.output


def test_flags_without_travel_are_refused(cli, sessions, unit_key, tmp_path):
    with transaction(sessions) as s:
        flag = add_flag(s, add_offender(s), add_run(s), kind="overdue_periodic", status="confirmed")
    result = build(cli, flag.id, tmp_path / "out")
    assert result.exit_code == 1
    assert f"flag {flag.id} (overdue_periodic, confirmed) has no travel record" in result.output


def test_a_missing_flag_is_named(cli, unit_key, tmp_path):
    result = build(cli, 987654, tmp_path / "out")
    assert result.exit_code == 1 and "no flag with id 987654" in result.output


def test_building_twice_is_refused_as_already_actioned(cli, sessions, flag_id, unit_key, tmp_path):
    assert build(cli, flag_id, tmp_path / "one").exit_code == 0
    again = build(cli, flag_id, tmp_path / "two")
    assert again.exit_code == 1
    assert f"flag {flag_id} (unnotified_travel) is already actioned: package " in again.output
    assert "went to THA" in again.output
    assert not (tmp_path / "two").exists() or not any((tmp_path / "two").iterdir())
    with transaction(sessions) as s:
        assert len(s.scalars(select(Package)).all()) == 1


def test_without_a_signing_key_nothing_is_built(cli, sessions, flag_id, tmp_path):
    out = tmp_path / "out"
    result = build(cli, flag_id, out)
    assert result.exit_code == 1 and "tracker keys init" in result.output
    _assert_nothing_happened(sessions, flag_id, out)


# --- what the build records -------------------------------------------------------------------


def test_the_build_is_a_disclosure_in_the_audit_trail(cli, sessions, flag_id, unit_key, tmp_path):
    out = tmp_path / "out"
    assert build(cli, flag_id, out, "--agency", "Royal Thai Police").exit_code == 0
    package_id = only_package(out).name
    with transaction(sessions) as s:
        flag = s.get(Flag, flag_id)
        assert flag.status == "actioned"
        package = s.scalars(select(Package)).one()
        assert (package.package_uid, package.flag_id) == (package_id, flag_id)
        assert (package.destination_country, package.destination_agency) == (
            "THA",
            "Royal Thai Police",
        )
        assert package.key_id == unit_key.key_id
        assert Path(package.path) == (out / package_id).resolve()
        zip_data = (out / f"{package_id}.zip").read_bytes()
        assert package.zip_sha256 == hashlib.sha256(zip_data).hexdigest()
        disclosure = s.scalars(select(Disclosure)).one()
        assert disclosure.package_id == package.id
        assert (disclosure.recipient_country, disclosure.recipient_agency) == (
            "THA",
            "Royal Thai Police",
        )
        assert disclosure.justification.startswith("travelling to THA unnotified")
        assert "subject.family_name" in disclosure.fields_sent
        assert "subject.passports[].number" in disclosure.fields_sent
        assert not any("address" in f or "postcode" in f for f in disclosure.fields_sent)
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "disclosure")).all()
        assert len(events) == 1
        event = events[0]
        assert (event.actor, event.object_type, event.object_id) == ("liz", "package", package_id)
        assert event.justification == disclosure.justification
        assert event.details["recipient_country"] == "THA"
        assert event.details["recipient_agency"] == "Royal Thai Police"
        assert event.details["flag_id"] == flag_id
        assert event.details["flag_status"] == "confirmed -> actioned"
        assert event.details["fields_sent"] == disclosure.fields_sent
        assert verify_chain(s).intact


def test_package_files_are_owner_only(cli, flag_id, unit_key, tmp_path):
    out = tmp_path / "out"
    assert build(cli, flag_id, out).exit_code == 0
    folder = only_package(out)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in [*folder.iterdir(), out / f"{folder.name}.zip"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_the_folders_a_build_creates_are_owner_only_whatever_the_umask(
    cli, flag_id, unit_key, tmp_path
):
    out = tmp_path / "made" / "out"
    previous = os.umask(0o002)
    try:
        assert build(cli, flag_id, out).exit_code == 0
    finally:
        os.umask(previous)
    for folder in (tmp_path / "made", out, only_package(out)):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_the_web_packages_folder_of_an_earlier_version_is_made_owner_only(tmp_path):
    from tracker.reports.package_folder import tighten_own_folder

    folder = tmp_path / "packages"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    tighten_own_folder(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_the_zip_is_deterministic_with_the_three_files_at_fixed_paths(
    cli, flag_id, unit_key, tmp_path
):
    out = tmp_path / "out"
    assert build(cli, flag_id, out).exit_code == 0
    folder = only_package(out)
    data = (out / f"{folder.name}.zip").read_bytes()
    with zipfile.ZipFile(out / f"{folder.name}.zip") as archive:
        assert archive.namelist() == list(ZIP_ORDER)
        assert {info.date_time for info in archive.infolist()} == {ZIP_TIMESTAMP}
        for name in ZIP_ORDER:
            assert archive.read(name) == (folder / name).read_bytes()
    assert zip_bytes({name: (folder / name).read_bytes() for name in ZIP_ORDER}) == data


def test_summary_escapes_everything_and_loads_nothing_from_outside(
    cli, sessions, unit_key, tmp_path
):
    nasty = "<script>alert('x')</script>"
    with transaction(sessions) as s:
        flag = confirmed_travel_flag(
            s,
            offender_values={
                "family_name": nasty,
                "given_names": '"><img src=x onerror=alert(1)>',
                "offence_category": "{{ 7*7 }} <b>bold</b>",
            },
        )
    out = tmp_path / "out"
    assert build(cli, flag.id, out).exit_code == 0
    page = (only_package(out) / SUMMARY_HTML).read_text(encoding="utf-8")
    assert "<script" not in page and "<img" not in page and "<b>bold" not in page
    assert html.escape(nasty, quote=True) in page or "&lt;script&gt;" in page
    assert "{{ 7*7 }}" in page  # shown as typed, never evaluated
    tags = _tags(page)
    assert {name for name, _ in tags} <= {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "div",
        "h1",
        "h2",
        "table",
        "tr",
        "th",
        "td",
        "p",
        "section",
        "span",
        "strong",
        "br",
        "footer",
    }
    linking = {"src", "href", "srcset", "action", "background", "poster", "data", "formaction"}
    assert not [(name, attrs) for name, attrs in tags if linking & {a for a, _ in attrs}]
    style = page[page.index("<style>") : page.index("</style>")]
    assert "url(" not in style and "@import" not in style and "//" not in style
    assert "default-src 'none'" in page and "@media print" in page


# --- verify and list through the CLI ----------------------------------------------------------


def test_verify_passes_for_the_folder_and_the_zip(cli, flag_id, unit_key, tmp_path):
    out = tmp_path / "out"
    assert build(cli, flag_id, out).exit_code == 0
    folder = only_package(out)
    for path in (folder, out / f"{folder.name}.zip"):
        result = cli("package", "verify", path)
        assert result.exit_code == 0, result.output
        assert "intact" in result.output and unit_key.key_id in result.output


def test_verify_names_what_failed_and_exits_1(cli, flag_id, unit_key, tmp_path):
    out = tmp_path / "out"
    assert build(cli, flag_id, out).exit_code == 0
    folder = only_package(out)
    page = folder / SUMMARY_HTML
    os.chmod(page, 0o600)
    page.write_bytes(page.read_bytes().replace(b"Okonkwo", b"Okonkwa", 1))
    result = cli("package", "verify", folder)
    assert result.exit_code == 1
    assert "NOT intact (1 problem)" in result.output
    assert "summary.html was altered: its SHA-256 is" in result.output


def test_verify_with_a_partners_copy_of_the_key(cli, flag_id, unit_key, tmp_path):
    out = tmp_path / "out"
    assert build(cli, flag_id, out).exit_code == 0
    folder = only_package(out)
    exported = cli("keys", "export-public")
    assert exported.exit_code == 0
    partner_copy = tmp_path / "unit.pub.pem"
    partner_copy.write_text(exported.stdout)
    assert cli("package", "verify", folder, "--public-key", partner_copy).exit_code == 0
    other = signing.init_keys(tmp_path / "other-keys")
    result = cli("package", "verify", folder, "--public-key", other.public_path)
    assert result.exit_code == 1
    assert f"unknown key id {unit_key.key_id}" in result.output
    assert other.key_id in result.output
    junk = tmp_path / "junk.pem"
    junk.write_text("not a key")
    bad = cli("package", "verify", folder, "--public-key", junk)
    assert bad.exit_code == 2 and "not a PEM public key" in bad.output


def test_verify_still_trusts_a_replaced_unit_key(cli, flag_id, unit_key, data_dir, tmp_path):
    out = tmp_path / "out"
    assert build(cli, flag_id, out).exit_code == 0
    assert cli("keys", "init", "--force", user="liz").exit_code == 0
    assert cli("package", "verify", only_package(out)).exit_code == 0


def test_verify_without_any_key_says_how_to_get_one(cli, tmp_path):
    folder = tmp_path / "pkg"
    folder.mkdir()
    result = cli("package", "verify", folder)
    assert result.exit_code == 1 and "--public-key" in result.output


def test_package_list_shows_the_packages_and_is_logged(cli, sessions, flag_id, unit_key, tmp_path):
    out = tmp_path / "out"
    assert cli("package", "list", user="liz").output.strip() == "no packages yet"
    assert build(cli, flag_id, out).exit_code == 0
    package_id = only_package(out).name
    table = cli("package", "list", user="sue")
    assert table.exit_code == 0, table.output
    assert package_id in table.output and "INTERPOL NCB Thailand" in table.output
    rows = json.loads(
        cli("package", "list", "--format", "json", "--country", "tha", user="ada").output
    )
    assert [(r["package_id"], r["flag_id"], r["country"], r["created_by"]) for r in rows] == [
        (package_id, flag_id, "THA", "liz")
    ]
    assert (
        json.loads(
            cli("package", "list", "--format", "json", "--flag", flag_id + 1, user="liz").output
        )
        == []
    )
    refused = cli("package", "list", user="ann")
    assert refused.exit_code == 1 and "may not package.list" in refused.output
    with transaction(sessions) as s:
        listed = s.scalars(select(AuditEvent).where(AuditEvent.object_type == "packages")).all()
        assert [e.actor for e in listed] == ["liz", "sue", "ada", "liz"]


# --- the allow-list, property-based -----------------------------------------------------------

_TEXT = st.characters(codec="utf-8", exclude_characters="\x00")
ADVERSARIAL = st.one_of(
    st.sampled_from(
        [
            "'; DROP TABLE offenders; --",
            "<script>alert(1)</script>",
            '" onmouseover="alert(1)',
            "Robert'); DELETE FROM flags;--",
            "{{ config }}",
            "{% include 'x' %}",
            "${jndi:x}",
            "\u202eevil",
            "Zoë Ångström-Øre",
            "東京都港区",
            "ул. Тверская 7",
            "\\u003cscript",
            "&lt;b&gt;",
            "\r\n\t",
            "=cmd|' /C calc'!A0",
        ]
    ),
    st.text(_TEXT, max_size=24),
)
SHORT_ADVERSARIAL = st.one_of(
    st.sampled_from(["<b>", "';--", '"><', "Ø", "区"]), st.text(_TEXT, max_size=4)
)
# Postcodes are at most 20 characters (the column and the ingest rule), so the short part
# plus the marker must stay within 20.
# A marker no package could contain by chance: sixteen upper-case consonants. (Ten were too
# few: the base64 signature in the manifest held a ten-letter run by chance about once in five
# test runs.)
MARKER_LENGTH = 16
MARKER = st.text(alphabet="BCDFGHJKLMNPQRSTVWXZ", min_size=MARKER_LENGTH, max_size=MARKER_LENGTH)


@st.composite
def restricted_values(draw) -> tuple[dict[str, str], list[str]]:
    """Restricted and internal values, each carrying a marker that finds it in any file."""
    markers: list[str] = []

    def marked(around=ADVERSARIAL) -> str:
        markers.append(draw(MARKER))
        return draw(around) + markers[-1] + draw(around)

    values = {
        "address_line": marked(),
        "postcode": draw(SHORT_ADVERSARIAL) + draw(MARKER),
        "description": marked(),
        "last_known_area": marked(),
        "managing_force": marked(),
        "photo_ref": marked(),
        "summary": marked(),
        "rule": marked(),
        "decision_reason": marked(),
        "justification": marked(),
        "offender_id": f"VR-{uuid.uuid4().hex[:12]}",
        "record_id": f"R-{uuid.uuid4().hex[:12]}",
    }
    markers.append(values["postcode"][-MARKER_LENGTH:])
    return values, markers


@given(drawn=restricted_values(), name=ADVERSARIAL)
@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_restricted_value_reaches_any_byte_of_any_file(
    sessions, people, unit_key, data_dir, tmp_path, drawn, name
):
    values, markers = drawn
    # The family name is meant to reach the package: one that holds a marker by chance (the
    # shrinker makes both "BBBB...") would be reported as a leak that is not one.
    assume(not any(marker in name for marker in markers))
    offender_fields = (
        "address_line",
        "postcode",
        "description",
        "last_known_area",
        "managing_force",
        "photo_ref",
        "offender_id",
    )
    out = tmp_path / uuid.uuid4().hex
    with transaction(sessions) as s:
        flag = confirmed_travel_flag(
            s,
            offender_values={**{k: values[k] for k in offender_fields}, "family_name": name},
            reason=values["decision_reason"],
            travel_values={"record_id": values["record_id"]},
            flag_values={"summary": values["summary"], "rule": values["rule"]},
        )
        request = make_request(
            flag_id=flag.id, country="THA", out_dir=out, reason=values["justification"]
        )
        unit = Settings(
            database=DatabaseSettings(url="sqlite://"),
            data_dir=data_dir,
            unit_name="Unit",
            unit_contact="desk",
        )
        built = build_package(s, _liaison(s), request, unit)
    blobs = _package_blobs(out)
    assert len(blobs) == 4  # package.json, summary.html, manifest.json and the zip
    for needle in [*markers, values["offender_id"], values["record_id"]]:
        assert all(needle.encode() not in blob for blob in blobs), needle
    for value in values.values():
        for form in _forms(value):
            if len(form) >= 12:
                assert all(form.encode() not in blob for blob in blobs), value
    assert json.loads((built.folder / PACKAGE_JSON).read_text())["subject"]["family_name"] == name
    trusted = trusting(signing.unit_public_key(data_dir / "keys"))
    assert verify_package(built.folder, trusted).intact
    assert verify_package(built.zip_path, trusted).intact


# --- helpers ----------------------------------------------------------------------------------


def _liaison(s) -> Actor:
    user = s.scalars(select(User).where(User.name == "liz")).one()
    return Actor(user.name, user.role, user.id)


def _package_blobs(out: Path) -> list[bytes]:
    folder = only_package(out)
    blobs = [path.read_bytes() for path in sorted(folder.iterdir())]
    blobs.append((out / f"{folder.name}.zip").read_bytes())
    return blobs


def _tags(page: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every start tag of a page and its attributes, as a browser's parser sees them."""
    found = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Collector().feed(page)
    return found


def _forms(value: str) -> set[str]:
    """The ways a value could show up in a file: as is, JSON-escaped, HTML-escaped."""
    return {
        value,
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        html.escape(value),
        html.escape(value, quote=False),
    }


def _assert_nothing_happened(sessions, flag_id: int, out: Path, status: str = "confirmed"):
    assert not out.exists() or not any(out.iterdir())
    with transaction(sessions) as s:
        assert s.get(Flag, flag_id).status == status
        assert s.scalars(select(Package)).all() == []
        assert s.scalars(select(Disclosure)).all() == []
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "disclosure")).all() == []
