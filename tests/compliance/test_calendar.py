"""Day counting: periods, 29 February, business days and days away."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.compliance.calendar import (
    Absences,
    BusinessDays,
    DaySpan,
    Period,
    PeriodError,
    add_months,
    add_period,
    age_on,
    extend_past_absence,
    last_day_within,
)

US = BusinessDays(holiday_country="US")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P10Y", Period(10)),
        ("P2Y6M", Period(2, 6)),
        ("P12M", Period(0, 12)),
        ("P7D", Period(days=7)),
        ("P8W", Period(days=56)),
        ("p5y", Period(5)),
    ],
)
def test_periods_parse_years_months_weeks_and_days(text, expected):
    assert Period.parse(text) == expected


def test_indefinite_is_a_period_that_never_ends():
    assert Period.parse("indefinite") is None


@pytest.mark.parametrize("text", ["", "P", "10Y", "P1.5Y", "forever"])
def test_unreadable_periods_are_refused_with_the_text(text):
    with pytest.raises(PeriodError, match="cannot read period"):
        Period.parse(text)


@pytest.mark.parametrize(
    ("full", "half"),
    [
        ("P10Y", Period(5)),
        ("P7Y", Period(3, 6)),
        ("P5Y", Period(2, 6)),
        ("P2Y", Period(1)),
        ("P2Y6M", Period(1, 3)),
        ("P1Y3M", Period(0, 8)),
    ],
)
def test_halving_works_in_whole_months_and_rounds_an_odd_half_month_up(full, half):
    assert Period.parse(full).halved() == half


def test_a_year_after_29_february_is_1_march_when_rolling_forward():
    assert add_months(date(2024, 2, 29), 12) == date(2025, 3, 1)
    assert add_months(date(2024, 2, 29), 48) == date(2028, 2, 29)


def test_clamping_gives_28_february_instead():
    assert add_months(date(2024, 2, 29), 12, "clamp") == date(2025, 2, 28)


def test_six_months_after_31_august_rolls_into_march():
    assert add_months(date(2025, 8, 31), 6) == date(2026, 3, 1)
    assert add_months(date(2025, 8, 31), 6, "clamp") == date(2026, 2, 28)


def test_adding_a_period_adds_months_then_days():
    assert add_period(date(2026, 1, 31), Period(0, 1, 7)) == date(2026, 3, 8)


def test_a_29_february_birthday_is_reached_on_1_march_in_a_common_year():
    born = date(2008, 2, 29)
    assert age_on(born, date(2026, 2, 28)) == 17
    assert age_on(born, date(2026, 3, 1)) == 18


def test_beginning_with_counts_the_event_day_as_day_one():
    assert last_day_within(date(2026, 3, 2), 3, "beginning_with") == date(2026, 3, 4)


def test_after_counts_from_the_next_day():
    assert last_day_within(date(2026, 3, 2), 3, "after") == date(2026, 3, 5)


def test_business_days_skip_the_weekend():
    friday = date(2026, 3, 6)
    assert last_day_within(friday, 3, "after", US) == date(2026, 3, 11)


def test_business_days_skip_us_federal_holidays():
    friday_before_mlk_day = date(2026, 1, 16)
    assert last_day_within(friday_before_mlk_day, 3, "after", US) == date(2026, 1, 22)


def test_days_away_do_not_count():
    away = Absences([DaySpan(date(2026, 3, 3), date(2026, 3, 9))])
    assert last_day_within(date(2026, 3, 2), 3, "beginning_with", None, away) == date(2026, 3, 11)


def test_a_period_still_running_while_away_has_no_last_day_yet():
    away = Absences([DaySpan(date(2026, 3, 3), None)])
    assert last_day_within(date(2026, 3, 2), 3, "beginning_with", None, away) is None


def test_a_deadline_falling_while_away_runs_on_until_three_days_after_the_return():
    away = Absences([DaySpan(date(2026, 3, 1), date(2026, 3, 19))])
    extended = extend_past_absence(date(2026, 3, 10), away, 3, "beginning_with")
    assert extended == date(2026, 3, 22)


def test_a_deadline_outside_any_absence_stays_where_it_is():
    away = Absences([DaySpan(date(2026, 3, 1), date(2026, 3, 5))])
    assert extend_past_absence(date(2026, 3, 10), away, 3, "beginning_with") == date(2026, 3, 10)
