"""Birth dates as integers, and the ways a carrier gets them wrong."""

from __future__ import annotations

import numpy as np
import pandas as pd

MISSING = -1


def date_codes(values: pd.Series) -> np.ndarray:
    """YYYYMMDD as int32, ``MISSING`` where unknown; cheap to compare over millions of pairs."""
    # ISO 8601 per value, not a format inferred from the first: one odd value must not turn
    # every other date into "unknown".
    parsed = pd.to_datetime(values, errors="coerce", format="ISO8601")
    codes = (parsed.dt.year * 10000 + parsed.dt.month * 100 + parsed.dt.day).to_numpy(
        dtype="float64", na_value=np.nan
    )
    return np.where(np.isnan(codes), MISSING, codes).astype(np.int32)


def swapped_day_month(codes: np.ndarray) -> np.ndarray:
    """The date with day and month exchanged (MISSING where that is not a valid month)."""
    year, month, day = codes // 10000, (codes // 100) % 100, codes % 100
    valid = (codes != MISSING) & (day <= 12) & (day != month)
    return np.where(valid, year * 10000 + day * 100 + month, MISSING).astype(np.int32)


def digits_differing(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """How many of the eight YYYYMMDD digits differ: 1 is a typing slip."""
    diff = np.zeros(a.shape, dtype=np.int8)
    x, y = a.astype(np.int64), b.astype(np.int64)
    for _ in range(8):
        diff += (x % 10 != y % 10).astype(np.int8)
        x //= 10
        y //= 10
    return diff


# Comparison levels for a date of birth, best first; NULL means "not known on one side".
DOB_EXACT, DOB_SWAPPED, DOB_CLOSE, DOB_DIFFERENT, DOB_NULL = 3, 2, 1, 0, -1
DOB_LEVEL_NAMES = {
    DOB_EXACT: "exact",
    DOB_SWAPPED: "day and month swapped",
    DOB_CLOSE: "one digit or year off by one",
    DOB_DIFFERENT: "different",
    DOB_NULL: "missing",
}


def compare_dates(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Comparison level of each pair of date codes."""
    level = np.full(a.shape, DOB_DIFFERENT, dtype=np.int8)
    same_day = (a % 10000) == (b % 10000)
    year_off_by_one = same_day & (np.abs(a // 10000 - b // 10000) == 1)
    level[(digits_differing(a, b) == 1) | year_off_by_one] = DOB_CLOSE
    level[swapped_day_month(a) == b] = DOB_SWAPPED
    level[a == b] = DOB_EXACT
    level[(a == MISSING) | (b == MISSING)] = DOB_NULL
    return level
