"""The deadline rules: the initial notification within the profile's days of the requirement
start, and each change within its days of the event (s.83(1), s.84(1))."""

from __future__ import annotations

from tracker.compliance.calendar import last_day_within
from tracker.compliance.facts import FlagCandidate
from tracker.compliance.situation import Overdue, Situation
from tracker.compliance.wording import days_text, deadline_text


def initial_flags(situation: Situation) -> tuple[list[FlagCandidate], Overdue | None]:
    """Initial notification within the profile's days of the requirement start (s.83(1))."""
    rule = situation.profile.initial
    start = situation.offender.requirement_start
    business = situation.profile.business_days_for(rule)
    due = last_day_within(start, rule.days, rule.counting, business, situation.absences_for(rule))
    if due is None:
        return [], None
    allowed = deadline_text(rule, f"the requirement start {start}")
    initials = situation.of_kind("initial")
    if initials:
        first = initials[0]
        if first.notified_on <= due:
            return [], None
        late = (first.notified_on - due).days
        summary = (
            f"Initial notification made on {first.notified_on}, {days_text(late)} after the "
            f"last day allowed ({due}: {allowed})."
        )
        flag = situation.candidate(
            "late_initial", f"start:{start}", rule, "initial", due, summary, notification=first
        )
        return [flag], None
    if situation.as_of <= due:
        return [], None
    summary = (
        f"No initial notification: the requirement began on {start} and notification "
        f"was due by {due} ({allowed})."
    )
    flag = situation.candidate("late_initial", f"start:{start}", rule, "initial", due, summary)
    return [flag], Overdue("initial", due, None)


def change_flags(situation: Situation) -> list[FlagCandidate]:
    """Each change notified later than the profile's days from the event (s.84(1))."""
    rule = situation.profile.change
    business = situation.profile.business_days_for(rule)
    flags = []
    for note in situation.of_kind(*rule.kinds):
        event = note.effective_on
        if event is None or event < situation.offender.requirement_start:
            continue
        due = last_day_within(
            event, rule.days, rule.counting, business, situation.absences_for(rule)
        )
        if due is None or note.notified_on <= due:
            continue
        late = (note.notified_on - due).days
        summary = (
            f"{note.kind.replace('_', ' ').capitalize()} effective {event} was notified "
            f"on {note.notified_on}, {days_text(late)} late (due by {due}: "
            f"{deadline_text(rule, 'the change')})."
        )
        flags.append(
            situation.candidate(
                "late_change",
                f"notification:{note.notification_id}",
                rule,
                "change",
                due,
                summary,
                notification=note,
            )
        )
    return flags
