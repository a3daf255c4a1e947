"""Issue 19, finding 1: the public feed carried restricted facts when they were paraphrased.

The feed now publishes only the text a supervisor approved for the public, and screens it,
the aliases and the name on normalised tokens. These tests pin that down: the red team's
paraphrases are found, every generated paraphrase is refused at approval and withheld at
build (JSON, Atom and the supervisors' preview), and plain descriptions still pass.
"""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import pytest
from factories import add_alias, add_document, add_offender, add_user
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paraphrases import (
    harmless_areas,
    harmless_descriptions,
    mixed,
    paraphrases,
    registers,
)
from sqlalchemy import select

from tracker.access.people import Actor
from tracker.db import transaction
from tracker.models import Publication
from tracker.reports.feed import build_feed, render_json
from tracker.reports.feed_approvals import FeedError, PublicText
from tracker.reports.feed_atom import render_atom
from tracker.reports.feed_screen import RestrictedFacts, screen
from tracker.services.feed import approve_publication
from tracker.settings import FeedSettings
from tracker.web.routes.supervisors import _would_show

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
APPROVED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
BASE = "https://www.example.police.uk/most-wanted"
FACTS = RestrictedFacts(
    register_reference="VR-0004711",
    date_of_birth=date(1981, 3, 14),
    address_line="Flat 2, 12 Mill Lane, Harbourtown",
    postcode="HT4 9QX",
    document_numbers=("533401372",),
    offence_category="sexual offences against children",
    risk_level="very_high",
)
REGISTER = {
    "offender_id": "VR-0004711",
    "date_of_birth": date(1981, 3, 14),
    "address_line": "Flat 2, 12 Mill Lane, Harbourtown",
    "postcode": "HT4 9QX",
    "offence_category": "sexual offences against children",
    "risk_level": "very_high",
    "status": "wanted",
    "wanted_since": date(2026, 3, 1),
}
SLOW = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def supervisor(sessions) -> Actor:
    with transaction(sessions) as s:
        user = add_user(s, "sue", "supervisor")
        return Actor(user.name, user.role, user.id)


# --- the screen alone -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fact"),
    [
        ("Last seen at Mill Lane, number 12", "the address (house number and street)"),
        ("Lives at no. 12 MILL LN", "the address (house number and street)"),
        ("Often on Mill Road", "the street of the address"),
        ("Born on the 14th of March 1981", "the date of birth"),
        ("DOB 3/14/81", "the date of birth"),
        ("born March fourteenth, nineteen eighty-one", "the date of birth"),
        ("Birthday 14 Mar", "the date of birth"),
        ("Postcode ht49qx", "the postcode"),
        ("ref vr 0004711", "the register reference"),
        ("passport 533 401 372", "a document number"),
        ("Convicted of Sexual Offences Against Children", "the offence"),
        ("a known paedophile", "wording about an offence"),
        ("Assessed as very high risk", "wording about the risk assessment"),
        ("ra\u200bpist", "wording about an offence"),
    ],
)
def test_the_red_teams_paraphrases_are_found(text, fact):
    finding = screen(text, FACTS)
    assert finding is not None, text
    assert finding.fact == fact


def test_a_refusal_names_the_field_the_fact_and_how_it_was_written():
    finding = screen("Tall; born 14 March 1981, walks with a limp", FACTS)
    assert finding.refusal("public description") == (
        "public description refused: it contains the date of birth (written '14 March 1981')"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Tall, walks with a limp, often seen near the seafront",
        "Well groomed, slim build",
        "Harbourtown",
        "Northby town centre",
        "5'11, 183 cm, scar on the left hand",
        "Wears a Mill Town football shirt",
        "Often near the lane behind the station",
    ],
)
def test_plain_descriptions_pass(text):
    assert screen(text, FACTS) is None


@settings(max_examples=300, deadline=None)
@given(data=st.data(), register=registers())
def test_every_generated_paraphrase_of_a_restricted_fact_is_found(data, register):
    fact, written = data.draw(paraphrases(register))
    text = data.draw(mixed(written))
    facts = RestrictedFacts(
        register.offender_id,
        register.date_of_birth,
        register.address_line,
        register.postcode,
        (register.document,),
        register.offence,
        register.risk_level,
    )
    assert screen(text, facts) is not None, f"{fact} got through as {written!r} in {text!r}"


@settings(max_examples=200, deadline=None)
@given(register=registers(), description=harmless_descriptions, area=harmless_areas)
def test_harmless_text_is_never_refused(register, description, area):
    facts = RestrictedFacts(
        register.offender_id,
        register.date_of_birth,
        register.address_line,
        register.postcode,
        (register.document,),
        register.offence,
        register.risk_level,
    )
    assert screen(description, facts) is None
    assert screen(area, facts) is None


YEAR_AND_COUNT_PHRASES = (
    "Walks with a limp after a {year} injury",
    "Last seen in summer {year}",
    "Has lived in the area since {year}",
    "Photo taken in {year}",
    "Tattoo of the number {year} on the left forearm",
)


@settings(max_examples=150, deadline=None)
@given(
    register=registers(),
    year=st.integers(1950, 2026),
    phrase=st.sampled_from(YEAR_AND_COUNT_PHRASES),
)
def test_a_year_in_plain_text_is_not_taken_for_the_register_reference(register, year, phrase):
    # The worst case: the reference's number is that very year (VR-0002019 and 2019).
    facts = RestrictedFacts(
        f"VR-{year:07d}",
        register.date_of_birth,
        register.address_line,
        register.postcode,
        (register.document,),
        register.offence,
        register.risk_level,
    )
    assert screen(phrase.format(year=year), facts) is None


@pytest.mark.parametrize(
    "written",
    [
        "ref 2019",
        "Ref. no 2019",
        "VR 2019",
        "vr2019",
        "0002019",
        "VR-0002019",
        "reference number 2019",
        "case file 2019",
    ],
)
def test_a_short_reference_number_is_found_with_its_prefix_padding_or_a_reference_word(written):
    assert screen(f"Known locally; {written}", RestrictedFacts("VR-0002019")) is not None


def test_a_long_reference_number_is_found_on_its_own():
    assert screen("Call about 1234567 today", RestrictedFacts("VR-1234567")) is not None


# --- the feed and its approvals ---------------------------------------------------------------


def _strings(doc) -> str:
    """Every text a reader of either format sees, unescaped, in one string."""
    atom = ET.fromstring(render_atom(doc).encode("utf-8"))
    atom_text = [html.unescape(v) for e in atom.iter() for v in (e.text, *e.attrib.values()) if v]
    return "\n".join(
        [render_json(doc), json.dumps(json.loads(render_json(doc)), ensure_ascii=False), *atom_text]
    )


def test_the_registers_own_description_and_area_are_never_published(sessions, supervisor):
    with transaction(sessions) as s:
        person = add_offender(
            s,
            **REGISTER,
            description="Lives at Mill Lane, number 12",
            last_known_area="born 14th of March 1981",
        )
        approve_publication(s, supervisor.name, person.offender_id, "needed", APPROVED)
        text = _strings(build_feed(s, NOW, BASE))
    assert "Mill Lane" not in text and "14th of March" not in text


def test_approval_refuses_a_paraphrase_naming_the_field_and_why(sessions, supervisor):
    with transaction(sessions) as s:
        person = add_offender(s, **REGISTER)
        with pytest.raises(FeedError) as refused:
            approve_publication(
                s,
                supervisor.name,
                person.offender_id,
                "needed",
                APPROVED,
                public_description="Tall, very high risk",
            )
        assert str(refused.value) == (
            "VR-0004711: public description refused: it contains wording about the risk "
            "assessment (written 'very high risk')"
        )
        with pytest.raises(FeedError, match="public area refused: it contains the address"):
            approve_publication(
                s,
                supervisor.name,
                person.offender_id,
                "needed",
                APPROVED,
                public_area="12, Mill Lane",
            )
        assert s.scalars(select(Publication)).all() == []


@pytest.mark.parametrize(
    ("field", "value", "why"),
    [
        ("public_description", "x" * 501, "501 characters, at most 500"),
        ("public_area", "y" * 101, "101 characters, at most 100"),
        ("public_description", "Tall\u202e", "control or invisible characters"),
    ],
)
def test_approval_bounds_the_public_text(sessions, supervisor, field, value, why):
    with transaction(sessions) as s:
        person = add_offender(s, **REGISTER)
        with pytest.raises(FeedError, match=why):
            approve_publication(
                s, supervisor.name, person.offender_id, "needed", APPROVED, **{field: value}
            )


def test_an_alias_that_gives_something_away_is_withheld(sessions, supervisor):
    with transaction(sessions) as s:
        person = add_offender(s, **REGISTER, given_names="Dan", family_name="Fenwick")
        add_alias(s, person, "Groomer", "The Mill Lane", kind="nickname")
        add_alias(s, person, "Fenwick", "Danny", kind="nickname")
        approve_publication(s, supervisor.name, person.offender_id, "needed", APPROVED)
        doc = build_feed(s, NOW, BASE)
    assert doc.items[0].aliases == ["Danny Fenwick"]
    assert "Groomer" not in _strings(doc)


def test_a_name_that_gives_something_away_is_refused_and_never_published(sessions, supervisor):
    with transaction(sessions) as s:
        person = add_offender(s, **REGISTER, given_names="VR-0004711", family_name="Fenwick")
        with pytest.raises(FeedError, match="the name refused: it contains the register ref"):
            approve_publication(s, supervisor.name, person.offender_id, "needed", APPROVED)
        s.add(
            Publication(
                offender_pk=person.id,
                state="approved",
                approved_by=supervisor.user_id,
                approved_at=APPROVED,
                approval_reason="stored before the check",
            )
        )
        s.flush()
        doc = build_feed(s, NOW, BASE)
        preview = _would_show(person, NOW, FeedSettings(base_url=BASE))
    assert doc.total == 0 and "0004711" not in _strings(doc)
    assert preview.startswith("Not published: the name refused")


def test_new_public_text_revises_an_approval_in_force(sessions, supervisor):
    with transaction(sessions) as s:
        person = add_offender(s, **REGISTER)
        approve_publication(
            s, supervisor.name, person.offender_id, "needed", APPROVED, public_description="Tall"
        )
        same = approve_publication(s, supervisor.name, person.offender_id, "again", NOW)
        revised = approve_publication(
            s, supervisor.name, person.offender_id, "new sighting", NOW, public_area="Northby"
        )
        item = build_feed(s, NOW, BASE).items[0]
    assert not same.changed and revised.changed
    assert (item.description, item.last_known_area) == ("Tall", "Northby")


@SLOW
@given(data=st.data(), register=registers())
def test_no_paraphrase_reaches_the_json_the_atom_or_the_preview(
    sessions, supervisor, data, register
):
    fact, written = data.draw(paraphrases(register))
    text = data.draw(mixed(written))
    harmless = data.draw(harmless_descriptions)
    field = data.draw(st.sampled_from(["public_description", "public_area"]))
    with sessions() as s:
        try:
            person = add_offender(
                s, **register.offender_values(), status="wanted", wanted_since=date(2026, 3, 1)
            )
            add_document(s, person, register.document)
            s.refresh(person)
            approve_publication(
                s,
                supervisor.name,
                person.offender_id,
                "needed",
                APPROVED,
                public_description=harmless,
            )  # plain words pass
            with pytest.raises(FeedError, match=field.replace("_", " ") + " refused"):
                approve_publication(
                    s, supervisor.name, person.offender_id, "new words", NOW, **{field: text}
                )
            # as if stored before the register learnt the fact: withheld at every build
            stored = s.scalars(select(Publication)).one()
            setattr(stored, field, text)
            add_alias(s, person, written[:60], "Also")
            s.refresh(person)
            doc = build_feed(s, NOW, BASE)
            preview = _would_show(
                person, NOW, FeedSettings(base_url=BASE), PublicText(description=text, area=text)
            )
        finally:
            s.rollback()
    published = _strings(doc)
    for where, output in (("feed", published), ("preview", preview)):
        assert written.casefold() not in output.casefold(), f"{fact} reached the {where}"
    if field == "public_area":  # the other field keeps the supervisor's plain words
        assert harmless in published
