"""The clock rules: the periodic notification (weekly for no fixed abode where the profile
says so), due within the interval after the last notification that restarts the clock."""

from __future__ import annotations

from datetime import date

from tracker.compliance.calendar import ONE_DAY, add_period, extend_past_absence
from tracker.compliance.facts import FlagCandidate
from tracker.compliance.profile import ClockRule
from tracker.compliance.situation import Overdue, Situation
from tracker.models.enums import FlagKind


def clock_rule(situation: Situation) -> tuple[str, ClockRule]:
    """Weekly for an offender of no fixed abode where the profile has a weekly rule."""
    weekly = situation.profile.weekly
    if weekly is not None and not situation.offender.fixed_abode:
        return "weekly", weekly
    return "periodic", situation.profile.periodic


def overdue_clock(situation: Situation) -> Overdue | None:
    """The periodic (or weekly) notification, if it is overdue: due within the interval after
    the last notification that restarts the clock; a deadline falling while the offender is
    away runs on until the extension after the return (s.85(3)-(4))."""
    name, rule = clock_rule(situation)
    restarting = situation.of_kind(*rule.restarted_by)
    if not restarting:
        return None
    anchor = restarting[-1]
    interval = rule.interval_for(situation.offender.tier)
    last_day = add_period(anchor.notified_on, interval, situation.profile.calendar.overflow)
    if rule.counting == "beginning_with":
        last_day -= ONE_DAY
    due: date | None = last_day
    if rule.extension is not None:
        ext = rule.extension
        due = extend_past_absence(
            last_day,
            situation.absences,
            ext.days,
            ext.counting,
            situation.profile.business_days_for(ext),
        )
    if due is None or situation.as_of <= due:
        return None
    return Overdue(name, due, anchor)


def clock_flag(situation: Situation, overdue: Overdue) -> FlagCandidate:
    name, rule = clock_rule(situation)
    anchor = overdue.anchor
    assert anchor is not None
    interval = rule.interval_for(situation.offender.tier)
    what = "No fixed abode: the weekly" if name == "weekly" else "The periodic"
    within = interval.describe()
    summary = (
        f"{what} notification was due by {overdue.due_on} (within {within} after the "
        f"last notification, {anchor.kind.replace('_', ' ')} {anchor.notification_id} "
        f"of {anchor.notified_on}); none has been made since."
    )
    kind: FlagKind = "overdue_weekly" if name == "weekly" else "overdue_periodic"
    return situation.candidate(
        kind,
        f"after:{anchor.notification_id}",
        rule,
        name,
        overdue.due_on,
        summary,
        {"interval": str(interval)},
        notification=anchor,
    )
