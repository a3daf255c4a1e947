"""The one evaluator: per offender and as of a date, the flags the profile's rules raise.

Pure: it reads plain facts (``facts.py``) and a jurisdiction profile, touches no database and
keeps no state, so the same inputs always give the same candidates with the same natural
keys. Every number it uses (periods, deadlines, counting, grace, severity) comes from the
profile; the section each rule rests on travels with the flag as its ``rule``.

Only what was known on the date counts: notifications made after it and travel after it are
ignored, so evaluating an earlier night again gives that night's answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from tracker.compliance.calendar import ONE_DAY, Period, PeriodError, add_period, age_on
from tracker.compliance.clock_rules import clock_flag, clock_rule, overdue_clock
from tracker.compliance.deadline_rules import change_flags, initial_flags
from tracker.compliance.facts import (
    CustodyPeriod,
    NotificationFacts,
    OffenderEvaluation,
    OffenderFacts,
    TravelFacts,
)
from tracker.compliance.profile import Profile, ProfileError, load_profiles
from tracker.compliance.situation import situation_of
from tracker.compliance.travel_rules import travel_flags
from tracker.compliance.whereabouts_rules import whereabouts_flags

DEFAULT_JURISDICTION = "uk-ew"
TRAVEL_KINDS = (
    "unnotified_travel",
    "late_travel_notification",
    "travel_details_mismatch",
    "missing_return_notification",
)


def notification_period_end(offender: OffenderFacts, profile: Profile) -> date | None:
    """The first day the requirement no longer applies (None: indefinite).

    The period begins with ``requirement_start``, so its last day is the day before
    ``requirement_start + period``. The tier's period wins where the profile has one; fixed
    periods are halved for those under the juvenile age on the start date.
    """
    rules = profile.notification_period
    text = rules.by_tier.get(offender.tier) if offender.tier is not None else None
    period = Period.parse(text or offender.notification_period)
    if period is None:
        return None
    if (
        rules.halve_fixed_for_juveniles
        and rules.juvenile_age is not None
        and age_on(offender.date_of_birth, offender.requirement_start, profile.calendar.overflow)
        < rules.juvenile_age
    ):
        period = period.halved()
    return add_period(offender.requirement_start, period, profile.calendar.overflow)


# --- the evaluator --------------------------------------------------------------------------


def _exclusion(
    offender: OffenderFacts, profile: Profile, as_of: date, custody: Sequence[CustodyPeriod]
) -> str | None:
    """Why no flag can be raised for this offender on this date, if so."""
    if offender.status in profile.no_flags.statuses:
        return f"status is {offender.status}"
    for period in custody:
        if period.start <= as_of and (period.released_on is None or as_of < period.released_on):
            return f"in custody since {period.start}"
    if as_of < offender.requirement_start:
        return f"the requirement starts on {offender.requirement_start}"
    end = notification_period_end(offender, profile)
    if end is not None and as_of >= end:
        return f"the notification period ended (its last day was {end - ONE_DAY})"
    return None


class Evaluator:
    """Applies each offender's jurisdiction profile. Holds the profiles and nothing else."""

    def __init__(self, profiles: Mapping[str, Profile] | None = None):
        self.profiles = dict(profiles) if profiles is not None else load_profiles()

    def clock_only_kinds(self) -> frozenset[str]:
        """Notification kinds that matter only as the latest restart of a clock (periodic,
        weekly): no other rule of any profile reads them. Older ones can be left unloaded,
        except those after a departure (they end a trip whose return is not seen)."""
        restarting: set[str] = set()
        other: set[str] = {"initial", "foreign_travel", "travel_return"}
        for profile in self.profiles.values():
            for clock in (profile.periodic, profile.weekly):
                if clock is not None:
                    restarting.update(clock.restarted_by)
            other.update(profile.change.kinds)
        return frozenset(restarting - other)

    def profile_for(self, offender: OffenderFacts) -> Profile:
        name = offender.jurisdiction or DEFAULT_JURISDICTION
        try:
            return self.profiles[name]
        except KeyError:
            raise ProfileError(
                f"offender {offender.offender_id}: no profile for jurisdiction {name!r} "
                f"(profiles: {', '.join(sorted(self.profiles))})"
            ) from None

    def evaluate(
        self,
        offender: OffenderFacts,
        notifications: Iterable[NotificationFacts] = (),
        travel: Iterable[TravelFacts] = (),
        as_of: date | None = None,
        custody: Sequence[CustodyPeriod] = (),
    ) -> OffenderEvaluation:
        """Flag candidates for one offender as of ``as_of``, or the reason there are none."""
        if as_of is None:
            raise ValueError("evaluate needs the as-of date")
        profile = self.profile_for(offender)
        notes = sorted(
            (n for n in notifications if n.notified_on <= as_of),
            key=lambda n: (n.notified_on, n.pk),
        )
        seen = [r for r in travel if r.departure_local_date <= as_of]
        result = OffenderEvaluation(
            offender.offender_pk,
            linked_travel_pks=frozenset(r.travel_pk for r in seen),
        )
        try:
            result.excluded = _exclusion(offender, profile, as_of, custody)
        except PeriodError as exc:
            result.problems.append(f"offender {offender.offender_id}: {exc}; read as indefinite")
            result.excluded = _exclusion(_with_indefinite_period(offender), profile, as_of, custody)
        if result.excluded is not None:
            return result
        situation = situation_of(offender, profile, as_of, notes, seen, custody)
        restarting = situation.of_kind(*clock_rule(situation)[1].restarted_by)
        result.last_contact = restarting[-1] if restarting else None
        late_initial, missing_initial = initial_flags(situation)
        overdue = overdue_clock(situation) or missing_initial
        result.candidates += late_initial
        result.candidates += change_flags(situation)
        if overdue is not None and overdue.clock != "initial":
            result.candidates.append(clock_flag(situation, overdue))
        result.candidates += travel_flags(situation)
        result.candidates += whereabouts_flags(situation, overdue)
        return result


def _with_indefinite_period(offender: OffenderFacts) -> OffenderFacts:
    return offender._replace(notification_period="indefinite", tier=None)


def resolution_reason(kind: str, evaluation: OffenderEvaluation, travel_pk: int | None) -> str:
    """Why a flag raised on an earlier night no longer holds, in plain words."""
    if evaluation.excluded is not None:
        return f"no flag can be raised now: {evaluation.excluded}"
    if kind in TRAVEL_KINDS:
        if travel_pk is not None and travel_pk not in evaluation.linked_travel_pks:
            return "the travel record is no longer linked to this offender"
        return "the notifications now held account for this travel"
    if kind in ("overdue_periodic", "overdue_weekly"):
        last = evaluation.last_contact
        if last is not None:
            return (
                f"notification {last.notification_id} ({last.kind}) made on "
                f"{last.notified_on} restarted the clock"
            )
        return "the notification is no longer overdue"
    if kind == "whereabouts_unknown":
        return "not wanted, and no notification is overdue past the grace period"
    return "the notifications or dates it rested on changed: it is no longer late"
