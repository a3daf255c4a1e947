"""`review show`: the evidence side by side for swapped names, aliases and transliterations,
from links the real matcher made; and the consultation it logs."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from click.testing import CliRunner
from factories import add_alias, add_flag, add_notification, add_user, load_population
from sqlalchemy import select

from tracker.cli import main
from tracker.db import transaction
from tracker.matching.settings import LinkSettings
from tracker.models import AuditEvent, Link, Offender, Run, TravelRecord
from tracker.services.linking import run_matching

HARD = {
    "swapped": ("PEMBERTON-OYELARAN", "ZEBEDEE", "1977-09-08", "ZEBEDEE", "PEMBERTON-OYELARAN"),
    "alias": ("KALINOWSKA", "BRONISLAWA", "1969-04-12", "ZIELINSKA", "BRONISLAWA"),
    "translit": ("Жуковский", "Юрий", "1979-06-17", "ZHUKOVSKII", "IURII"),
}


@pytest.fixture
def linked_flags(sessions, population):
    with transaction(sessions) as s:
        load_population(s, population)
        add_user(s, "ann", "analyst")
        flags = {}
        for case, (family, given, born, t_family, t_given) in HARD.items():
            offender = Offender(
                offender_id=f"VR-HARD-{case}",
                family_name=family,
                given_names=given,
                date_of_birth=date.fromisoformat(born),
                requirement_start=date(2020, 1, 1),
                notification_period="indefinite",
                managing_force="Test Constabulary",
                public_id=f"hard-{case}",
                sex="M",
            )
            s.add(offender)
            s.flush()
            if case == "alias":
                add_alias(s, offender, "Zielinska", "Bronislawa", "previous_name")
            add_notification(s, offender, "periodic", date(2026, 1, 5))
            s.add(
                TravelRecord(
                    source="api-test",
                    record_id=f"hard-{case}",
                    family_name=t_family,
                    given_names=t_given,
                    date_of_birth=date.fromisoformat(born),
                    sex="M",
                    direction="out",
                    departure_country="GBR",
                    arrival_country="THA",
                    departure_time=datetime(2026, 3, 1, 6, 40, tzinfo=UTC),
                    departure_local_date=date(2026, 3, 1),
                )
            )
        run = Run(as_of=date(2026, 3, 10))
        s.add(run)
        s.flush()
        run_matching(s, run, LinkSettings(u_sample_pairs=20_000))
        for case in HARD:
            travel = s.scalars(select(TravelRecord).filter_by(record_id=f"hard-{case}")).one()
            link = s.scalars(select(Link).filter_by(travel_pk=travel.id)).one()
            offender = s.get(Offender, link.offender_pk)
            assert offender.offender_id == f"VR-HARD-{case}"
            flags[case] = add_flag(
                s,
                offender,
                run,
                travel_pk=travel.id,
                link_id=link.id,
                match_probability=link.match_probability,
            ).id
    return flags


def _show(db_url, flag_id):
    result = CliRunner().invoke(
        main, ["--db", db_url, "--user", "ann", "review", "show", str(flag_id)]
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_show_explains_a_swapped_name(db_url, linked_flags):
    output = _show(db_url, linked_flags["swapped"])
    assert "swapped by the carrier" in output
    assert "PEMBERTON-OYELARAN" in output
    assert "total match weight" in output and "probability" in output


def test_show_names_the_alias_that_matched(db_url, linked_flags):
    output = _show(db_url, linked_flags["alias"])
    assert "also known as (previous_name): Zielinska, Bronislawa" in output
    assert "name compared: previous_name ZIELINSKA, BRONISLAWA" in output


def test_show_sets_a_cyrillic_register_name_beside_its_romanisation(db_url, linked_flags):
    output = _show(db_url, linked_flags["translit"])
    assert "Жуковский" in output and "ZHUKOVSKII" in output
    assert "exact" in output  # the ICAO spelling of the register name agrees exactly
    assert "periodic" in output  # the notification timeline


def test_opening_a_flag_is_logged_as_a_consultation(db_url, sessions, linked_flags):
    _show(db_url, linked_flags["alias"])
    with transaction(sessions) as s:
        event = s.scalars(select(AuditEvent).filter_by(action="consultation")).one()
        assert (event.actor, event.object_type, event.object_id) == (
            "ann",
            "flag",
            str(linked_flags["alias"]),
        )


def test_adjustments_of_the_total_are_shown_as_rows_of_their_own():
    from types import SimpleNamespace

    from tracker.review.evidence import _comparison_rows
    from tracker.schemas.explanation import LinkExplanation

    offender = SimpleNamespace(
        family_name="Novak", given_names="Petra", date_of_birth=None, sex="F", nationalities="CZE"
    )
    travel = SimpleNamespace(
        family_name="NOVAK",
        given_names="PETRA",
        date_of_birth=None,
        doc_type=None,
        doc_number=None,
        doc_issuing_country=None,
        sex="F",
        nationality="CZE",
    )
    explanation = LinkExplanation.from_json(
        {
            "prior_weight": -11.7,
            "fields": [
                {"field": "family_name", "level": 3, "label": "exact", "weight": 9.0},
                {
                    "field": "name_order",
                    "level": 0,
                    "label": "whole name in one field",
                    "weight": 0.4,
                },
                {
                    "field": "name_frequency",
                    "level": None,
                    "label": "whole name shared",
                    "weight": -7.5,
                },
                {"field": "conflict", "level": None, "label": "conflict", "weight": -2.0},
            ],
            "total_weight": -11.8,
            "probability": 0.000281,
            "name_used": {"source": "register name", "family": "NOVAK", "given": "PETRA"},
            "order_swapped": False,
        }
    )
    rows = {row["field"]: row for row in _comparison_rows(offender, [], travel, explanation)}
    assert rows["name_frequency"]["weight"] == -7.5
    assert rows["name_frequency"]["label"] == "name frequency"
    assert rows["conflict"]["weight"] == -2.0
    assert rows["given_names"]["level"] == "not compared"
    # the name-order level weighs the whole name: a row of its own, in the analyst's words
    assert (rows["name_order"]["level"], rows["name_order"]["weight"]) == (
        "whole name in one field",
        0.4,
    )
