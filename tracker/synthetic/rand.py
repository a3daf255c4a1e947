"""Seeded randomness and the little date arithmetic every generator step shares.

Per-row Python loops call for millions of scalar draws; numpy's per-call overhead would
dominate them, so :class:`Draw` hands out floats from a pre-drawn buffer instead.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from itertools import accumulate
from typing import TypeVar

import numpy as np

T = TypeVar("T")

#: Independent streams, so changing one share (say paxlst_share) leaves the register alone.
STREAMS = ("register", "cases", "histories", "travel", "public", "paxlst", "layout")


def streams(seed: int) -> dict[str, np.random.Generator]:
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {
        name: np.random.default_rng(child) for name, child in zip(STREAMS, children, strict=True)
    }


class Draw:
    """Scalar draws for per-row loops, taken from a buffer of numpy uniforms."""

    def __init__(self, rng: np.random.Generator, size: int = 1 << 16):
        self.rng = rng
        self._size = size
        self._it: Iterator[float] = iter(())

    def random(self) -> float:
        try:
            return next(self._it)
        except StopIteration:
            self._it = iter(self.rng.random(self._size).tolist())
            return next(self._it)

    def chance(self, p: float) -> bool:
        return self.random() < p

    def integers(self, low: int, high: int) -> int:
        """Uniform in [low, high)."""
        return low + int(self.random() * (high - low))

    def between(self, low: int, high: int) -> int:
        """Uniform in [low, high], both ends included (day offsets read better so)."""
        return low + int(self.random() * (high - low + 1))

    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self.random() * len(seq))]

    def skewed(self, seq: Sequence[T], power: float = 1.8) -> T:
        """Earlier entries are likelier: pools list the commonest names first."""
        return seq[int(len(seq) * self.random() ** power)]

    def weighted(self, seq: Sequence[T], cumulative: Sequence[float]) -> T:
        return seq[bisect_right(cumulative, self.random() * cumulative[-1])]


def cumulative(weights: Sequence[float]) -> list[float]:
    return list(accumulate(weights))


def add_months(day: date, months: int) -> date:
    """Calendar months, clamping 29-31 to the end of a shorter month."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for dd in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, dd))
        except ValueError:
            continue
    raise ValueError(f"cannot add {months} months to {day}")


def period_months(period: str) -> int | None:
    """``P10Y`` -> 120, ``P2Y6M`` -> 30, ``indefinite`` -> None."""
    if period == "indefinite":
        return None
    body = period.removeprefix("P")
    years, _, rest = body.partition("Y") if "Y" in body else ("0", "", body)
    months = rest.removesuffix("M") or "0"
    return int(years) * 12 + int(months)


def days(n: int) -> timedelta:
    return timedelta(days=n)
