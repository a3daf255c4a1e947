"""The rules screening runs for a hit, as pure functions: the pre-departure flag and the
level-one decision, from each profile's data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tracker.compliance.facts import NotificationFacts, OffenderFacts, TravelFacts
from tracker.compliance.profile import load_profiles
from tracker.screening.rules import PENDING_KIND, level_one_reason, pending_departure

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
PROFILES = load_profiles()


def offender(**values) -> OffenderFacts:
    base = {
        "offender_pk": 7,
        "offender_id": "VR-0000007",
        "date_of_birth": date(1980, 1, 1),
        "requirement_start": date(2020, 1, 1),
        "notification_period": "indefinite",
        "risk_level": "high",
    }
    return OffenderFacts(**{**base, **values})


def booked(hours: float, direction: str = "out", band: str = "match") -> TravelFacts:
    departure = NOW + timedelta(hours=hours)
    return TravelFacts(
        11,
        "api-lhr",
        "R1",
        direction,
        departure.date(),
        departure,
        "LHR",
        "BKK",
        "GBR",
        "THA",
        None,
        0.99,
        band,
    )


def notice(day: date, on: date, countries=("THA",)) -> NotificationFacts:
    return NotificationFacts(
        3, "N-1", "foreign_travel", on, departure_date=day, destination_countries=countries
    )


@pytest.mark.parametrize("profile_id", sorted(PROFILES))
def test_a_departure_inside_the_notice_period_without_notice_is_flagged(profile_id):
    profile = PROFILES[profile_id]
    flag = pending_departure(profile, offender(jurisdiction=profile_id), booked(30), [], NOW)
    assert flag is not None and flag.kind == PENDING_KIND
    assert flag.severity == "critical"  # high risk: the profiles' table
    assert flag.travel_pk == 11 and flag.evidence["travel"]["record_id"] == "R1"
    assert "with no foreign travel notification" in flag.summary
    assert flag.flag_key == f"{PENDING_KIND}|VR-0000007|travel:api-lhr/R1"


def test_no_flag_while_there_is_still_time_after_departure_or_with_a_notice_in_time():
    uk = PROFILES["uk-ew"]
    far = booked(24 * 10)
    assert pending_departure(uk, offender(), far, [], NOW) is None  # due date not passed
    assert pending_departure(uk, offender(), booked(-2), [], NOW) is None  # already left
    assert pending_departure(uk, offender(), booked(30, "in"), [], NOW) is None  # arriving
    trip = booked(30)
    in_time = notice(trip.departure_local_date, date(2026, 3, 1))
    assert pending_departure(uk, offender(), trip, [in_time], NOW) is None
    late = notice(trip.departure_local_date, date(2026, 3, 9))
    flag = pending_departure(uk, offender(), trip, [late], NOW)
    assert flag is not None and "came on 2026-03-09" in flag.summary
    elsewhere = notice(trip.departure_local_date, date(2026, 3, 1), ("USA",))
    assert pending_departure(uk, offender(), trip, [elsewhere], NOW) is not None
    assert pending_departure(uk, offender(status="in_custody"), trip, [], NOW) is None


def test_level_one_by_default():
    uk = PROFILES["uk-ew"]
    wanted = offender(status="wanted", risk_level="low")
    assert "wanted" in level_one_reason(uk, wanted, "match", booked(-5, "in"), NOW)
    assert level_one_reason(uk, wanted, "review", booked(5), NOW) is None
    high = offender(risk_level="very_high")
    reason = level_one_reason(uk, high, "match", booked(48), NOW)
    assert reason is not None and "very high risk" in reason and "72 hours" in reason
    assert level_one_reason(uk, high, "match", booked(80), NOW) is None
    assert level_one_reason(uk, high, "match", booked(48), NOW, notified=True) is None
    assert level_one_reason(uk, offender(risk_level="medium"), "match", booked(4), NOW) is None


def test_level_one_is_the_profiles_data():
    uk = PROFILES["uk-ew"]
    wider = uk.model_copy(
        update={"level_one": uk.level_one.model_copy(update={"bands": ("match", "review")})}
    )
    wanted = offender(status="wanted")
    assert level_one_reason(wider, wanted, "review", booked(5), NOW) is not None
    none = uk.model_copy(update={"level_one": None})
    assert level_one_reason(none, wanted, "match", booked(5), NOW) is None
