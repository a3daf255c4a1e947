"""SORNA rules (domain.md section 2) at their boundary days: business days for changes,
verification by tier, 21 days' notice of international travel, periods by tier."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from compliance_facts import evaluate, kinds, leg, note, offender, only

from tracker.compliance import CustodyPeriod


def registrant(tier: int | None = 1, **values):
    values.setdefault("requirement_start", date(2020, 1, 6))
    return offender(jurisdiction="us-sorna", tier=tier, **values)


def registered(start: date = date(2020, 1, 6), *more):
    return [note("initial", start, effective_on=start), *more]


# --- initial and changes: 3 business days after the event -----------------------------------


def test_initial_on_the_third_business_day_after_a_friday_start_is_in_time():
    start = date(2026, 3, 6)  # Friday: Monday, Tuesday, Wednesday 11 March
    person = registrant(requirement_start=start)
    notes = [note("initial", date(2026, 3, 11), effective_on=start)]
    assert kinds(evaluate(person, notes, as_of=date(2026, 3, 20))) == []


def test_initial_on_the_fourth_business_day_is_late():
    start = date(2026, 3, 6)
    person = registrant(requirement_start=start)
    notes = [note("initial", date(2026, 3, 12), effective_on=start)]
    flag = only(evaluate(person, notes, as_of=date(2026, 3, 20)), "late_initial")
    assert flag.due_on == date(2026, 3, 11)
    assert "us-sorna initial" in flag.rule


def test_a_change_over_a_federal_holiday_weekend_is_due_the_thursday():
    person = registrant()
    effective = date(2026, 1, 16)  # Friday before Martin Luther King Jr. Day
    in_time = registered(
        date(2020, 1, 6), note("change_address", date(2026, 1, 22), effective_on=effective)
    )
    late = registered(
        date(2020, 1, 6), note("change_address", date(2026, 1, 23), effective_on=effective)
    )
    assert kinds(evaluate(person, in_time, as_of=date(2026, 2, 1))) == []
    flag = only(evaluate(person, late, as_of=date(2026, 2, 1)), "late_change")
    assert flag.due_on == date(2026, 1, 22)


def test_an_observed_holiday_does_not_count_as_a_business_day():
    person = registrant()
    effective = date(2026, 7, 1)  # 3 July 2026 is Independence Day (observed)
    notes = registered(
        date(2020, 1, 6), note("change_name", date(2026, 7, 8), effective_on=effective)
    )
    flag = only(evaluate(person, notes, as_of=date(2026, 7, 20)), "late_change")
    assert flag.due_on == date(2026, 7, 7)


# --- in-person verification every 12, 6 or 3 months by tier ---------------------------------


@pytest.mark.parametrize(
    ("tier", "last", "due"),
    [
        (3, date(2026, 1, 15), date(2026, 4, 15)),
        (2, date(2025, 8, 31), date(2026, 3, 1)),  # 31 August + 6 months rolls into March
        (1, date(2024, 2, 29), date(2025, 3, 1)),  # a year after 29 February
        (None, date(2025, 5, 4), date(2026, 5, 4)),
    ],  # no tier: the 12-month interval
)
def test_verification_is_due_by_the_tiers_interval_after_the_last_one(tier, last, due):
    person = registrant(tier)
    notes = registered(date(2020, 1, 6), note("periodic", last))
    assert kinds(evaluate(person, notes, as_of=due)) == []
    flag = only(evaluate(person, notes, as_of=due + timedelta(days=1)), "overdue_periodic")
    assert flag.due_on == due


def test_a_verification_falling_due_in_custody_is_due_three_business_days_after_release():
    person = registrant(3)
    notes = registered(date(2020, 1, 6), note("periodic", date(2026, 1, 15)))
    custody = (CustodyPeriod(date(2026, 4, 1), released_on=date(2026, 4, 20)),)  # a Monday
    assert kinds(evaluate(person, notes, as_of=date(2026, 4, 23), custody=custody)) == []
    late = evaluate(person, notes, as_of=date(2026, 4, 24), custody=custody)
    assert only(late, "overdue_periodic").due_on == date(2026, 4, 23)


def test_time_abroad_does_not_extend_a_sorna_verification():
    person = registrant(3)
    trip_notice = note(
        "foreign_travel",
        date(2026, 2, 1),
        departure_date=date(2026, 4, 10),
        return_date=date(2026, 4, 20),
        destination_countries="THA",
    )
    notes = registered(date(2020, 1, 6), note("periodic", date(2026, 1, 15)), trip_notice)
    trip = [leg("out", date(2026, 4, 10)), leg("in", date(2026, 4, 20))]
    assert kinds(evaluate(person, notes, trip, as_of=date(2026, 4, 16))) == ["overdue_periodic"]


def test_no_weekly_rule_applies_to_a_registrant_without_fixed_abode():
    person = registrant(3, fixed_abode=False)
    notes = registered(date(2020, 1, 6), note("periodic", date(2026, 11, 1)))
    assert kinds(evaluate(person, notes, as_of=date(2026, 11, 9))) == []


# --- international travel: at least 21 days' notice -----------------------------------------

DEPARTURE = date(2026, 6, 30)


def _travel(notified_on: date | None, risk: str = "medium"):
    person = registrant(risk_level=risk)
    notes = registered(date(2020, 1, 6), note("periodic", date(2026, 3, 1)))
    if notified_on is not None:
        notes.append(
            note(
                "foreign_travel", notified_on, departure_date=DEPARTURE, destination_countries="MEX"
            )
        )
    trip = [leg("out", DEPARTURE, abroad="MEX"), leg("in", date(2026, 7, 10), abroad="MEX")]
    return evaluate(person, notes, trip, as_of=date(2026, 7, 20))


def test_travel_notified_21_days_before_departure_is_in_time():
    assert kinds(_travel(date(2026, 6, 9))) == []


def test_travel_notified_20_days_before_departure_is_late():
    flag = only(_travel(date(2026, 6, 10)), "late_travel_notification")
    assert flag.due_on == date(2026, 6, 9)


def test_unnotified_travel_by_a_very_high_risk_registrant_is_critical():
    flag = only(_travel(None, risk="very_high"), "unnotified_travel")
    assert flag.severity == "critical"


def test_sorna_has_no_return_rule():
    assert "missing_return_notification" not in kinds(_travel(None))


# --- registration period by tier -------------------------------------------------------------


def _overdue_since_2024(start: date):
    return registered(start, note("periodic", date(2024, 6, 3)))


def test_tier_one_is_flagged_on_the_last_day_of_fifteen_years():
    start = date(2011, 3, 10)
    person = registrant(1, requirement_start=start, notification_period="indefinite")
    result = evaluate(person, _overdue_since_2024(start), as_of=date(2026, 3, 9))
    assert kinds(result) == ["overdue_periodic"]


def test_tier_one_raises_nothing_once_fifteen_years_have_passed():
    start = date(2011, 3, 10)
    person = registrant(1, requirement_start=start, notification_period="indefinite")
    assert kinds(evaluate(person, _overdue_since_2024(start), as_of=date(2026, 3, 10))) == []


def test_tier_three_is_for_life():
    start = date(1990, 3, 12)
    person = registrant(3, requirement_start=start)
    result = evaluate(person, _overdue_since_2024(start), as_of=date(2050, 1, 3))
    assert kinds(result) == ["overdue_periodic", "whereabouts_unknown"]


def test_sorna_periods_are_not_halved_for_juveniles():
    start = date(2011, 3, 10)
    person = registrant(1, requirement_start=start, date_of_birth=date(1995, 1, 1))
    result = evaluate(person, _overdue_since_2024(start), as_of=date(2026, 3, 9))
    assert kinds(result) == ["overdue_periodic"]


# --- whereabouts unknown ---------------------------------------------------------------------


def test_a_verification_a_year_past_due_with_no_travel_is_whereabouts_unknown():
    person = registrant(1)
    notes = registered(date(2020, 1, 6), note("periodic", date(2024, 3, 4)))  # due 2025-03-04
    assert kinds(evaluate(person, notes, as_of=date(2026, 3, 4))) == ["overdue_periodic"]
    assert kinds(evaluate(person, notes, as_of=date(2026, 3, 5))) == [
        "overdue_periodic",
        "whereabouts_unknown",
    ]


def test_a_wanted_registrant_is_flagged_whereabouts_unknown():
    person = registrant(2, status="wanted", wanted_since=date(2026, 5, 1))
    notes = registered(date(2020, 1, 6), note("periodic", date(2026, 4, 1)))
    assert kinds(evaluate(person, notes, as_of=date(2026, 5, 2))) == ["whereabouts_unknown"]
