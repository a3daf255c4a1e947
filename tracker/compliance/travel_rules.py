"""The foreign travel rules: notice before each departure, details that agree with the trip,
and a return notice where the travel notice did not give the return correctly."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from tracker.compliance.calendar import last_day_within
from tracker.compliance.facts import FlagCandidate, NotificationFacts, TravelFacts
from tracker.compliance.profile import ForeignTravelRule
from tracker.compliance.situation import Situation
from tracker.compliance.trips import Trip
from tracker.compliance.wording import days_text, deadline_text, link_text, route_text
from tracker.models.enums import FlagKind

RAISED_BEFORE_TRAVEL: frozenset[str] = frozenset({"pending_departure_without_notice"})
"""Kinds that screening raises before a departure: the nightly neither raises nor resolves
them (a person decides them; the trip, once taken, is judged by the rules above)."""


def notice_about(
    trip: Trip, notices: Sequence[NotificationFacts], rule: ForeignTravelRule
) -> tuple[str, NotificationFacts | None]:
    """Which foreign travel notice is about this trip, and whether its details agree.

    ``same``: same departure date and the destinations include the first country of arrival
    (the earliest such notice, the one most in time). ``other``: a notice within the window
    whose date or destination differs. ``none``: no notice near the departure.
    """
    day = trip.departure_date
    arrival = trip.out.arrival_country
    window = timedelta(days=rule.departure_window_days)
    near = [
        (gap, n)
        for n in notices
        if n.departure_date is not None and (gap := abs(n.departure_date - day)) <= window
    ]
    same = [
        n
        for _, n in near
        if n.departure_date == day and (arrival is None or arrival in n.destination_countries)
    ]
    if same:
        return "same", min(same, key=lambda n: (n.notified_on, n.pk))
    if near:
        return "other", min(near, key=lambda pair: (pair[0], pair[1].notified_on))[1]
    return "none", None


def _short_notice_hours(note: NotificationFacts, record: TravelFacts) -> float | None:
    if note.notified_at is None or record.departure_time is None:
        return None
    return (record.departure_time - note.notified_at).total_seconds() / 3600


def _departure_flags(
    situation: Situation, trip: Trip, verdict: str, note: NotificationFacts | None
) -> list[FlagCandidate]:
    """Unnotified, late, or other details: the departure leg of a trip."""
    rule = situation.profile.foreign_travel
    out = trip.out
    day = trip.departure_date
    due = day - timedelta(days=rule.notice_days)
    anchor = f"travel:{out.reference}"
    where = f"Left on {day} ({route_text(out)})"

    def flag(kind: FlagKind, summary: str, evidence: dict | None = None) -> list[FlagCandidate]:
        return [
            situation.candidate(
                kind,
                anchor,
                rule,
                "foreign_travel",
                due,
                summary,
                evidence,
                notification=note,
                record=out,
            )
        ]

    if verdict == "none":
        summary = (
            f"{where} with no foreign travel notification; notice was due by {due} "
            f"({days_text(rule.notice_days)} before departure). {link_text(out)}."
        )
        return flag("unnotified_travel", summary)
    assert note is not None
    if verdict == "other":
        notified = "|".join(note.destination_countries) or "no destination"
        summary = (
            f"{where}; notification {note.notification_id} of {note.notified_on} gave "
            f"departure {note.departure_date} to {notified}. {link_text(out)}."
        )
        given = {
            "notified_departure": str(note.departure_date),
            "notified_destinations": list(note.destination_countries),
        }
        return flag("travel_details_mismatch", summary, given)
    if note.notified_on <= due:
        return []
    hours = _short_notice_hours(note, out)
    short = rule.short_notice
    if short is not None and short.accepted and hours is not None and hours >= short.hours:
        return []
    before = (day - note.notified_on).days
    timing = (
        f"{days_text(before)} before departure"
        if before >= 0
        else f"{days_text(-before)} after departure"
    )
    summary = (
        f"{where}; notification {note.notification_id} was made on {note.notified_on}, "
        f"{timing}: it was due by {due} ({days_text(rule.notice_days)} before)."
    )
    evidence: dict = {}
    if short is not None and hours is not None:
        met = "met" if hours >= short.hours else "did not meet"
        summary += (
            f" It {met} the {short.hours}-hour minimum for details not known earlier "
            f"({short.basis}{', to confirm' if short.to_confirm else ''})."
        )
        evidence["notice_hours"] = round(hours, 1)
    summary += f" {link_text(out)}."
    return flag("late_travel_notification", summary, evidence)


def _return_flags(
    situation: Situation, trip: Trip, note: NotificationFacts | None, next_departure: date | None
) -> list[FlagCandidate]:
    """A return the travel notice did not give correctly needs a return notice in time."""
    rule = situation.profile.travel_return
    back = trip.back
    if rule is None or back is None:
        return []
    returned = back.departure_local_date
    tolerance = timedelta(days=rule.return_date_tolerance_days)
    if note is not None and note.return_date and abs(note.return_date - returned) <= tolerance:
        return []
    landed = returned + timedelta(days=rule.arrival_allowance_days)
    due = last_day_within(
        landed,
        rule.days,
        rule.counting,
        situation.profile.business_days_for(rule),
        situation.absences_for(rule),
    )
    if due is None:
        return []
    returns = [
        n
        for n in situation.of_kind("travel_return")
        if (n.return_date is not None and abs(n.return_date - returned) <= tolerance)
        or (
            n.return_date is None
            and returned <= n.notified_on
            and (next_departure is None or n.notified_on < next_departure)
        )
    ]
    if any(n.notified_on <= due for n in returns):
        return []
    if situation.as_of <= due:
        return []
    given = (
        f"the travel notification gave return {note.return_date}"
        if note and note.return_date
        else "no return date was notified in advance"
    )
    late = min(returns, key=lambda n: n.notified_on) if returns else None
    outcome = (
        f"the return notification {late.notification_id} came on {late.notified_on}, after"
        if late
        else "no return notification by"
    )
    summary = (
        f"Returned on {returned} ({route_text(back)}); {given}, and {outcome} {due} "
        f"({deadline_text(rule, 'the return')}). {link_text(back)}."
    )
    return [
        situation.candidate(
            "missing_return_notification",
            f"travel:{back.reference}",
            rule,
            "travel_return",
            due,
            summary,
            notification=late or note,
            record=back,
        )
    ]


def travel_flags(situation: Situation) -> list[FlagCandidate]:
    """Every trip that began while the requirement applied, against the notices held."""
    rule = situation.profile.foreign_travel
    notices = [n for n in situation.of_kind("foreign_travel") if n.departure_date is not None]
    flags: list[FlagCandidate] = []
    for i, trip in enumerate(situation.trips):
        day = trip.departure_date
        if day < situation.offender.requirement_start:
            continue
        if rule.applies_from is not None and day < rule.applies_from:
            continue
        verdict, note = notice_about(trip, notices, rule)
        flags += _departure_flags(situation, trip, verdict, note)
        following = situation.trips[i + 1].departure_date if i + 1 < len(situation.trips) else None
        flags += _return_flags(situation, trip, note, following)
    return flags
