"""The one evaluator: per offender and as of a date, the flags the profile's rules raise.

Pure: it reads plain facts (``facts.py``) and a jurisdiction profile, touches no database and
keeps no state, so the same inputs always give the same candidates with the same natural
keys. Every number it uses (periods, deadlines, counting, grace, severity) comes from the
profile; the section each rule rests on travels with the flag as its ``rule``.

Only what was known on the date counts: notifications made after it and travel after it are
ignored, so evaluating an earlier night again gives that night's answer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.compliance.calendar import (
    Absences,
    Period,
    PeriodError,
    add_period,
    age_on,
    extend_past_absence,
    last_day_within,
)
from tracker.compliance.facts import (
    CustodyPeriod,
    FlagCandidate,
    NotificationFacts,
    OffenderEvaluation,
    OffenderFacts,
    TravelFacts,
)
from tracker.compliance.profile import (
    ClockRule,
    DeadlineRule,
    ForeignTravelRule,
    Profile,
    ProfileError,
    Rule,
    load_profiles,
)
from tracker.compliance.trips import Trip, absence_spans, trips_of

DEFAULT_JURISDICTION = "uk-ew"
TRAVEL_KINDS = (
    "unnotified_travel",
    "late_travel_notification",
    "travel_details_mismatch",
    "missing_return_notification",
)
FLAG_KEY_MAX = 300
ONE_DAY = timedelta(days=1)


# --- small helpers --------------------------------------------------------------------------


def flag_key(kind: str, offender_id: str, anchor: str) -> str:
    """``kind|offender|anchor``: the failure's identity, the same every night it holds."""
    key = f"{kind}|{offender_id}|{anchor}"
    if len(key) <= FLAG_KEY_MAX:
        return key
    return f"{kind}|{offender_id}|#{hashlib.sha256(anchor.encode()).hexdigest()[:40]}"


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _link_text(record: TravelFacts) -> str:
    if record.match_probability is None:
        return "link strength unknown"
    return f"link probability {record.match_probability:.2f} ({record.band} band)"


def _route(record: TravelFacts) -> str:
    start = record.departure_port or record.departure_country or "?"
    end = record.arrival_port or record.arrival_country or "?"
    country = record.arrival_country if record.arrival_port else None
    return f"{start} to {end} ({country})" if country else f"{start} to {end}"


def _deadline_text(rule: DeadlineRule, event: str) -> str:
    unit = "business days" if rule.day_kind == "business" else "days"
    how = "beginning with" if rule.counting == "beginning_with" else "after"
    return f"{rule.days} {unit} {how} {event}"


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


# --- one offender's situation ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Overdue:
    """A notification that is due and not made: which clock, by when, since what."""

    clock: str
    due_on: date
    anchor: NotificationFacts | None


@dataclass(slots=True)
class _Case:
    """One offender as of the date: what was known then, with trips and days away worked out
    once for every rule."""

    offender: OffenderFacts
    profile: Profile
    as_of: date
    notifications: list[NotificationFacts]
    travel: list[TravelFacts]
    trips: list[Trip]
    absences: Absences

    def of_kind(self, *kinds: str) -> list[NotificationFacts]:
        return [n for n in self.notifications if n.kind in kinds]

    def absences_for(self, rule: DeadlineRule) -> Absences | None:
        return self.absences if rule.disregard_absence else None

    def candidate(
        self,
        kind: str,
        anchor: str,
        rule: Rule,
        rule_name: str,
        due_on: date | None,
        summary: str,
        evidence: dict | None = None,
        notification: NotificationFacts | None = None,
        record: TravelFacts | None = None,
    ) -> FlagCandidate:
        offender = self.offender
        facts: dict = {
            "offender_id": offender.offender_id,
            "jurisdiction": self.profile.id,
            "rule": rule_name,
        }
        if due_on is not None:
            facts["due_on"] = due_on.isoformat()
        if notification is not None:
            facts["notification_id"] = notification.notification_id
            facts["notified_on"] = notification.notified_on.isoformat()
        if record is not None:
            facts["travel"] = {
                "source": record.source,
                "record_id": record.record_id,
                "direction": record.direction,
                "departure_date": record.departure_local_date.isoformat(),
                "link_id": record.link_id,
                "band": record.band,
                "match_probability": record.match_probability,
            }
        facts.update(evidence or {})
        return FlagCandidate(
            flag_key=flag_key(kind, offender.offender_id, anchor),
            kind=kind,
            severity=self.profile.severity.of(kind, offender.risk_level),
            offender_pk=offender.offender_pk,
            offender_id=offender.offender_id,
            due_on=due_on,
            rule=self.profile.cite(rule, rule_name),
            summary=summary,
            evidence=facts,
            notification_pk=notification.pk if notification else None,
            travel_pk=record.travel_pk if record else None,
            link_id=record.link_id if record else None,
            match_probability=record.match_probability if record else None,
        )


# --- the rules ------------------------------------------------------------------------------


def _initial(case: _Case) -> tuple[list[FlagCandidate], _Overdue | None]:
    """Initial notification within the profile's days of the requirement start (s.83(1))."""
    rule = case.profile.initial
    start = case.offender.requirement_start
    business = case.profile.business_days_for(rule)
    due = last_day_within(start, rule.days, rule.counting, business, case.absences_for(rule))
    if due is None:
        return [], None
    allowed = _deadline_text(rule, f"the requirement start {start}")
    initials = case.of_kind("initial")
    if initials:
        first = initials[0]
        if first.notified_on <= due:
            return [], None
        late = (first.notified_on - due).days
        summary = (
            f"Initial notification made on {first.notified_on}, {_days(late)} after the "
            f"last day allowed ({due}: {allowed})."
        )
        flag = case.candidate(
            "late_initial", f"start:{start}", rule, "initial", due, summary, notification=first
        )
        return [flag], None
    if case.as_of <= due:
        return [], None
    summary = (
        f"No initial notification: the requirement began on {start} and notification "
        f"was due by {due} ({allowed})."
    )
    flag = case.candidate("late_initial", f"start:{start}", rule, "initial", due, summary)
    return [flag], _Overdue("initial", due, None)


def _changes(case: _Case) -> list[FlagCandidate]:
    """Each change notified later than the profile's days from the event (s.84(1))."""
    rule = case.profile.change
    business = case.profile.business_days_for(rule)
    flags = []
    for note in case.of_kind(*rule.kinds):
        event = note.effective_on
        if event is None or event < case.offender.requirement_start:
            continue
        due = last_day_within(event, rule.days, rule.counting, business, case.absences_for(rule))
        if due is None or note.notified_on <= due:
            continue
        late = (note.notified_on - due).days
        summary = (
            f"{note.kind.replace('_', ' ').capitalize()} effective {event} was notified "
            f"on {note.notified_on}, {_days(late)} late (due by {due}: "
            f"{_deadline_text(rule, 'the change')})."
        )
        flags.append(
            case.candidate(
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


def _clock_rule(case: _Case) -> tuple[str, ClockRule]:
    """Weekly for an offender of no fixed abode where the profile has a weekly rule."""
    weekly = case.profile.weekly
    if weekly is not None and not case.offender.fixed_abode:
        return "weekly", weekly
    return "periodic", case.profile.periodic


def _clock(case: _Case) -> _Overdue | None:
    """The periodic (or weekly) notification, if it is overdue: due within the interval after
    the last notification that restarts the clock; a deadline falling while the offender is
    away runs on until the extension after the return (s.85(3)-(4))."""
    name, rule = _clock_rule(case)
    restarting = case.of_kind(*rule.restarted_by)
    if not restarting:
        return None
    anchor = restarting[-1]
    interval = rule.interval_for(case.offender.tier)
    due: date | None = add_period(anchor.notified_on, interval, case.profile.calendar.overflow)
    if rule.counting == "beginning_with":
        due -= ONE_DAY
    if rule.extension is not None:
        ext = rule.extension
        due = extend_past_absence(
            due, case.absences, ext.days, ext.counting, case.profile.business_days_for(ext)
        )
    if due is None or case.as_of <= due:
        return None
    return _Overdue(name, due, anchor)


def _clock_flag(case: _Case, overdue: _Overdue) -> FlagCandidate:
    name, rule = _clock_rule(case)
    anchor = overdue.anchor
    assert anchor is not None
    interval = rule.interval_for(case.offender.tier)
    what = "No fixed abode: the weekly" if name == "weekly" else "The periodic"
    within = interval.describe()
    summary = (
        f"{what} notification was due by {overdue.due_on} (within {within} after the "
        f"last notification, {anchor.kind.replace('_', ' ')} {anchor.notification_id} "
        f"of {anchor.notified_on}); none has been made since."
    )
    return case.candidate(
        f"overdue_{name}",
        f"after:{anchor.notification_id}",
        rule,
        name,
        overdue.due_on,
        summary,
        {"interval": str(interval)},
        notification=anchor,
    )


def _notice_about(
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
    near = [n for n in notices if n.departure_date and abs(n.departure_date - day) <= window]
    same = [
        n
        for n in near
        if n.departure_date == day and (arrival is None or arrival in n.destination_countries)
    ]
    if same:
        return "same", min(same, key=lambda n: (n.notified_on, n.pk))
    if near:
        return "other", min(near, key=lambda n: (abs(n.departure_date - day), n.notified_on))
    return "none", None


def _short_notice_hours(note: NotificationFacts, record: TravelFacts) -> float | None:
    if note.notified_at is None or record.departure_time is None:
        return None
    return (record.departure_time - note.notified_at).total_seconds() / 3600


def _departure_flags(
    case: _Case, trip: Trip, verdict: str, note: NotificationFacts | None
) -> list[FlagCandidate]:
    """Unnotified, late, or other details: the departure leg of a trip."""
    rule = case.profile.foreign_travel
    out = trip.out
    day = trip.departure_date
    due = day - timedelta(days=rule.notice_days)
    anchor = f"travel:{out.reference}"
    where = f"Left on {day} ({_route(out)})"
    if verdict == "none":
        summary = (
            f"{where} with no foreign travel notification; notice was due by {due} "
            f"({_days(rule.notice_days)} before departure). {_link_text(out)}."
        )
        return [
            case.candidate(
                "unnotified_travel", anchor, rule, "foreign_travel", due, summary, record=out
            )
        ]
    assert note is not None
    if verdict == "other":
        notified = "|".join(note.destination_countries) or "no destination"
        summary = (
            f"{where}; notification {note.notification_id} of {note.notified_on} gave "
            f"departure {note.departure_date} to {notified}. {_link_text(out)}."
        )
        evidence = {
            "notified_departure": str(note.departure_date),
            "notified_destinations": list(note.destination_countries),
        }
        return [
            case.candidate(
                "travel_details_mismatch",
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
    if note.notified_on <= due:
        return []
    hours = _short_notice_hours(note, out)
    short = rule.short_notice
    if short is not None and short.accepted and hours is not None and hours >= short.hours:
        return []
    before = (day - note.notified_on).days
    timing = (
        f"{_days(before)} before departure" if before >= 0 else f"{_days(-before)} after departure"
    )
    summary = (
        f"{where}; notification {note.notification_id} was made on {note.notified_on}, "
        f"{timing}: it was due by {due} ({_days(rule.notice_days)} before)."
    )
    evidence: dict = {}
    if short is not None and hours is not None:
        met = "met" if hours >= short.hours else "did not meet"
        summary += (
            f" It {met} the {short.hours}-hour minimum for details not known earlier "
            f"({short.basis}{', to confirm' if short.to_confirm else ''})."
        )
        evidence["notice_hours"] = round(hours, 1)
    summary += f" {_link_text(out)}."
    return [
        case.candidate(
            "late_travel_notification",
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


def _return_flags(
    case: _Case, trip: Trip, note: NotificationFacts | None, next_departure: date | None
) -> list[FlagCandidate]:
    """A return the travel notice did not give correctly needs a return notice in time."""
    rule = case.profile.travel_return
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
        case.profile.business_days_for(rule),
        case.absences_for(rule),
    )
    if due is None:
        return []
    returns = [
        n
        for n in case.of_kind("travel_return")
        if (n.return_date is not None and abs(n.return_date - returned) <= tolerance)
        or (
            n.return_date is None
            and returned <= n.notified_on
            and (next_departure is None or n.notified_on < next_departure)
        )
    ]
    if any(n.notified_on <= due for n in returns):
        return []
    if case.as_of <= due:
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
        f"Returned on {returned} ({_route(back)}); {given}, and {outcome} {due} "
        f"({_deadline_text(rule, 'the return')}). {_link_text(back)}."
    )
    return [
        case.candidate(
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


def _travel(case: _Case) -> list[FlagCandidate]:
    """Every trip that began while the requirement applied, against the notices held."""
    rule = case.profile.foreign_travel
    notices = [n for n in case.of_kind("foreign_travel") if n.departure_date is not None]
    flags: list[FlagCandidate] = []
    for i, trip in enumerate(case.trips):
        day = trip.departure_date
        if day < case.offender.requirement_start:
            continue
        if rule.applies_from is not None and day < rule.applies_from:
            continue
        verdict, note = _notice_about(trip, notices, rule)
        flags += _departure_flags(case, trip, verdict, note)
        following = case.trips[i + 1].departure_date if i + 1 < len(case.trips) else None
        flags += _return_flags(case, trip, note, following)
    return flags


def _whereabouts(case: _Case, overdue: _Overdue | None) -> list[FlagCandidate]:
    """Wanted; or overdue past the grace period with no travel seen since the last contact."""
    rule = case.profile.whereabouts
    offender = case.offender
    if rule.wanted_status and offender.status == "wanted":
        since = offender.wanted_since
        summary = f"Status wanted{f' since {since}' if since else ''}: whereabouts unknown."
        anchor = f"wanted:{since}" if since else "wanted"
        return [case.candidate("whereabouts_unknown", anchor, rule, "whereabouts", since, summary)]
    if overdue is None or overdue.clock not in rule.grace_after_overdue:
        return []
    grace = Period.parse(rule.grace_after_overdue[overdue.clock])  # type: ignore[index]
    assert grace is not None
    limit = add_period(overdue.due_on, grace, case.profile.calendar.overflow)
    if case.as_of <= limit:
        return []
    since = overdue.anchor.notified_on if overdue.anchor else offender.requirement_start
    bands = case.profile.absences.abroad_link_bands
    if any(r.band in bands and r.departure_local_date > since for r in case.travel):
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
        case.candidate(
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
        case = _case(offender, profile, as_of, notes, seen, custody)
        restarting = case.of_kind(*_clock_rule(case)[1].restarted_by)
        result.last_contact = restarting[-1] if restarting else None
        initial_flags, missing_initial = _initial(case)
        overdue = _clock(case) or missing_initial
        result.candidates += initial_flags
        result.candidates += _changes(case)
        if overdue is not None and overdue.clock != "initial":
            result.candidates.append(_clock_flag(case, overdue))
        result.candidates += _travel(case)
        result.candidates += _whereabouts(case, overdue)
        return result


def _with_indefinite_period(offender: OffenderFacts) -> OffenderFacts:
    return offender._replace(notification_period="indefinite", tier=None)


def _case(
    offender: OffenderFacts,
    profile: Profile,
    as_of: date,
    notes: list[NotificationFacts],
    seen: list[TravelFacts],
    custody: Sequence[CustodyPeriod],
) -> _Case:
    """Trips from links of every band; days away from custody and confident trips only."""
    rules = profile.absences
    trips = trips_of(seen)
    abroad: list[Trip] = []
    if rules.abroad:
        abroad = trips_of(r for r in seen if r.band in rules.abroad_link_bands)
    in_person_kinds = set(profile.periodic.restarted_by)
    in_person = [n for n in notes if n.kind in in_person_kinds]
    absences = absence_spans(custody if rules.custody else (), abroad, in_person)
    return _Case(offender, profile, as_of, notes, seen, trips, absences)


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
