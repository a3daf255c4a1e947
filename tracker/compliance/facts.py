"""The plain data the evaluator reads and writes: no ORM, no database, nothing restricted.

The evaluator sees an offender's legal situation, notifications and linked travel records as
these small immutable records (named tuples: a million of them are built each night, and a
tuple is several times cheaper to make than a frozen dataclass), and answers with flag
candidates that refer to evidence by id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple


class OffenderFacts(NamedTuple):
    """What the rules need of a register entry (never its names or address)."""

    offender_pk: int
    offender_id: str
    date_of_birth: date
    requirement_start: date
    notification_period: str
    jurisdiction: str = "uk-ew"
    tier: int | None = None
    risk_level: str | None = None
    status: str = "active"
    wanted_since: date | None = None
    fixed_abode: bool = True


class NotificationFacts(NamedTuple):
    """One notification the offender made."""

    pk: int
    notification_id: str
    kind: str
    notified_on: date
    notified_at: datetime | None = None
    effective_on: date | None = None
    departure_date: date | None = None
    return_date: date | None = None
    destination_countries: tuple[str, ...] = ()
    departure_port: str | None = None
    arrival_port: str | None = None


class TravelFacts(NamedTuple):
    """A travel record linked to the offender, with the link that says how sure that is."""

    travel_pk: int
    source: str
    record_id: str
    direction: str
    departure_local_date: date
    departure_time: datetime | None = None
    departure_port: str | None = None
    arrival_port: str | None = None
    departure_country: str | None = None
    arrival_country: str | None = None
    link_id: int | None = None
    match_probability: float | None = None
    band: str | None = None

    @property
    def reference(self) -> str:
        return f"{self.source}/{self.record_id}"


@dataclass(frozen=True, slots=True)
class CustodyPeriod:
    """Time in custody or hospital: from ``start`` until the day before ``released_on``
    (None: still in custody). The release day is the first day out."""

    start: date
    released_on: date | None = None


@dataclass(frozen=True, slots=True)
class FlagCandidate:
    """A suspected failure as of a date, keyed so the same failure always gets the same key."""

    flag_key: str
    kind: str
    severity: str
    offender_pk: int
    offender_id: str
    due_on: date | None
    rule: str
    summary: str
    evidence: dict
    notification_pk: int | None = None
    travel_pk: int | None = None
    link_id: int | None = None
    match_probability: float | None = None


@dataclass(slots=True)
class OffenderEvaluation:
    """The evaluator's answer for one offender: candidates, or why none can be raised."""

    offender_pk: int
    candidates: list[FlagCandidate] = field(default_factory=list)
    excluded: str | None = None
    last_contact: NotificationFacts | None = None
    linked_travel_pks: frozenset[int] = frozenset()
    problems: list[str] = field(default_factory=list)
