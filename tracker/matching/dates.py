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


POWERS = 10 ** np.arange(8, dtype=np.int64)  # the eight YYYYMMDD digits, least first


def _one_day(dob: np.ndarray, days: int) -> np.ndarray:
    parsed = pd.to_datetime(
        pd.Series(dob.astype(np.int64)).astype(str), format="%Y%m%d", errors="coerce"
    ) + pd.Timedelta(days=days)
    shifted = (parsed.dt.year * 10000 + parsed.dt.month * 100 + parsed.dt.day).to_numpy(
        dtype="float64", na_value=np.nan
    )
    return np.where(np.isnan(shifted), MISSING, shifted).astype(np.int64)


def _transposed(dob: np.ndarray) -> list[np.ndarray]:
    """``dob`` with each pair of neighbouring digits exchanged (invalid dates meet nothing)."""
    dob = dob.astype(np.int64)
    out: list[np.ndarray] = []
    for low, high in zip(POWERS[:-1], POWERS[1:], strict=True):
        a, b = (dob // low) % 10, (dob // high) % 10
        out.append(dob + (b - a) * low + (a - b) * high)
    return out


def slipped_dates(dob: np.ndarray) -> list[np.ndarray]:
    """The dates a carrier may key for ``dob``: itself, day and month swapped, a day either
    side, a year either side, and neighbouring digits transposed."""
    dob = dob.astype(np.int64)
    return [
        dob,
        swapped_day_month(dob).astype(np.int64),
        _one_day(dob, -1),
        _one_day(dob, 1),
        dob - 10000,
        dob + 10000,
        *_transposed(dob),
    ]


def one_digit_variants(dob: np.ndarray) -> list[np.ndarray]:
    """``dob`` with one digit replaced by each other digit, position by position."""
    dob = dob.astype(np.int64)
    out: list[np.ndarray] = []
    for power in POWERS:
        digit = (dob // power) % 10
        out.extend(dob + (other - digit) * power for other in range(10))
    return out


def _day_number(codes: np.ndarray) -> np.ndarray:
    """Days since 1 March of year 0 for YYYYMMDD codes (a proleptic Gregorian day count), so
    two dates a day apart across a month or year end differ by one."""
    year, month, day = codes // 10000, (codes // 100) % 100, codes % 100
    shifted_year = year - (month <= 2)
    shifted_month = (month + 9) % 12  # March is 0
    return (
        365 * shifted_year
        + shifted_year // 4
        - shifted_year // 100
        + shifted_year // 400
        + (153 * shifted_month + 2) // 5
        + day
        - 1
    )


def _digits(codes: np.ndarray) -> np.ndarray:
    """The eight YYYYMMDD digits of each code, most significant first (n x 8)."""
    powers = 10 ** np.arange(7, -1, -1, dtype=np.int64)
    return (codes.astype(np.int64)[:, None] // powers) % 10


def adjacent_transposition(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Two neighbouring digits exchanged and nothing else (1976-05-12 / 1976-05-21,
    1967 / 1976): a keying slip that leaves a valid date."""
    if len(a) == 0:
        return np.zeros(0, dtype=bool)
    x, y = _digits(a), _digits(b)
    differs = x != y
    two = differs.sum(axis=1) == 2
    neighbours = differs[:, :-1] & differs[:, 1:]
    crossed = (x[:, :-1] == y[:, 1:]) & (x[:, 1:] == y[:, :-1])
    return two & (neighbours & crossed).any(axis=1)


# Comparison levels for a date of birth, best first; each slip a carrier or a clerk makes has a
# level of its own so that its weight is learned, not assumed (issue 17: a slip is no conflict).
DOB_EXACT, DOB_SWAPPED, DOB_ONE_DAY, DOB_ONE_YEAR, DOB_TRANSPOSED, DOB_ONE_DIGIT = 6, 5, 4, 3, 2, 1
DOB_DIFFERENT, DOB_NULL = 0, -1
DOB_LEVEL_NAMES = {
    DOB_EXACT: "exact",
    DOB_SWAPPED: "day and month swapped",
    DOB_ONE_DAY: "one day apart",
    DOB_ONE_YEAR: "same day and month, year off by one",
    DOB_TRANSPOSED: "two neighbouring digits transposed",
    DOB_ONE_DIGIT: "one digit different",
    DOB_DIFFERENT: "different (not a slip)",
    DOB_NULL: "missing",
}
DOB_SLIP_LEVELS = (DOB_SWAPPED, DOB_ONE_DAY, DOB_ONE_YEAR, DOB_TRANSPOSED, DOB_ONE_DIGIT)


def compare_dates(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Comparison level of each pair of date codes; where two slips fit, the likelier wins."""
    a, b = np.asarray(a), np.asarray(b)
    level = np.full(a.shape, DOB_DIFFERENT, dtype=np.int8)
    known = (a != MISSING) & (b != MISSING)
    level[known & (digits_differing(a, b) == 1)] = DOB_ONE_DIGIT
    rows = np.flatnonzero(known & (a != b))
    level[rows[adjacent_transposition(a[rows], b[rows])]] = DOB_TRANSPOSED
    same_day = (a % 10000) == (b % 10000)
    level[known & same_day & (np.abs(a // 10000 - b // 10000) == 1)] = DOB_ONE_YEAR
    level[known & (np.abs(_day_number(a) - _day_number(b)) == 1)] = DOB_ONE_DAY
    level[known & (swapped_day_month(a) == b)] = DOB_SWAPPED
    level[a == b] = DOB_EXACT
    level[~known] = DOB_NULL
    return level


def date_level_shares(travel_dob: np.ndarray, register_dob: np.ndarray) -> dict[int, float]:
    """u of each birth-date level, counted exactly rather than sampled: among every (travel
    record, register person) pair whose dates are both known, the share at each level.

    A slip level is rare among strangers (one pair in 30,000 shares a birthday a day apart), so
    a sample of random pairs sees it a handful of times and its weight would wander with the
    seed. Each distinct travel date's slips are looked up among the register's dates instead,
    and the pairs counted from the two sides' value counts; half a pair per level keeps every
    share above zero."""
    travel_values, travel_counts = np.unique(travel_dob[travel_dob != MISSING], return_counts=True)
    register_values, register_counts = np.unique(
        register_dob[register_dob != MISSING], return_counts=True
    )
    levels = [DOB_EXACT, *DOB_SLIP_LEVELS]
    total = float(travel_counts.sum()) * float(register_counts.sum())
    pairs = dict.fromkeys(levels, 0.0)
    if total > 0:
        candidates = [*slipped_dates(travel_values), *one_digit_variants(travel_values)]
        row = np.tile(np.arange(len(travel_values)), len(candidates))
        found = pd.Index(register_values).get_indexer(np.concatenate(candidates))
        keep = found >= 0
        distinct = np.unique(row[keep] * len(register_values) + found[keep])
        t, r = distinct // len(register_values), distinct % len(register_values)
        level = compare_dates(travel_values[t], register_values[r])
        weight = travel_counts[t].astype(float) * register_counts[r]
        for lv in levels:
            pairs[lv] = float(weight[level == lv].sum())
    smoothed = {lv: n + SMOOTHING_PAIRS for lv, n in pairs.items()}
    denominator = total + SMOOTHING_PAIRS * (len(levels) + 1)
    shares = {lv: n / denominator for lv, n in smoothed.items()}
    shares[DOB_DIFFERENT] = 1.0 - sum(shares.values())
    return shares


SMOOTHING_PAIRS = 0.5
