"""Country codes: one alias table and one cleaning, shared by matching, rules and packages."""

from __future__ import annotations

import pandas as pd
import pytest

from tracker.countries import (
    COUNTRY_CODES,
    DOCUMENT_COUNTRY_CODES,
    ISO_COUNTRY_CODES,
    clean_country_code,
    country_list,
    country_name,
)


@pytest.mark.parametrize(
    ("given", "cleaned"),
    [
        ("D", "DEU"),
        (" d ", "DEU"),
        ("gbn", "GBR"),
        ("GBD", "GBR"),
        ("tha", "THA"),
        ("DEU", "DEU"),
        ("", None),
        ("   ", None),
        (None, None),
        (float("nan"), None),
        (pd.NA, None),
    ],
)
def test_a_code_is_cleaned_and_read_as_its_country(given, cleaned):
    assert clean_country_code(given) == cleaned


def test_every_document_code_stands_for_a_real_country():
    assert set(DOCUMENT_COUNTRY_CODES.values()) <= ISO_COUNTRY_CODES
    assert not set(DOCUMENT_COUNTRY_CODES) & ISO_COUNTRY_CODES


def test_the_contract_accepts_iso_codes_and_the_document_codes():
    assert {"DEU", "THA", "D", "GBN"} <= COUNTRY_CODES
    assert "XXX" not in COUNTRY_CODES


def test_a_list_keeps_its_order_and_drops_blanks():
    assert country_list("tha|D||GBN ") == ("THA", "DEU", "GBR")
    assert country_list(None) == ()
    assert country_list("") == ()


def test_country_names_are_the_ones_people_use():
    assert country_name("THA") == "Thailand"
    assert country_name("GBR") == "United Kingdom"


def test_a_name_is_asked_only_for_a_real_country():
    with pytest.raises(LookupError, match="XXX"):
        country_name("XXX")
