"""One offender as the rules see them on a date: what was known then, with trips and days
away worked out once for every rule, and the flag candidate each rule raises from it."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tracker.compliance.calendar import Absences
from tracker.compliance.facts import (
    CustodyPeriod,
    FlagCandidate,
    NotificationFacts,
    OffenderFacts,
    TravelFacts,
)
from tracker.compliance.profile import DeadlineRule, Profile, Rule
from tracker.compliance.trips import Trip, absence_spans, trips_of
from tracker.models.enums import FlagKind

FLAG_KEY_MAX = 300


def flag_key(kind: str, offender_id: str, anchor: str) -> str:
    """``kind|offender|anchor``: the failure's identity, the same every night it holds."""
    key = f"{kind}|{offender_id}|{anchor}"
    if len(key) <= FLAG_KEY_MAX:
        return key
    return f"{kind}|{offender_id}|#{hashlib.sha256(anchor.encode()).hexdigest()[:40]}"


@dataclass(frozen=True, slots=True)
class Overdue:
    """A notification that is due and not made: which clock, by when, since what."""

    clock: str
    due_on: date
    anchor: NotificationFacts | None


@dataclass(slots=True)
class Situation:
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
        kind: FlagKind,
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


def situation_of(
    offender: OffenderFacts,
    profile: Profile,
    as_of: date,
    notes: list[NotificationFacts],
    seen: list[TravelFacts],
    custody: Sequence[CustodyPeriod],
) -> Situation:
    """Trips from links of every band; days away from custody and confident trips only."""
    rules = profile.absences
    trips = trips_of(seen)
    abroad: list[Trip] = []
    if rules.abroad:
        abroad = trips_of(r for r in seen if r.band in rules.abroad_link_bands)
    in_person_kinds = set(profile.periodic.restarted_by)
    in_person = [n for n in notes if n.kind in in_person_kinds]
    absences = absence_spans(custody if rules.custody else (), abroad, in_person)
    return Situation(offender, profile, as_of, notes, seen, trips, absences)
