"""Trips abroad from an offender's linked travel records, and the days they spent away.

A trip is an ``out`` record (a departure from the home country) and the next ``in`` record
(the return), in departure order. An ``in`` with no ``out`` before it belongs to a trip that
began before the data did and is left alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.compliance.calendar import Absences, DaySpan
from tracker.compliance.facts import CustodyPeriod, NotificationFacts, TravelFacts

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Trip:
    out: TravelFacts
    back: TravelFacts | None

    @property
    def departure_date(self) -> date:
        return self.out.departure_local_date

    @property
    def return_date(self) -> date | None:
        return self.back.departure_local_date if self.back else None


def _order(record: TravelFacts) -> tuple:
    instant = record.departure_time
    return (record.departure_local_date, instant.timestamp() if instant else 0.0, record.travel_pk)


def trips_of(records: Iterable[TravelFacts]) -> list[Trip]:
    """Pair each departure with the next return; a departure followed by another departure
    (or by nothing) is a trip whose return is not known."""
    trips: list[Trip] = []
    pending: TravelFacts | None = None
    for record in sorted(records, key=_order):
        if record.direction == "out":
            if pending is not None:
                trips.append(Trip(pending, None))
            pending = record
        elif record.direction == "in" and pending is not None:
            trips.append(Trip(pending, record))
            pending = None
    if pending is not None:
        trips.append(Trip(pending, None))
    return trips


def _first_contact_after(day: date, in_person: Sequence[NotificationFacts]) -> date | None:
    return next((n.notified_on for n in in_person if n.notified_on > day), None)


def absence_spans(
    custody: Iterable[CustodyPeriod],
    trips_abroad: Iterable[Trip],
    in_person: Sequence[NotificationFacts],
) -> Absences:
    """Days away: custody periods, and the whole days between a departure and the return.

    A trip whose return is not in the data ends the day before the first later notification
    made in person (the offender was back by then); without one it is still going on.
    """
    spans = [DaySpan(c.start, c.released_on - ONE_DAY if c.released_on else None) for c in custody]
    for trip in trips_abroad:
        first = trip.departure_date + ONE_DAY
        if trip.return_date is not None:
            last: date | None = trip.return_date - ONE_DAY
        else:
            seen = _first_contact_after(trip.departure_date, in_person)
            last = seen - ONE_DAY if seen else None
        if last is None or last >= first:
            spans.append(DaySpan(first, last))
    return Absences(spans)
