"""Comparison levels of single pairs: the hard cases a carrier makes of a name or a date."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tracker.matching.blocking import CandidatePairs
from tracker.matching.compare import compare_pairs
from tracker.matching.dates import DOB_EXACT, DOB_ONE_DIGIT, DOB_ONE_YEAR, DOB_SWAPPED
from tracker.matching.name_levels import (
    GIVEN_EXACT,
    GIVEN_INITIAL,
    GIVEN_LATER_NAME,
    GIVEN_NICKNAME,
    GIVEN_ONE_EDIT,
    GIVEN_SAME_FIRST,
    ORDER_JOINED,
    ORDER_SWAPPED,
)
from tracker.matching.prepare import prepare_register, prepare_travel


def levels_of(
    register_name: tuple[str, str],
    travel_name: tuple[str, str],
    register_dob: str = "1980-05-17",
    travel_dob: str | None = "1980-05-17",
) -> dict:
    register = pd.DataFrame(
        [("VR-1", *register_name, register_dob, "M", "GBR")],
        columns=[
            "offender_key",
            "family_name",
            "given_names",
            "date_of_birth",
            "sex",
            "nationalities",
        ],
    )
    travel = pd.DataFrame(
        [("t/1", *travel_name, travel_dob, "M", "GBR", None, None)],
        columns=[
            "travel_key",
            "family_name",
            "given_names",
            "date_of_birth",
            "sex",
            "nationality",
            "doc_number",
            "doc_issuing_country",
        ],
    )
    pairs = CandidatePairs(np.array([0]), np.array([0]), {"test": 1})
    frame = compare_pairs(pairs, prepare_travel(travel), prepare_register(register)).frame
    return frame.iloc[0].to_dict()


@pytest.mark.parametrize(
    ("register_given", "travel_given", "level"),
    [
        ("John Paul", "JOHN PAUL", GIVEN_EXACT),
        ("John Paul", "JOHN", GIVEN_SAME_FIRST),  # middle name dropped
        ("Robert", "BOB", GIVEN_NICKNAME),
        ("Tom", "TOMN", GIVEN_ONE_EDIT),  # a typo in a short name
        ("Eva", "EVS", GIVEN_ONE_EDIT),
        ("Margaret Anne", "M", GIVEN_INITIAL),
        ("Christopher", "CHRISTOPH", GIVEN_SAME_FIRST),  # cut to the field's length
        ("Ross Samuel", "SAMUEL", GIVEN_LATER_NAME),  # goes by the middle name, or a stranger
        ("Jonathan Peter", "PETER", GIVEN_LATER_NAME),
    ],
)
def test_given_name_levels(register_given, travel_given, level):
    assert levels_of(("Smith", register_given), ("SMITH", travel_given))["given_names"] == level


def test_a_later_given_name_is_weaker_than_the_first():
    first = levels_of(("Smith", "Ross Samuel"), ("SMITH", "ROSS"))["given_names"]
    later = levels_of(("Smith", "Ross Samuel"), ("SMITH", "SAMUEL"))["given_names"]
    assert first > later >= GIVEN_LATER_NAME


def test_different_given_names_are_level_zero():
    assert levels_of(("Smith", "Michael"), ("SMITH", "ANDREW"))["given_names"] == 0


@pytest.mark.parametrize(
    ("register_family", "travel_family", "level"),
    [
        ("Müller", "MUELLER", 3),  # ICAO transliteration
        ("Müller", "MULLER", 3),
        ("O'Neill", "ONEILL", 3),  # punctuation
        ("Okonkwo-Bright", "OKONKWO BRIGHT", 3),
        ("Richardson", "RICHARDSEN", 2),  # one letter off
        ("Smith", "PATEL", 0),
    ],
)
def test_family_name_levels(register_family, travel_family, level):
    assert levels_of((register_family, "John"), (travel_family, "JOHN"))["family_name"] == level


def test_swapped_order_is_recognised_and_recorded():
    levels = levels_of(("Pemberton", "Zebedee"), ("ZEBEDEE", "PEMBERTON"))
    assert (levels["family_name"], levels["given_names"]) == (3, GIVEN_EXACT)
    assert levels["swapped"]


@pytest.mark.parametrize(
    ("travel_dob", "level"),
    [
        ("1980-05-17", DOB_EXACT),
        (None, -1),
        ("1980-06-17", DOB_ONE_DIGIT),
        ("1981-05-17", DOB_ONE_YEAR),
        ("1972-01-01", 0),
    ],
)
def test_birth_date_levels(travel_dob, level):
    assert (
        levels_of(("Smith", "John"), ("SMITH", "JOHN"), travel_dob=travel_dob)["date_of_birth"]
        == level
    )


def test_day_and_month_swapped_is_its_own_level():
    levels = levels_of(
        ("Smith", "John"), ("SMITH", "JOHN"), register_dob="1980-05-07", travel_dob="1980-07-05"
    )
    assert levels["date_of_birth"] == DOB_SWAPPED


def test_swapped_fields_have_their_own_order_level():
    levels = levels_of(("Pemberton", "Zebedee"), ("ZEBEDEE", "PEMBERTON"))
    assert levels["name_order"] == ORDER_SWAPPED


@pytest.mark.parametrize(
    ("register_name", "travel_name"),
    [
        (("Chen", "Xiao Ming"), ("CHEN XIAOMING", None)),  # the whole name in one field
        (("Nguyen", "Van Hung"), ("HUNG", "NGUYEN VAN")),  # family name written last
    ],
)
def test_a_name_run_together_or_in_native_order_agrees_at_its_own_level(register_name, travel_name):
    levels = levels_of(register_name, travel_name)
    assert (levels["family_name"], levels["given_names"]) == (3, GIVEN_EXACT)
    assert levels["name_order"] == ORDER_JOINED


def test_the_first_word_filter_keeps_exactly_the_rows_whose_first_word_is_there():
    from tracker.matching.codes import codes_in, sorted_vocabulary
    from tracker.matching.name_levels import _first_word_among

    short = np.array(["SAMUEL", "PETER PAUL", "ANNA", "", "MARIA"], dtype=object)
    full = np.array(
        ["ROSS SAMUEL", "JOHN PAUL PETER", "ANNABEL", "JOHN", "ANNA MARIA"], dtype=object
    )
    text = sorted_vocabulary(short, full)
    short_codes, full_codes = codes_in(text, short), codes_in(text, full)
    kept = _first_word_among(short_codes, full_codes, np.arange(5), text)
    assert kept.tolist() == [True, True, False, False, True]
    assert _first_word_among(short_codes, full_codes, np.array([2, 4]), text).tolist() == [
        False,
        True,
    ]
