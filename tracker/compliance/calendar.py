"""Day counting for deadlines: periods, month ends and 29 February, business days, days away.

Every rule deadline is "the last compliant day": a notification made on it is in time, one
made the day after is late. How that day is found (which day counts as day 1, which days
count at all) is set by the jurisdiction profile, so nothing here knows a jurisdiction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

Counting = Literal["beginning_with", "after"]
Overflow = Literal["roll_forward", "clamp"]

ONE_DAY = timedelta(days=1)
_PERIOD = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")
#: Longest run of uncountable days a deadline may skip before we call it open-ended.
_SEARCH_LIMIT_DAYS = 3660


class PeriodError(ValueError):
    """A period text is not ``indefinite`` nor an ISO 8601 period of years/months/weeks/days."""


@dataclass(frozen=True, slots=True)
class Period:
    """An ISO 8601 calendar period (``P10Y``, ``P2Y6M``, ``P12M``, ``P7D``)."""

    years: int = 0
    months: int = 0
    days: int = 0

    @classmethod
    def parse(cls, text: str) -> Period | None:
        """``indefinite`` gives None (it never ends); anything unparsable is refused."""
        return _parse_period(text)

    @classmethod
    def _from_text(cls, text: str) -> Period | None:
        cleaned = text.strip().upper()
        if cleaned == "INDEFINITE":
            return None
        match = _PERIOD.match(cleaned)
        if not match or cleaned == "P":
            raise PeriodError(f"cannot read period {text!r}: expected 'indefinite' or e.g. P10Y")
        years, months, weeks, days = (int(g) if g else 0 for g in match.groups())
        return cls(years, months, weeks * 7 + days)

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months

    def halved(self) -> Period:
        """Half the period in whole months (and days); an odd half month is rounded up, so
        the requirement never ends before half of the full period has run."""
        months = -(-self.total_months // 2)
        return Period(months // 12, months % 12, -(-self.days // 2))

    def describe(self) -> str:
        """``1 year``, ``2 years 6 months``, ``7 days``: for summaries people read."""
        parts = [
            f"{n} {unit}{'s' if n != 1 else ''}"
            for n, unit in ((self.years, "year"), (self.months, "month"), (self.days, "day"))
            if n
        ]
        return " ".join(parts) or "0 days"

    def __str__(self) -> str:
        parts = "".join(
            f"{n}{u}" for n, u in ((self.years, "Y"), (self.months, "M"), (self.days, "D")) if n
        )
        return f"P{parts or '0D'}"


@lru_cache(maxsize=256)
def _parse_period(text: str) -> Period | None:
    return Period._from_text(text)


def add_months(day: date, months: int, overflow: Overflow = "roll_forward") -> date:
    """``day`` moved by calendar months. When the target month is too short (29 February in
    a common year, 31 August + 6 months), ``roll_forward`` gives the first day of the next
    month and ``clamp`` the last day of the short month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    try:
        return date(year, month, day.day)
    except ValueError:
        first_of_next = date(year + month // 12, month % 12 + 1, 1)
        return first_of_next if overflow == "roll_forward" else first_of_next - ONE_DAY


def add_period(day: date, period: Period, overflow: Overflow = "roll_forward") -> date:
    return add_months(day, period.total_months, overflow) + timedelta(days=period.days)


def age_on(date_of_birth: date, day: date, overflow: Overflow = "roll_forward") -> int:
    """Completed years on ``day``; a 29 February birthday falls per ``overflow``."""
    years = day.year - date_of_birth.year
    if add_months(date_of_birth, 12 * years, overflow) > day:
        years -= 1
    return years


# --- which days count ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DaySpan:
    """Days away (in custody, in hospital or abroad), both ends included; ``last`` None means
    still away."""

    first: date
    last: date | None

    def contains(self, day: date) -> bool:
        return self.first <= day and (self.last is None or day <= self.last)


class Absences:
    """The days an offender was away, for deadlines that disregard them."""

    __slots__ = ("spans",)

    def __init__(self, spans: Iterable[DaySpan] = ()):
        self.spans = tuple(sorted(spans, key=lambda s: s.first))

    def __bool__(self) -> bool:
        return bool(self.spans)

    def away_on(self, day: date) -> bool:
        return any(span.contains(day) for span in self.spans)

    def span_on(self, day: date) -> DaySpan | None:
        return next((span for span in self.spans if span.contains(day)), None)


@lru_cache(maxsize=64)
def _holiday_dates(country: str, year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays(country, years=year).keys())


@dataclass(frozen=True, slots=True)
class BusinessDays:
    """Weekdays that are not public holidays of ``holiday_country`` (``holidays`` package)."""

    weekend: tuple[int, ...] = (5, 6)
    holiday_country: str | None = None

    def is_business_day(self, day: date) -> bool:
        if day.weekday() in self.weekend:
            return False
        return self.holiday_country is None or day not in _holiday_dates(
            self.holiday_country, day.year
        )


def last_day_within(
    start: date,
    days: int,
    counting: Counting,
    business: BusinessDays | None = None,
    absences: Absences | None = None,
) -> date | None:
    """The last day of a period of ``days`` counted days.

    ``beginning_with`` counts ``start`` as day 1 (so the answer is ``start + days - 1`` when
    every day counts); ``after`` counts from the day after ``start``. Days that are not
    business days (when ``business`` is given) and days away are skipped. None means the
    period has not ended: the offender is still away.
    """
    if business is None and not absences:
        offset = days - 1 if counting == "beginning_with" else days
        return start + timedelta(days=offset)
    day = start if counting == "beginning_with" else start + ONE_DAY
    counted = 0
    for _ in range(_SEARCH_LIMIT_DAYS + days):
        if absences:
            span = absences.span_on(day)
            if span is not None:
                if span.last is None:
                    return None
                day = span.last + ONE_DAY
                continue
        if business is None or business.is_business_day(day):
            counted += 1
            if counted == days:
                return day
        day += ONE_DAY
    return None


def extend_past_absence(
    deadline: date,
    absences: Absences | None,
    grace_days: int,
    counting: Counting,
    business: BusinessDays | None = None,
) -> date | None:
    """A deadline that falls on a day away runs on until ``grace_days`` after the offender is
    back (s.85(3)-(4) style). None: still away, so not yet due."""
    if not absences:
        return deadline
    span = absences.span_on(deadline)
    if span is None:
        return deadline
    if span.last is None:
        return None
    back = span.last + ONE_DAY
    return last_day_within(back, grace_days, counting, business, absences)
