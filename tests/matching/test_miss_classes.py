"""The classes of true traveller the matcher used to miss (issue 17), one test each, beside the
namesakes, twins and relatives that must still not link."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tracker.matching.blocking import generate_candidates
from tracker.matching.link import link_travel_to_register
from tracker.matching.prepare import prepare_register, prepare_travel
from tracker.matching.settings import LinkSettings

SETTINGS = LinkSettings(u_sample_pairs=50_000)
REGISTER_COLUMNS = [
    "offender_key",
    "family_name",
    "given_names",
    "date_of_birth",
    "sex",
    "nationalities",
]
REGISTER = pd.DataFrame(
    [
        ("MC-01", "Price", "Alan James", "1980-03-14", "M", "GBR"),
        ("MC-02", "Ashworth", "Tom", "1972-08-09", "M", "GBR"),
        ("MC-03", "Lindqvist", "Eva", "1985-02-27", "F", "SWE"),
        ("MC-04", "Okoro", "Chiamaka", "1990-10-10", "F", "NGA"),
        ("MC-05", "Harrowgate", "Benedict", "1969-04-18", "M", "GBR"),
        ("MC-06", "Jones", "John", "1970-05-05", "M", "GBR"),
        ("MC-07", "Chen", "Xiao Ming", "1983-06-21", "M", "CHN"),
        ("MC-08", "Nguyen", "Van Hung", "1979-12-02", "M", "VNM"),
        ("MC-09", "Zbyszewska", "Philippa", "1977-01-30", "F", "POL"),
        ("MC-10", "Kettleborough", "Margaret Anne", "1958-09-03", "F", "GBR"),
        ("MC-11", "Fairbrother", "Duncan", "1976-05-12", "M", "GBR"),
        ("MC-12", "Whitcombe", "Gareth Lloyd", "1980-03-14", "M", "GBR"),
        ("MC-13", "Abernethy", "Colin", "1966-07-23", "M", "GBR"),
        ("MC-14", "Sorensen", "Lars Erik", "1971-09-30", "M", "DNK"),
    ],
    columns=REGISTER_COLUMNS,
)
DOCUMENTS = pd.DataFrame(
    [("MC-05", "P99887766", "GBR"), ("MC-06", "123456789", "GBR")],
    columns=["offender_key", "doc_number", "issuing_country"],
)
TRAVEL_COLUMNS = [
    "travel_key",
    "family_name",
    "given_names",
    "date_of_birth",
    "sex",
    "nationality",
    "doc_number",
    "doc_issuing_country",
    "true_offender",
]
# travel_key names the miss class of the issue it reproduces.
MUST_LINK = [
    ("1/year-off+typo", "PRICE", "ALAN JAMFS", "1981-03-14", "M", "GBR", None, None, "MC-01"),
    ("1/one-day", "WHITCOMBE", "GARETH LLOYD", "1980-03-15", "M", "GBR", None, None, "MC-12"),
    ("1/one-digit", "ABERNETHY", "COLIN", "1966-08-23", "M", "GBR", None, None, "MC-13"),
    ("1/transposed-day", "FAIRBROTHER", "DUNCAN", "1976-05-21", "M", "GBR", None, None, "MC-11"),
    ("1/transposed-year", "SORENSEN", "LARS", "1917-09-30", "M", "DNK", None, None, "MC-14"),
    ("2/short-insert", "ASHWORTH", "TOMN", "1972-08-09", "M", "GBR", None, None, "MC-02"),
    ("2/short-substitute", "LINDQVIST", "EVS", "1985-02-27", "F", "SWE", None, None, "MC-03"),
    ("3/no-given-name", "OKORO", None, "1990-10-10", "F", "NGA", None, None, "MC-04"),
    ("4/document-no-dob", "HARROWGATE", "BENEDICT", None, "M", "GBR", "P99887766", "GBR", "MC-05"),
    (
        "5/common-name-new-passport",
        "JONES",
        "JOHN",
        "1970-05-05",
        "M",
        "GBR",
        "987654321",
        "GBR",
        "MC-06",
    ),
    (
        "6/native-order-one-field",
        "CHEN XIAOMING",
        None,
        "1983-06-21",
        "M",
        "CHN",
        None,
        None,
        "MC-07",
    ),
    ("6/swapped-run-together", "XIAOMING", "CHEN", "1983-06-21", "M", "CHN", None, None, "MC-07"),
    ("6/first-syllable", "CHEN", "XIAO", "1983-06-21", "M", "CHN", None, None, "MC-07"),
    ("6/initial-east-asian", "CHEN", "X", "1983-06-21", "M", "CHN", None, None, "MC-07"),
    (
        "6/vietnamese-family-last",
        "HUNG",
        "NGUYEN VAN",
        "1979-12-02",
        "M",
        "VNM",
        None,
        None,
        "MC-08",
    ),
    (
        "6/vietnamese-middle-dropped",
        "NGUYEN",
        "HUNG",
        "1979-12-02",
        "M",
        "VNM",
        None,
        None,
        "MC-08",
    ),
    ("6/initial", "KETTLEBOROUGH", "M", "1958-09-03", "F", "GBR", None, None, "MC-10"),
    ("7/rare-name-nothing-else", "ZBYSZEWSKA", "PHILIPPA", None, "F", "POL", None, None, "MC-09"),
]
MUST_MATCH = {
    "4/document-no-dob",
    "5/common-name-new-passport",
    "2/short-insert",
    "2/short-substitute",
}
MUST_NOT_LINK = [
    # the same name, a birth date decades apart, another passport
    ("neg/namesake", "PRICE", "ALAN JAMES", "1955-11-02", "M", "GBR", "551234987", "GBR", None),
    # a twin: family name and birth date shared, other given name and sex
    ("neg/twin", "LINDQVIST", "OSKAR", "1985-02-27", "M", "SWE", "SE5554443", "SWE", None),
    # a father: the same name and birthday, born 26 years before
    ("neg/father", "ASHWORTH", "TOM", "1946-08-09", "M", "GBR", "771234555", "GBR", None),
    # a sister: family name shared, other given name, born two years later
    ("neg/sister", "OKORO", "ADAEZE", "1992-03-17", "F", "NGA", "A09988776", "NGA", None),
]


@pytest.fixture(scope="module")
def linked(population):
    register = pd.concat([population["register"], REGISTER], ignore_index=True)
    documents = pd.concat([population["documents"], DOCUMENTS], ignore_index=True)
    cases = pd.DataFrame(MUST_LINK + MUST_NOT_LINK, columns=TRAVEL_COLUMNS)
    travel = pd.concat([population["travel"], cases], ignore_index=True)
    return link_travel_to_register(register, travel, None, documents, settings=SETTINGS)


def _link(result, travel_key: str):
    rows = result.links[result.links["travel_key"] == travel_key]
    return None if rows.empty else rows.iloc[0]


def _reason(link) -> str:
    if link is None:
        return "no link"
    fields = ", ".join(f"{f.field}={f.label} ({f.weight:+.1f})" for f in link["explanation"].fields)
    return f"{link['offender_key']} p={link['match_probability']:.4f}: {fields}"


@pytest.mark.parametrize(("travel_key", "offender"), [(c[0], c[8]) for c in MUST_LINK])
def test_each_former_miss_class_now_links_to_the_right_person(linked, travel_key, offender):
    link = _link(linked, travel_key)
    assert link is not None and link["offender_key"] == offender, _reason(link)
    if travel_key in MUST_MATCH:
        assert link["band"] == "match", _reason(link)


@pytest.mark.parametrize("travel_key", [c[0] for c in MUST_NOT_LINK])
def test_namesakes_twins_and_relatives_still_do_not_link(linked, travel_key):
    link = _link(linked, travel_key)
    assert link is None, _reason(link)


def test_family_name_and_birth_date_alone_make_a_candidate_pair():
    # Miss class 3: the given name replaced by another; blocking must still pair them.
    register = REGISTER.copy()
    travel = pd.DataFrame(
        [("3/replaced", "OKORO", "NKEMDIRIM", "1990-10-10", "F", "NGA", None, None)],
        columns=TRAVEL_COLUMNS[:-1],
    )
    prepared_register, prepared_travel = prepare_register(register), prepare_travel(travel)
    pairs = generate_candidates(prepared_travel, prepared_register)
    offenders = prepared_register.people["offender_key"].to_numpy()[pairs.o]
    assert "MC-04" in set(offenders)


def test_a_document_alone_makes_a_candidate_pair():
    travel = pd.DataFrame(
        [("doc/only", "SMYTHE", "ROBIN", None, None, None, "P99887766", "GBR")],
        columns=TRAVEL_COLUMNS[:-1],
    )
    register = prepare_register(REGISTER, documents=DOCUMENTS)
    pairs = generate_candidates(prepare_travel(travel), register)
    assert "MC-05" in set(register.people["offender_key"].to_numpy()[pairs.o])


def test_candidate_pairs_per_record_stay_bounded(population):
    register = prepare_register(population["register"], documents=population["documents"])
    travel = prepare_travel(population["travel"].drop(columns="true_offender"))
    pairs = generate_candidates(travel, register)
    per_record = np.bincount(pairs.t, minlength=len(travel))
    assert per_record.max() <= 500


def test_a_rare_full_name_is_compared_whatever_its_birth_date():
    travel = pd.DataFrame(
        [("rare/far-dob", "ZBYSZEWSKA", "PHILIPPA", "1990-06-02", "F", "POL", None, None)],
        columns=TRAVEL_COLUMNS[:-1],
    )
    register = prepare_register(REGISTER)
    pairs = generate_candidates(prepare_travel(travel), register)
    assert "MC-09" in set(register.people["offender_key"].to_numpy()[pairs.o])
    assert pairs.per_pass["rare full name, any birth date"] >= 1
