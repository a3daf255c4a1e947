"""One offender's record: every section gathered for the page and the CLI, the opening logged
once, and nothing shown that the reader's role may not read elsewhere."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from factories import (
    add_alias,
    add_document,
    add_flag,
    add_link,
    add_notification,
    add_offender,
    add_run,
    add_travel,
    add_user,
)
from sqlalchemy import select

from tracker.db import transaction
from tracker.models import AuditEvent, Package
from tracker.services.feed import approve_publication, withdraw_publication
from tracker.services.offenders import OffenderNotFound, show_offender
from tracker.services.review import decide_flag, show_flag

READERS = ("ann", "sue", "liz")


@pytest.fixture
def record(sessions) -> dict:
    """An offender with an alias, a document, two notifications, two linked journeys (one of
    them in an older run only), a decided flag with a package sent, an open flag, and a
    publication approved then withdrawn; another offender's flag beside it."""
    with transaction(sessions) as s:
        users = {
            name: add_user(s, name, role)
            for name, role in (("ann", "analyst"), ("sue", "supervisor"), ("liz", "liaison"))
        }
        add_user(s, "ada", "admin")
        offender = add_offender(
            s,
            offender_id="VR-REC-1",
            family_name="Recordperson",
            offence_category="restricted-category",
            address_line="1 Hidden Close",
            status="wanted",
            wanted_since=date(2026, 2, 1),
        )
        add_alias(s, offender, "Formerly", "Alexa", "previous_name")
        add_document(s, offender, "123456789")
        add_notification(s, offender, "periodic", date(2026, 1, 5))
        add_notification(
            s,
            offender,
            "foreign_travel",
            date(2026, 2, 20),
            departure_date=date(2026, 3, 1),
            destination_countries="THA",
        )
        old_run, run = add_run(s, date(2026, 3, 9)), add_run(s, date(2026, 3, 10))
        trip = add_travel(s, departure_port="LHR", arrival_port="BKK")
        later = add_travel(s, departure_time=datetime(2026, 3, 8, 9, 0, tzinfo=UTC))
        older_only = add_travel(s)
        add_link(s, old_run, older_only, offender, 0.99)
        add_link(s, run, trip, offender, 0.999)
        add_link(s, run, later, offender, 0.62, band="review")
        decided = add_flag(s, offender, run, travel_pk=trip.id, detected_on=date(2026, 3, 2))
        open_flag = add_flag(s, offender, run, travel_pk=later.id, severity="medium")
        other = add_flag(s, add_offender(s), run, summary="someone else")
        s.add(
            Package(
                package_uid="pkg-0001",
                flag_id=decided.id,
                destination_country="THA",
                grading="1A",
                handling="P",
                created_by=users["liz"].id,
                path="/nowhere/pkg-0001",
                zip_sha256="0" * 64,
                key_id="k1",
            )
        )
        ids = {"decided": decided.id, "open": open_flag.id, "other": other.id}
    with transaction(sessions) as s:
        decide_flag(s, "ann", ids["decided"], "confirm", "seen at the gate")
        approve_publication(
            s, "sue", "VR-REC-1", "enquiries exhausted", public_description="tall", public_area="X"
        )
        withdraw_publication(s, "sue", "VR-REC-1", "found")
        show_flag(s, "ann", ids["other"])
    return ids


def _opened(sessions, who: str):
    with transaction(sessions) as s:
        return show_offender(s, who, "VR-REC-1")


def test_the_record_gathers_every_section(sessions, record):
    r = _opened(sessions, "sue")
    assert r.offender.offender_id == "VR-REC-1"
    assert [(a.family_name, a.kind) for a in r.aliases] == [("Formerly", "previous_name")]
    assert [d.doc_number for d in r.documents] == ["123456789"]
    assert [n.kind for n in r.notifications] == ["foreign_travel", "periodic"]  # newest first
    # the latest run's links only, newest journey first, with band, probability and flags
    assert [(t["band"], round(t["match_probability"], 3), t["flags"]) for t in r.travel] == [
        ("review", 0.62, [record["open"]]),
        ("match", 0.999, [record["decided"]]),
    ]
    assert r.travel[1]["route"] == "LHR → BKK"
    assert [f["flag_id"] for f in r.flags] == [record["open"], record["decided"]]
    decided = r.flags[1]
    assert decided["status"] == "confirmed"
    assert [(d["by"], d["decision"], d["reason"]) for d in decided["decisions"]] == [
        ("ann", "confirm", "seen at the gate")
    ]
    assert r.flags[0]["decisions"] == []
    assert [(h["change"], h["by"]) for h in r.publication_history] == [
        ("withdrawn", "sue"),
        ("approved", "sue"),
    ]
    assert r.publication is not None and r.publication.state == "withdrawn"
    assert [(p["package_id"], p["sent_by"], p["flag_id"]) for p in r.packages] == [
        ("pkg-0001", "liz", record["decided"])
    ]


def test_opening_the_record_is_one_consultation(sessions, record):
    for who in READERS:
        _opened(sessions, who)
    with transaction(sessions) as s:
        entries = s.scalars(
            select(AuditEvent).filter_by(object_type="offender", action="consultation")
        ).all()
        assert [(e.actor, e.object_id, e.justification) for e in entries] == [
            (who, "VR-REC-1", "offender record opened") for who in READERS
        ]
        assert entries[0].details == {"flags": 2}


def test_restricted_fields_follow_the_flag_page(sessions, record):
    shown = {who: _opened(sessions, who).restricted_shown for who in READERS}
    with transaction(sessions) as s:
        on_flag = {who: show_flag(s, who, record["decided"]).restricted_shown for who in READERS}
    assert shown == on_flag == {"ann": set(), "sue": set(), "liz": {"offence_category"}}


def test_packages_publication_reasons_and_audit_only_for_roles_that_read_them(sessions, record):
    views = {who: _opened(sessions, who) for who in READERS}
    assert views["ann"].publication_history is None  # the approvals are the supervisors'
    assert views["liz"].publication_history is None
    assert views["ann"].publication is not None  # on the feed or not is public
    assert views["ann"].packages is None  # analysts do not list packages anywhere
    assert views["liz"].packages is not None and views["sue"].packages is not None
    assert views["ann"].audit is None and views["liz"].audit is None
    audit = views["sue"].audit
    assert audit is not None
    about = {(e.action, e.object) for e in audit}
    # the record's own openings (this one included), its flags' decisions and publication
    assert ("consultation", "offender:VR-REC-1") in about
    assert ("decision", f"flag:{record['decided']}") in about
    assert ("publication", "offender:VR-REC-1") in about
    # another offender's flag is not about this record
    assert all(e.object != f"flag:{record['other']}" for e in audit)
    assert audit[0].actor == "sue" and audit[0].action == "consultation"  # newest first


def test_an_unknown_reference_is_refused_and_not_logged(sessions, record):
    with transaction(sessions) as s, pytest.raises(OffenderNotFound, match="VR-NOBODY"):
        show_offender(s, "ann", "VR-NOBODY")
    with transaction(sessions) as s:
        assert not s.scalars(select(AuditEvent).filter_by(object_id="VR-NOBODY")).all()
