"""Trips from linked travel records, and the days they spent away."""

from __future__ import annotations

from datetime import date

from compliance_facts import leg, note

from tracker.compliance import CustodyPeriod
from tracker.compliance.trips import absence_spans, trips_of


def test_a_departure_pairs_with_the_next_return():
    out, back = leg("out", date(2026, 3, 1)), leg("in", date(2026, 3, 9))
    (trip,) = trips_of([back, out])
    assert (trip.out, trip.back) == (out, back)


def test_two_departures_in_a_row_leave_the_first_return_unknown():
    first, second = leg("out", date(2026, 3, 1)), leg("out", date(2026, 4, 1))
    back = leg("in", date(2026, 4, 8))
    trips = trips_of([first, second, back])
    assert [(t.out, t.back) for t in trips] == [(first, None), (second, back)]


def test_a_transit_leg_abroad_neither_starts_nor_ends_a_trip():
    out, onward = leg("out", date(2026, 3, 1)), leg("transit", date(2026, 3, 4))
    back = leg("in", date(2026, 3, 9))
    (trip,) = trips_of([out, onward, back])
    assert (trip.out, trip.back) == (out, back)
    assert trips_of([leg("transit", date(2026, 3, 4))]) == []


def test_a_return_with_no_departure_before_it_is_left_alone():
    assert trips_of([leg("in", date(2026, 3, 9))]) == []


def test_days_away_are_the_whole_days_between_departure_and_return():
    trips = trips_of([leg("out", date(2026, 3, 1)), leg("in", date(2026, 3, 9))])
    away = absence_spans((), trips, [])
    assert not away.away_on(date(2026, 3, 1))
    assert away.away_on(date(2026, 3, 2)) and away.away_on(date(2026, 3, 8))
    assert not away.away_on(date(2026, 3, 9))


def test_an_unseen_return_ends_before_the_next_notification_in_person():
    trips = trips_of([leg("out", date(2026, 3, 1))])
    away = absence_spans((), trips, [note("periodic", date(2026, 3, 20))])
    assert away.away_on(date(2026, 3, 19))
    assert not away.away_on(date(2026, 3, 20))


def test_custody_runs_to_the_day_before_release():
    away = absence_spans([CustodyPeriod(date(2026, 3, 1), date(2026, 3, 10))], [], [])
    assert away.away_on(date(2026, 3, 9))
    assert not away.away_on(date(2026, 3, 10))
