"""The rules screening runs for an offender hit, before the travel happens (pure functions:
facts in, a flag candidate or a reason out).

A departure booked inside the profile's notice period without a compliant foreign travel
notification is ``pending_departure_without_notice``; level one is the profile's own
setting (by default a match-band hit on a wanted offender, or on a high or very high risk
offender departing within 72 hours without a compliant notification).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from tracker.compliance.facts import FlagCandidate, NotificationFacts, OffenderFacts, TravelFacts
from tracker.compliance.profile import Profile
from tracker.compliance.situation import flag_key
from tracker.compliance.travel_rules import notice_about
from tracker.compliance.trips import Trip
from tracker.compliance.wording import days_text, link_text, route_text
from tracker.models.enums import FlagKind

PENDING_KIND: FlagKind = "pending_departure_without_notice"
DEPARTING = ("out",)  # a departure from the home country needs the notice


def compliant_notice(
    profile: Profile, travel: TravelFacts, notices: Sequence[NotificationFacts]
) -> tuple[bool, str]:
    """Whether a foreign travel notification in time is held for this departure, and what
    was found, in words (the nightly's own test of a notice: same date and destination,
    made by the due date, or a short notice the profile accepts)."""
    rule = profile.foreign_travel
    travel_notices = [
        n for n in notices if n.kind == "foreign_travel" and n.departure_date is not None
    ]
    verdict, note = notice_about(Trip(travel, None), travel_notices, rule)
    due = travel.departure_local_date - timedelta(days=rule.notice_days)
    if verdict == "none" or note is None:
        return False, "with no foreign travel notification"
    if verdict == "other":
        return False, (
            f"notification {note.notification_id} gave departure {note.departure_date} "
            "or another destination"
        )
    if note.notified_on <= due:
        return True, f"notification {note.notification_id} of {note.notified_on}"
    short = rule.short_notice
    if short is not None and short.accepted and note.notified_at and travel.departure_time:
        hours = (travel.departure_time - note.notified_at).total_seconds() / 3600
        if hours >= short.hours:
            return True, f"notification {note.notification_id}, short notice accepted"
    return False, f"notification {note.notification_id} came on {note.notified_on}, after {due}"


def departs_ahead(travel: TravelFacts, now: datetime) -> bool:
    """A departure from the home country that has not happened yet."""
    return (
        travel.direction in DEPARTING
        and travel.departure_time is not None
        and travel.departure_time > now
    )


def pending_departure(
    profile: Profile,
    offender: OffenderFacts,
    travel: TravelFacts,
    notices: Sequence[NotificationFacts],
    now: datetime,
) -> FlagCandidate | None:
    """The pre-departure flag for this hit, or None: no departure ahead, still time to notify
    (the due date has not passed), a compliant notice held, or no flags for this offender."""
    rule = profile.foreign_travel
    day = travel.departure_local_date
    if offender.status in profile.no_flags.statuses or not departs_ahead(travel, now):
        return None
    if day < offender.requirement_start or (rule.applies_from and day < rule.applies_from):
        return None
    due = day - timedelta(days=rule.notice_days)
    if now.date() <= due:
        return None
    compliant, found = compliant_notice(profile, travel, notices)
    if compliant:
        return None
    assert travel.departure_time is not None
    hours = (travel.departure_time - now).total_seconds() / 3600
    summary = (
        f"Booked to leave on {day} ({route_text(travel)}), in {hours:.0f} hours, {found}; "
        f"notice was due by {due} ({days_text(rule.notice_days)} before departure). "
        f"{link_text(travel)}."
    )
    return FlagCandidate(
        flag_key=flag_key(PENDING_KIND, offender.offender_id, f"travel:{travel.reference}"),
        kind=PENDING_KIND,
        severity=profile.severity.of(PENDING_KIND, offender.risk_level),
        offender_pk=offender.offender_pk,
        offender_id=offender.offender_id,
        due_on=due,
        rule=profile.cite(rule, "foreign_travel"),
        summary=summary,
        evidence={
            "offender_id": offender.offender_id,
            "jurisdiction": profile.id,
            "rule": "foreign_travel",
            "due_on": due.isoformat(),
            "travel": {
                "travel_pk": travel.travel_pk,
                "source": travel.source,
                "record_id": travel.record_id,
                "direction": travel.direction,
                "departure_date": day.isoformat(),
                "band": travel.band,
                "match_probability": travel.match_probability,
            },
        },
        travel_pk=travel.travel_pk,
        match_probability=travel.match_probability,
    )


def level_one_reason(
    profile: Profile,
    offender: OffenderFacts,
    hit_band: str,
    travel: TravelFacts,
    now: datetime,
    *,
    notified: bool = False,
) -> str | None:
    """Why this hit is level one under the profile, or None. ``notified``: a compliant
    foreign travel notification is held for the departure."""
    rule = profile.level_one
    if rule is None or hit_band not in rule.bands:
        return None
    cited = profile.cite(rule, "level_one")
    if offender.status in rule.statuses:
        return f"{hit_band}-band hit on an offender who is {offender.status} ({cited})"
    if offender.risk_level not in rule.risk_levels or notified or not departs_ahead(travel, now):
        return None
    assert travel.departure_time is not None
    if travel.departure_time - now > timedelta(hours=rule.within_hours):
        return None
    risk = (offender.risk_level or "").replace("_", " ")
    return (
        f"{hit_band}-band hit on a {risk} risk offender departing within "
        f"{rule.within_hours} hours with no compliant travel notification ({cited})"
    )
