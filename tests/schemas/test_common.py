"""The contract's value rules, each with the words a sender reads when a value breaks it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, ValidationError

from tracker.countries import COUNTRY_CODES
from tracker.schemas.common import (
    Country,
    CountryList,
    DateOrDateTime,
    IsoDate,
    OffsetDateTime,
    Period,
    Port,
    YesNo,
    identifier_rule,
    one_of,
    row_problems,
    shown,
    too_long,
)


class Sample(BaseModel):
    day: IsoDate | None = None
    moment: OffsetDateTime | None = None
    either: DateOrDateTime | None = None
    country: Country | None = None
    countries: CountryList | None = None
    period: Period | None = None
    port: Port | None = None
    flag: YesNo | None = None
    code: Annotated[str, identifier_rule(5), too_long(5)] | None = None
    sex: Annotated[Literal["M", "F", "X"], one_of(("M", "F", "X"))] | None = None


def problem(**values) -> str:
    with pytest.raises(ValidationError) as caught:
        Sample.model_validate(values)
    [(column, reason)] = row_problems(caught.value, Sample)
    return f"{column}: {reason}"


def valid(**values) -> Sample:
    return Sample.model_validate(values)


def test_a_date_is_iso_8601():
    assert valid(day="1985-04-12").day == date(1985, 4, 12)


@pytest.mark.parametrize(
    "text", ["1985-13-01", "12/04/1985", "19850412", "1985-04-12T00:00", "1985-4-12", "1985-02-30"]
)
def test_anything_else_is_not_a_date(text):
    assert problem(day=text) == f"day: '{text}' is not a date (expected YYYY-MM-DD)"


def test_a_datetime_keeps_its_offset():
    moment = valid(moment="2026-03-01T06:40:00+05:30").moment
    assert moment == datetime(2026, 3, 1, 1, 10, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(hours=5, minutes=30)
    assert valid(moment="2026-03-01T06:40:00Z").moment.utcoffset() == timedelta(0)


def test_a_datetime_without_an_offset_is_refused_not_guessed():
    assert problem(moment="2026-03-01T06:40:00") == (
        "moment: '2026-03-01T06:40:00' has no UTC offset, so the moment is unknown "
        "(expected e.g. 2026-03-01T06:40:00+00:00 or 2026-03-01T06:40:00Z)"
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("yesterday", "is not a datetime (expected ISO 8601 with an offset"),
        ("1700000000", "is not a datetime"),
        ("2026-02-30T10:00:00Z", "is not a real date and time"),
        ("2026-03-01", "is not a datetime"),
    ],
)
def test_other_datetimes_are_refused(text, reason):
    assert reason in problem(moment=text)


def test_date_or_datetime_keeps_what_was_given():
    assert valid(either="2026-03-01").either == date(2026, 3, 1)
    zone = timezone(timedelta(hours=-5))
    assert valid(either="2026-03-01T23:30:00-05:00").either == datetime(
        2026, 3, 1, 23, 30, tzinfo=zone
    )
    assert "has no UTC offset" in problem(either="2026-03-01T23:30:00")
    assert "is not a date (expected YYYY-MM-DD) or a datetime" in problem(either="1 March")


@pytest.mark.parametrize("code", ["GBR", "THA", "DEU", "D", "GBD", "GBN", "GBO", "GBP", "GBS"])
def test_iso_codes_and_the_travel_document_codes_are_countries_kept_as_given(code):
    assert valid(country=code).country == code


@pytest.mark.parametrize("code", ["XYZ", "GB", "gbr", "UK", "EU"])
def test_other_codes_are_not_countries(code):
    assert problem(country=code) == (f"country: '{code}' is not an ISO 3166-1 alpha-3 country code")


def test_the_country_list_is_the_real_iso_list():
    assert len(COUNTRY_CODES) >= 249 + 6 and {"ZWE", "GBR", "D", "GBN"} <= COUNTRY_CODES


def test_several_countries_are_pipe_separated_or_a_json_array():
    assert valid(countries="THA|VNM").countries == "THA|VNM"
    assert valid(countries=["tha", " VNM "]).countries == "THA|VNM"
    assert valid(countries="GBR||D").countries == "GBR|D"
    assert problem(countries="THA|XX") == (
        "countries: 'XX' in 'THA|XX' is not an ISO 3166-1 alpha-3 country code"
    )
    assert problem(countries="|") == "countries: '|' holds no country code"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("indefinite", "indefinite"),
        ("P10Y", "P10Y"),
        ("p2y6m", "P2Y6M"),
        ("P18M", "P18M"),
        ("Indefinite", "indefinite"),
    ],
)
def test_a_period_is_indefinite_or_years_and_months(text, kept):
    assert valid(period=text).period == kept


@pytest.mark.parametrize("text", ["10 years", "P10D", "P", "P0Y", "PT5H", "P1Y2M3D"])
def test_other_periods_are_refused(text):
    assert problem(period=text) == (
        f"period: '{text}' is not a notification period (expected indefinite or an ISO 8601 "
        "period in years and months, e.g. P10Y or P2Y6M)"
    )


def test_ports_are_airport_or_port_codes_in_upper_case():
    assert valid(port=" lhr ").port == "LHR"
    assert valid(port="GBDOV").port == "GBDOV"
    assert problem(port="L-H") == (
        "port: 'L-H' is not an airport or port code (expected an IATA code such as LHR)"
    )


def test_yes_no_is_a_boolean():
    assert valid(flag="yes").flag is True and valid(flag="NO").flag is False
    assert problem(flag="maybe") == "flag: 'maybe' is not yes or no"


def test_an_identifier_is_trimmed_and_fits_its_column():
    assert valid(code=" VR-1 ").code == "VR-1"
    assert problem(code="VR-123") == "code: 'VR-123' is longer than 5 characters"


def test_a_closed_vocabulary_lists_what_it_accepts():
    assert problem(sex="Q") == "sex: 'Q' is not one of M, F, X"
    assert problem(sex="m") == "sex: 'm' is not one of M, F, X"


def test_long_values_are_cut_short_in_messages():
    assert shown("x" * 100) == repr("x" * 59 + "…")
