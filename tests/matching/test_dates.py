"""Birth-date levels: exact, each kind of slip on its own, missing, different."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tracker.matching.dates import (
    DOB_DIFFERENT,
    DOB_EXACT,
    DOB_NULL,
    DOB_ONE_DAY,
    DOB_ONE_DIGIT,
    DOB_ONE_YEAR,
    DOB_SWAPPED,
    DOB_TRANSPOSED,
    MISSING,
    compare_dates,
    date_codes,
    date_level_shares,
    swapped_day_month,
)


def _level(a: str | None, b: str | None) -> int:
    return int(compare_dates(date_codes(pd.Series([a])), date_codes(pd.Series([b])))[0])


def test_codes_are_yyyymmdd_with_missing_marked():
    codes = date_codes(pd.Series(["1980-02-29", None, "not a date"]))
    assert codes.tolist() == [19800229, MISSING, MISSING]


def test_swap_only_where_the_day_can_be_a_month():
    codes = np.array([19850304, 19851304 - 1000 + 0, 19850313, MISSING], dtype=np.int32)
    assert swapped_day_month(codes)[0] == 19850403
    assert swapped_day_month(codes)[2] == MISSING
    assert swapped_day_month(codes)[3] == MISSING


def test_levels():
    assert _level("1980-02-29", "1980-02-29") == DOB_EXACT
    assert _level("1985-03-04", "1985-04-03") == DOB_SWAPPED
    assert _level("1985-03-04", "1985-03-07") == DOB_ONE_DIGIT
    assert _level("1985-03-04", "1986-03-04") == DOB_ONE_YEAR
    assert _level("1989-12-31", "1990-12-31") == DOB_ONE_YEAR  # all the year's digits move
    assert _level("1985-03-04", None) == DOB_NULL
    assert _level("1985-03-04", "1962-11-20") == DOB_DIFFERENT


def test_each_slip_has_its_own_level():
    assert _level("1980-03-14", "1980-03-15") == DOB_ONE_DAY
    assert _level("1980-03-31", "1980-04-01") == DOB_ONE_DAY  # across the month's end
    assert _level("1979-12-31", "1980-01-01") == DOB_ONE_DAY  # and the year's
    assert _level("1976-05-12", "1976-05-21") == DOB_TRANSPOSED  # day's digits exchanged
    assert _level("1976-05-12", "1967-05-12") == DOB_TRANSPOSED  # year's digits exchanged
    assert _level("1980-03-14", "1981-03-14") == DOB_ONE_YEAR
    assert _level("1980-03-14", "1980-04-14") == DOB_ONE_DIGIT
    assert _level("1980-03-14", "1982-05-16") == DOB_DIFFERENT  # three digits: no slip


def test_leap_day_is_an_ordinary_date():
    assert _level("1980-02-29", "1980-02-29") == DOB_EXACT
    assert _level("1980-02-29", "1981-02-28") == DOB_DIFFERENT
    assert _level("1980-02-29", "1980-03-01") == DOB_ONE_DAY


def test_level_shares_count_every_pair_exactly():
    rng = np.random.default_rng(2)
    days = pd.to_datetime("1970-01-01") + pd.to_timedelta(rng.integers(0, 400, 300), "D")
    travel = date_codes(pd.Series(days[:200].strftime("%Y-%m-%d")))
    register = date_codes(pd.Series(days[200:].strftime("%Y-%m-%d")))
    travel[:5] = MISSING  # unknown dates are no pairs
    known_t, known_r = travel[travel != MISSING], register
    every = compare_dates(np.repeat(known_t, len(known_r)), np.tile(known_r, len(known_t)))
    shares = date_level_shares(travel, register)
    total = len(every)
    for level, share in shares.items():
        assert share * (total + 3.5) == pytest.approx(int((every == level).sum()) + 0.5)
    assert sum(shares.values()) == pytest.approx(1.0)
