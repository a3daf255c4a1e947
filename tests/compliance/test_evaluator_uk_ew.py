"""England & Wales rules (domain.md section 1) at their boundary days: the last compliant day
raises nothing, the first late day raises the flag."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from compliance_facts import evaluate, history, kinds, leg, note, offender, only

from tracker.compliance import CustodyPeriod

START = date(2026, 3, 2)  # a Monday


# --- initial notification: 3 days beginning with the requirement start (s.83(1)) -------------


def test_initial_on_the_third_day_beginning_with_the_start_is_in_time():
    person = offender(requirement_start=START)
    notes = [note("initial", date(2026, 3, 4), effective_on=START)]
    assert kinds(evaluate(person, notes, as_of=date(2026, 3, 20))) == []


def test_initial_on_the_fourth_day_is_late():
    person = offender(requirement_start=START)
    initial = note("initial", date(2026, 3, 5), effective_on=START)
    flag = only(evaluate(person, [initial], as_of=date(2026, 3, 20)), "late_initial")
    assert flag.due_on == date(2026, 3, 4)
    assert flag.notification_pk == initial.pk
    assert "s.83(1)" in flag.rule


def test_a_missing_initial_is_not_flagged_on_the_last_compliant_day():
    person = offender(requirement_start=START)
    assert kinds(evaluate(person, [], as_of=date(2026, 3, 4))) == []


def test_a_missing_initial_is_flagged_on_the_first_late_day():
    person = offender(requirement_start=START)
    flag = only(evaluate(person, [], as_of=date(2026, 3, 5)), "late_initial")
    assert flag.due_on == date(2026, 3, 4)
    assert flag.notification_pk is None


CUSTODY = (CustodyPeriod(date(2026, 3, 3), released_on=date(2026, 3, 10)),)


def test_days_in_custody_do_not_count_towards_the_three_days():
    person = offender(requirement_start=START)
    notes = [note("initial", date(2026, 3, 11), effective_on=START)]
    assert kinds(evaluate(person, notes, as_of=date(2026, 3, 20), custody=CUSTODY)) == []


def test_after_custody_the_day_past_the_three_counted_days_is_late():
    person = offender(requirement_start=START)
    notes = [note("initial", date(2026, 3, 12), effective_on=START)]
    flag = only(evaluate(person, notes, as_of=date(2026, 3, 20), custody=CUSTODY), "late_initial")
    assert flag.due_on == date(2026, 3, 11)


def _notified_trip(out_day: date, back_day: date, band: str = "match"):
    notice = note(
        "foreign_travel",
        date(2026, 2, 1),
        departure_date=out_day,
        return_date=back_day,
        destination_countries="THA",
    )
    return notice, [leg("out", out_day, band=band), leg("in", back_day, band=band)]


def test_whole_days_abroad_do_not_count_towards_the_three_days():
    notice, trip = _notified_trip(date(2026, 3, 3), date(2026, 3, 8))
    person = offender(requirement_start=START)
    in_time = [notice, note("initial", date(2026, 3, 8), effective_on=START)]
    late = [notice, note("initial", date(2026, 3, 9), effective_on=START)]
    assert kinds(evaluate(person, in_time, trip, as_of=date(2026, 3, 20))) == []
    assert kinds(evaluate(person, late, trip, as_of=date(2026, 3, 20))) == ["late_initial"]


def test_a_review_band_trip_does_not_stop_the_days_counting():
    notice, trip = _notified_trip(date(2026, 3, 3), date(2026, 3, 8), band="review")
    person = offender(requirement_start=START)
    notes = [notice, note("initial", date(2026, 3, 8), effective_on=START)]
    assert kinds(evaluate(person, notes, trip, as_of=date(2026, 3, 20))) == ["late_initial"]


# --- changes: 3 days beginning with the event (s.84(1)) -------------------------------------


@pytest.mark.parametrize("kind", ["change_name", "change_address", "change_other"])
def test_a_change_notified_on_the_third_day_is_in_time(kind):
    person = offender(requirement_start=START)
    notes = [*history(START), note(kind, date(2026, 5, 12), effective_on=date(2026, 5, 10))]
    assert kinds(evaluate(person, notes, as_of=date(2026, 6, 1))) == []


@pytest.mark.parametrize("kind", ["change_name", "change_address", "change_other"])
def test_a_change_notified_on_the_fourth_day_is_late(kind):
    person = offender(requirement_start=START)
    change = note(kind, date(2026, 5, 13), effective_on=date(2026, 5, 10))
    flag = only(evaluate(person, [*history(START), change], as_of=date(2026, 6, 1)), "late_change")
    assert flag.due_on == date(2026, 5, 12)
    assert flag.notification_pk == change.pk
    assert flag.flag_key.endswith(f"notification:{change.notification_id}")


# --- periodic: within one year after the last s.83-85 notification (s.85) -------------------

OLD_START = date(2020, 1, 6)


def _yearly(last: date, *more):
    return [*history(OLD_START), note("periodic", last), *more]


def test_periodic_is_not_overdue_on_the_anniversary_of_the_last_notification():
    person = offender(requirement_start=OLD_START)
    assert kinds(evaluate(person, _yearly(date(2025, 3, 10)), as_of=date(2026, 3, 10))) == []


def test_periodic_is_overdue_the_day_after_the_anniversary():
    person = offender(requirement_start=OLD_START)
    notes = _yearly(date(2025, 3, 10))
    flag = only(evaluate(person, notes, as_of=date(2026, 3, 11)), "overdue_periodic")
    assert flag.due_on == date(2026, 3, 10)
    assert flag.notification_pk == notes[-1].pk


def test_a_change_notification_restarts_the_yearly_clock():
    person = offender(requirement_start=OLD_START)
    move = note("change_address", date(2025, 9, 1), effective_on=date(2025, 9, 1))
    assert kinds(evaluate(person, _yearly(date(2025, 3, 10), move), as_of=date(2026, 3, 11))) == []


def test_a_foreign_travel_notification_does_not_restart_the_yearly_clock():
    person = offender(requirement_start=OLD_START)
    travel = note(
        "foreign_travel",
        date(2025, 9, 1),
        departure_date=date(2026, 6, 1),
        destination_countries="FRA",
    )
    result = evaluate(person, _yearly(date(2025, 3, 10), travel), as_of=date(2026, 3, 11))
    assert kinds(result) == ["overdue_periodic"]


def test_a_year_after_29_february_ends_on_1_march():
    person = offender(requirement_start=OLD_START)
    notes = _yearly(date(2024, 2, 29))
    assert kinds(evaluate(person, notes, as_of=date(2025, 3, 1))) == []
    flag = only(evaluate(person, notes, as_of=date(2025, 3, 2)), "overdue_periodic")
    assert flag.due_on == date(2025, 3, 1)


def test_a_year_ending_in_custody_runs_on_until_three_days_after_release():
    person = offender(requirement_start=OLD_START)
    custody = (CustodyPeriod(date(2026, 3, 1), released_on=date(2026, 3, 20)),)
    notes = _yearly(date(2025, 3, 10))
    assert kinds(evaluate(person, notes, as_of=date(2026, 3, 22), custody=custody)) == []
    late = evaluate(person, notes, as_of=date(2026, 3, 23), custody=custody)
    assert only(late, "overdue_periodic").due_on == date(2026, 3, 22)


def test_no_flags_at_all_while_in_custody():
    person = offender(requirement_start=OLD_START)
    custody = (CustodyPeriod(date(2026, 3, 1), released_on=None),)
    result = evaluate(person, _yearly(date(2024, 3, 10)), as_of=date(2026, 3, 23), custody=custody)
    assert kinds(result) == []
    assert "custody" in result.excluded


def test_a_year_ending_abroad_runs_on_until_three_days_after_the_return():
    notice, trip = _notified_trip(date(2026, 3, 5), date(2026, 3, 15))
    person = offender(requirement_start=OLD_START)
    notes = _yearly(date(2025, 3, 10), notice)
    assert kinds(evaluate(person, notes, trip, as_of=date(2026, 3, 17))) == []
    late = evaluate(person, notes, trip, as_of=date(2026, 3, 18))
    assert only(late, "overdue_periodic").due_on == date(2026, 3, 17)


def test_an_uncertain_trip_does_not_extend_the_year():
    notice, trip = _notified_trip(date(2026, 3, 5), date(2026, 3, 15), band="review")
    person = offender(requirement_start=OLD_START)
    notes = _yearly(date(2025, 3, 10), notice)
    assert kinds(evaluate(person, notes, trip, as_of=date(2026, 3, 11))) == ["overdue_periodic"]


def test_notifications_made_after_the_as_of_date_are_not_known_yet():
    person = offender(requirement_start=OLD_START)
    notes = _yearly(date(2025, 3, 10), note("periodic", date(2026, 3, 15)))
    assert kinds(evaluate(person, notes, as_of=date(2026, 3, 11))) == ["overdue_periodic"]
    assert kinds(evaluate(person, notes, as_of=date(2026, 3, 15))) == []


# --- weekly: no fixed abode (s.85 + 2012 regs) ----------------------------------------------


def _weekly(last: date):
    return [*history(date(2026, 1, 5)), note("weekly", last)]


def test_weekly_is_not_overdue_seven_days_after_the_last_notification():
    person = offender(requirement_start=date(2026, 1, 5), fixed_abode=False)
    assert kinds(evaluate(person, _weekly(date(2026, 11, 1)), as_of=date(2026, 11, 8))) == []


def test_weekly_is_overdue_on_the_eighth_day_and_replaces_the_yearly_clock():
    person = offender(requirement_start=date(2026, 1, 5), fixed_abode=False)
    result = evaluate(person, _weekly(date(2026, 11, 1)), as_of=date(2026, 11, 9))
    assert kinds(result) == ["overdue_weekly"]
    assert only(result, "overdue_weekly").due_on == date(2026, 11, 8)


# --- end of the notification period (s.82) --------------------------------------------------


def _long_overdue(start: date):
    return [note("initial", start, effective_on=start), note("periodic", date(2024, 6, 3))]


def test_flags_are_raised_on_the_last_day_of_a_ten_year_period():
    person = offender(requirement_start=date(2016, 3, 10), notification_period="P10Y")
    result = evaluate(person, _long_overdue(date(2016, 3, 10)), as_of=date(2026, 3, 9))
    assert kinds(result) == ["overdue_periodic"]


def test_no_flags_once_the_period_has_ended():
    person = offender(requirement_start=date(2016, 3, 10), notification_period="P10Y")
    result = evaluate(person, _long_overdue(date(2016, 3, 10)), as_of=date(2026, 3, 10))
    assert kinds(result) == []
    assert "2026-03-09" in result.excluded


def test_a_period_beginning_with_29_february_ends_after_28_february():
    person = offender(requirement_start=date(2016, 2, 29), notification_period="P10Y")
    notes = _long_overdue(date(2016, 2, 29))
    assert kinds(evaluate(person, notes, as_of=date(2026, 2, 28))) == ["overdue_periodic"]
    assert kinds(evaluate(person, notes, as_of=date(2026, 3, 1))) == []


def test_an_indefinite_requirement_never_ends():
    person = offender(requirement_start=date(2006, 3, 10))
    notes = [
        note("initial", date(2006, 3, 10), effective_on=date(2006, 3, 10)),
        note("periodic", date(2040, 1, 2)),
    ]
    assert kinds(evaluate(person, notes, as_of=date(2041, 1, 3))) == ["overdue_periodic"]


def test_the_period_is_halved_for_an_offender_under_18_at_the_start():
    start = date(2021, 3, 10)
    person = offender(
        requirement_start=start, notification_period="P10Y", date_of_birth=date(2003, 3, 11)
    )  # 17 on the start date
    notes = _long_overdue(start)
    assert kinds(evaluate(person, notes, as_of=date(2026, 3, 9))) == ["overdue_periodic"]
    assert kinds(evaluate(person, notes, as_of=date(2026, 3, 10))) == []


def test_the_period_is_not_halved_for_an_offender_18_on_the_start_date():
    start = date(2021, 3, 10)
    person = offender(
        requirement_start=start, notification_period="P10Y", date_of_birth=date(2003, 3, 10)
    )
    assert kinds(evaluate(person, _long_overdue(start), as_of=date(2026, 3, 10))) == [
        "overdue_periodic"
    ]


@pytest.mark.parametrize("status", ["in_custody", "deceased", "removed"])
def test_no_flags_for_offenders_in_custody_deceased_or_removed(status):
    person = offender(requirement_start=OLD_START, status=status)
    result = evaluate(person, [], [leg("out", date(2026, 2, 1))], as_of=date(2026, 3, 11))
    assert kinds(result) == []
    assert status in result.excluded


# --- foreign travel: at least 7 days before departure (2004 regs as amended 2012) -----------

TRAVEL_START = date(2026, 1, 5)
OUT, BACK = date(2026, 6, 15), date(2026, 6, 25)
AFTER_TRIP = date(2026, 7, 10)


def _trip(band: str = "match", probability: float = 0.98):
    return [
        leg("out", OUT, band=band, probability=probability),
        leg("in", BACK, band=band, probability=probability),
    ]


def _travel_notice(on: date, **values):
    values.setdefault("departure_date", OUT)
    values.setdefault("return_date", BACK)
    values.setdefault("destination_countries", "THA")
    return note("foreign_travel", on, **values)


def _travel_case(*notes, risk: str = "medium", travel=None):
    person = offender(requirement_start=TRAVEL_START, risk_level=risk)
    return evaluate(
        person,
        [*history(TRAVEL_START), *notes],
        _trip() if travel is None else travel,
        as_of=AFTER_TRIP,
    )


def test_travel_notified_seven_days_before_departure_is_in_time():
    assert kinds(_travel_case(_travel_notice(date(2026, 6, 8)))) == []


def test_travel_notified_six_days_before_departure_is_late():
    notice = _travel_notice(date(2026, 6, 9))
    flag = only(_travel_case(notice), "late_travel_notification")
    assert flag.due_on == date(2026, 6, 8)
    assert flag.notification_pk == notice.pk
    assert flag.match_probability == pytest.approx(0.98)


def test_late_notice_says_whether_it_met_the_twelve_hour_minimum():
    at = datetime(2026, 6, 14, 20, 0, tzinfo=UTC)  # 14 hours before the 10:00 departure
    flag = only(
        _travel_case(_travel_notice(date(2026, 6, 14), notified_at=at)), "late_travel_notification"
    )
    assert "met the 12-hour minimum" in flag.summary
    assert flag.evidence["notice_hours"] == 14.0


def test_travel_with_no_notification_is_unnotified_and_carries_the_link():
    trip = _trip(band="review", probability=0.71)
    flag = only(_travel_case(travel=trip), "unnotified_travel")
    assert flag.travel_pk == trip[0].travel_pk
    assert flag.link_id == trip[0].link_id
    assert flag.match_probability == pytest.approx(0.71)
    assert flag.due_on == date(2026, 6, 8)
    assert flag.evidence["travel"]["band"] == "review"
    assert "0.71" in flag.summary


def test_a_notice_three_days_off_the_departure_is_about_that_trip_with_other_details():
    notice = _travel_notice(date(2026, 6, 1), departure_date=date(2026, 6, 18))
    assert kinds(_travel_case(notice)) == ["travel_details_mismatch"]


def test_a_notice_four_days_off_the_departure_is_about_another_trip():
    notice = _travel_notice(date(2026, 6, 1), departure_date=date(2026, 6, 19))
    back = note("travel_return", date(2026, 6, 25), return_date=BACK)
    assert kinds(_travel_case(notice, back)) == ["unnotified_travel"]


def test_an_unnotified_trip_also_needs_its_return_notified():
    result = _travel_case()
    assert kinds(result) == ["missing_return_notification", "unnotified_travel"]
    back = _travel_case(note("travel_return", date(2026, 6, 26), return_date=BACK))
    assert kinds(back) == ["unnotified_travel"]


def test_a_notice_for_another_destination_is_a_mismatch():
    notice = _travel_notice(date(2026, 6, 1), destination_countries="VNM")
    flag = only(_travel_case(notice), "travel_details_mismatch")
    assert flag.evidence["notified_destinations"] == ["VNM"]


def test_a_notice_listing_the_first_country_of_arrival_among_others_agrees():
    notice = _travel_notice(date(2026, 6, 1), destination_countries="VNM|THA")
    assert kinds(_travel_case(notice)) == []


def test_travel_before_the_requirement_began_is_not_flagged():
    early = [leg("out", date(2025, 12, 20)), leg("in", date(2026, 1, 2))]
    assert kinds(_travel_case(travel=early)) == []


def test_foreign_travel_rules_apply_from_13_august_2012():
    start = date(2010, 1, 4)
    person = offender(requirement_start=start)
    notes = [*history(start), note("periodic", date(2012, 1, 2))]
    before = [leg("out", date(2012, 8, 12))]
    from_day = [leg("out", date(2012, 8, 13))]
    assert kinds(evaluate(person, notes, before, as_of=date(2012, 9, 1))) == []
    assert kinds(evaluate(person, notes, from_day, as_of=date(2012, 9, 1))) == ["unnotified_travel"]


def test_travel_after_the_as_of_date_is_not_known_yet():
    person = offender(requirement_start=TRAVEL_START)
    result = evaluate(person, history(TRAVEL_START), _trip(), as_of=date(2026, 6, 14))
    assert kinds(result) == []


# --- returns: the notified return date, or a return notice within 3 days (to confirm) -------


def test_a_return_on_the_notified_date_needs_no_return_notice():
    assert kinds(_travel_case(_travel_notice(date(2026, 6, 1)))) == []


def test_a_notified_return_one_day_off_the_return_flight_is_the_same_return():
    notice = _travel_notice(date(2026, 6, 1), return_date=date(2026, 6, 26))
    assert kinds(_travel_case(notice)) == []


def _unplanned_return(return_notice_on: date | None, as_of: date = AFTER_TRIP):
    person = offender(requirement_start=TRAVEL_START)
    notes = [*history(TRAVEL_START), _travel_notice(date(2026, 6, 1), return_date=None)]
    if return_notice_on is not None:
        notes.append(note("travel_return", return_notice_on, return_date=BACK))
    return evaluate(person, notes, _trip(), as_of=as_of)


def test_a_return_notice_on_the_last_day_is_in_time():
    # the return flight is dated 25 June; it may land on the 26th, day 1 of the 3
    assert kinds(_unplanned_return(date(2026, 6, 28))) == []


def test_a_return_notice_the_day_after_is_too_late():
    flag = only(_unplanned_return(date(2026, 6, 29)), "missing_return_notification")
    assert flag.due_on == date(2026, 6, 28)
    assert flag.travel_pk is not None
    assert "came on 2026-06-29" in flag.summary


def test_a_missing_return_notice_is_flagged_only_once_its_deadline_has_passed():
    assert kinds(_unplanned_return(None, as_of=date(2026, 6, 28))) == []
    flag = only(_unplanned_return(None, as_of=date(2026, 6, 29)), "missing_return_notification")
    assert flag.evidence["travel"]["direction"] == "in"


def test_a_return_not_in_the_travel_data_raises_nothing():
    person = offender(requirement_start=TRAVEL_START)
    notes = [*history(TRAVEL_START), _travel_notice(date(2026, 6, 1), return_date=None)]
    assert kinds(evaluate(person, notes, [leg("out", OUT)], as_of=AFTER_TRIP)) == []


# --- whereabouts unknown --------------------------------------------------------------------


def test_a_wanted_offender_is_flagged_whereabouts_unknown():
    person = offender(requirement_start=OLD_START, status="wanted", wanted_since=date(2026, 10, 1))
    result = evaluate(person, _yearly(date(2026, 9, 1)), as_of=date(2026, 11, 20))
    flag = only(result, "whereabouts_unknown")
    assert flag.due_on == date(2026, 10, 1)


def test_overdue_by_the_grace_period_is_not_yet_whereabouts_unknown():
    person = offender(requirement_start=OLD_START)
    result = evaluate(person, _yearly(date(2023, 3, 10)), as_of=date(2026, 3, 10))
    assert kinds(result) == ["overdue_periodic"]


def test_overdue_past_the_grace_period_with_no_travel_is_whereabouts_unknown():
    person = offender(requirement_start=OLD_START)
    result = evaluate(person, _yearly(date(2023, 3, 10)), as_of=date(2026, 3, 11))
    assert kinds(result) == ["overdue_periodic", "whereabouts_unknown"]
    assert only(result, "whereabouts_unknown").due_on == date(2024, 3, 10)


def test_travel_seen_since_the_last_notification_means_whereabouts_are_not_unknown():
    person = offender(requirement_start=OLD_START)
    seen = [leg("out", date(2025, 5, 1)), leg("in", date(2025, 5, 9))]
    result = evaluate(person, _yearly(date(2023, 3, 10)), seen, as_of=date(2026, 3, 11))
    assert "whereabouts_unknown" not in kinds(result)


def test_weekly_overdue_past_eight_weeks_is_whereabouts_unknown():
    person = offender(requirement_start=date(2026, 1, 5), fixed_abode=False)
    notes = _weekly(date(2026, 9, 1))  # due 8 September; grace 56 days to 3 November
    assert kinds(evaluate(person, notes, as_of=date(2026, 11, 3))) == ["overdue_weekly"]
    assert kinds(evaluate(person, notes, as_of=date(2026, 11, 4))) == [
        "overdue_weekly",
        "whereabouts_unknown",
    ]


# --- severity, keys and evidence ------------------------------------------------------------


@pytest.mark.parametrize(
    ("risk", "severity"),
    [
        ("very_high", "critical"),
        ("high", "critical"),
        ("medium", "high"),
        ("low", "medium"),
        (None, "high"),
    ],
)
def test_unnotified_travel_severity_follows_the_risk_level(risk, severity):
    assert only(_travel_case(risk=risk), "unnotified_travel").severity == severity


def test_late_paperwork_by_a_low_risk_offender_is_low():
    person = offender(requirement_start=START, risk_level="low")
    late = note("initial", date(2026, 3, 5), effective_on=START)
    assert only(evaluate(person, [late], as_of=date(2026, 3, 20)), "late_initial").severity == "low"


def test_the_same_facts_give_the_same_natural_keys():
    person = offender(requirement_start=TRAVEL_START)
    notes, travel = history(TRAVEL_START), _trip()
    first = evaluate(person, notes, travel, as_of=AFTER_TRIP)
    second = evaluate(person, notes, travel, as_of=date(2026, 7, 11))
    assert [c.flag_key for c in first.candidates] == [c.flag_key for c in second.candidates]
    assert first.candidates[0].flag_key == (
        f"unnotified_travel|{person.offender_id}|travel:api-test/{travel[0].record_id}"
    )


def test_evidence_refers_to_records_by_id_only():
    flag = only(_travel_case(), "unnotified_travel")
    assert set(flag.evidence) <= {
        "offender_id",
        "jurisdiction",
        "rule",
        "due_on",
        "travel",
        "notification_id",
        "notified_on",
    }
    assert set(flag.evidence["travel"]) == {
        "source",
        "record_id",
        "direction",
        "departure_date",
        "link_id",
        "band",
        "match_probability",
    }
