"""The whereabouts rule: wanted, or overdue past the grace period with no travel seen since
the last contact."""

from __future__ import annotations

from tracker.compliance.calendar import Period, add_period
from tracker.compliance.facts import FlagCandidate
from tracker.compliance.situation import Overdue, Situation


def whereabouts_flags(situation: Situation, overdue: Overdue | None) -> list[FlagCandidate]:
    """Wanted; or overdue past the grace period with no travel seen since the last contact."""
    rule = situation.profile.whereabouts
    offender = situation.offender
    if rule.wanted_status and offender.status == "wanted":
        since = offender.wanted_since
        summary = f"Status wanted{f' since {since}' if since else ''}: whereabouts unknown."
        anchor = f"wanted:{since}" if since else "wanted"
        return [
            situation.candidate("whereabouts_unknown", anchor, rule, "whereabouts", since, summary)
        ]
    if overdue is None or overdue.clock not in rule.grace_after_overdue:
        return []
    grace = Period.parse(rule.grace_after_overdue[overdue.clock])
    assert grace is not None
    limit = add_period(overdue.due_on, grace, situation.profile.calendar.overflow)
    if situation.as_of <= limit:
        return []
    since = overdue.anchor.notified_on if overdue.anchor else offender.requirement_start
    bands = situation.profile.absences.abroad_link_bands
    if any(r.band in bands and r.departure_local_date > since for r in situation.travel):
        return []
    last = (
        f"the last notification was on {since}"
        if overdue.anchor
        else f"no notification since the requirement began on {since}"
    )
    summary = (
        f"The {overdue.clock} notification due by {overdue.due_on} is more than "
        f"{grace.describe()} overdue, {last}, and no travel has been seen since."
    )
    anchor = f"after:{overdue.anchor.notification_id}" if overdue.anchor else "no-notification"
    return [
        situation.candidate(
            "whereabouts_unknown",
            anchor,
            rule,
            "whereabouts",
            overdue.due_on,
            summary,
            {"grace": str(grace)},
            notification=overdue.anchor,
        )
    ]
