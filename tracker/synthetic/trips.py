"""The flight network (routes, carriers, timetables) and the trips offenders make on it.

A flight is a route on a day: every record on the same route and day shares carrier, flight
number and scheduled departure time, as on a real timetable. Departure times are local, with
the airport's own UTC offset, and scheduled between 06:00 and 21:55 so the local date never
differs from the UTC date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from tracker.synthetic.cases import TRAVEL_KINDS, Case
from tracker.synthetic.geo import (
    CARRIER_NAMES,
    FOREIGN,
    HOME_AIRPORTS,
    UK_AIRPORTS,
    airport,
    offset_text,
)
from tracker.synthetic.rand import Draw, cumulative, days

WINDOW_DAYS = 540  # travel records cover the 18 months before as_of
FUTURE_DAYS = 90  # timetable reaches past as_of for notified future trips
#: what a route fixes of every travel record on it (its timetable adds the clock time)
ROUTE_COLUMNS = (
    "source",
    "direction",
    "departure_port",
    "arrival_port",
    "departure_country",
    "arrival_country",
    "carrier",
    "flight_number",
)


class Network:
    """Routes UK <-> abroad in both directions, with a timetable per route."""

    def __init__(self, as_of: date, rng: np.random.Generator):
        self.as_of = as_of
        self.first_day = as_of - days(WINDOW_DAYS)
        self.uk = tuple(code for code, _, _ in UK_AIRPORTS)
        self.abroad = tuple(f.iata for f in FOREIGN)
        self._uk_index = {c: i for i, c in enumerate(self.uk)}
        self._abroad_index = {c: i for i, c in enumerate(self.abroad)}
        self.uk_weights = np.array([w for _, w, _ in UK_AIRPORTS], dtype=float)
        self.uk_hub = np.array([hub for _, _, hub in UK_AIRPORTS], dtype=bool)
        self.abroad_weights = np.array([f.weight for f in FOREIGN], dtype=float)
        self.abroad_long = np.array([f.long_haul for f in FOREIGN], dtype=bool)
        self.abroad_watch = np.array([f.weight * f.watch for f in FOREIGN], dtype=float)
        self._build_routes(rng)
        self._build_clock()

    # route r = (uk_i * n_abroad + abroad_j) * 2 + (0 out | 1 in)
    def route(self, uk: str, abroad: str, direction: str) -> int:
        base = self._uk_index[uk] * len(self.abroad) + self._abroad_index[abroad]
        return base * 2 + (0 if direction == "out" else 1)

    def _build_routes(self, rng: np.random.Generator) -> None:
        n = len(self.uk) * len(self.abroad) * 2
        cols = {k: np.empty(n, dtype=object) for k in (*ROUTE_COLUMNS, "clock")}
        self.dep_airport = np.empty(n, dtype=np.int64)  # index into self.airports
        self.airports = self.uk + self.abroad
        next_number: dict[str, int] = {}
        for i, uk in enumerate(self.uk):
            for j, foreign in enumerate(FOREIGN):
                carrier = foreign.carriers[int(rng.integers(len(foreign.carriers)))]
                number = next_number.get(carrier, int(rng.integers(10, 400)) * 2)
                next_number[carrier] = number + 2 + 2 * int(rng.integers(0, 30))
                for d, (dep, arr) in enumerate(((uk, foreign.iata), (foreign.iata, uk))):
                    r = (i * len(self.abroad) + j) * 2 + d
                    cols["source"][r] = f"api-{uk.lower()}"
                    cols["departure_port"][r], cols["arrival_port"][r] = dep, arr
                    cols["departure_country"][r] = airport(dep).country
                    cols["arrival_country"][r] = airport(arr).country
                    cols["carrier"][r] = carrier
                    cols["flight_number"][r] = f"{carrier}{number + d:04d}"
                    cols["direction"][r] = "out" if d == 0 else "in"
                    hour, minute = int(rng.integers(6, 22)), 5 * int(rng.integers(0, 12))
                    cols["clock"][r] = f"T{hour:02d}:{minute:02d}:00"
                    self.dep_airport[r] = i if d == 0 else len(self.uk) + j
        self.routes = cols

    def _build_clock(self) -> None:
        """Day strings and each airport's UTC offset per day (offsets move with DST)."""
        n_days = WINDOW_DAYS + FUTURE_DAYS
        self.day_text = np.array(
            [(self.first_day + days(k)).isoformat() for k in range(n_days)], dtype=object
        )
        table = np.empty((len(self.airports), n_days), dtype=object)
        for a, code in enumerate(self.airports):
            tz = airport(code).tz
            for k in range(n_days):
                table[a, k] = offset_text(tz, self.first_day + days(k), 12)
        self.offsets = table

    def day_index(self, day: date) -> int:
        return (day - self.first_day).days

    def departure_time(self, r: int, day: date) -> str:
        k = self.day_index(day)
        return f"{self.day_text[k]}{self.routes['clock'][r]}{self.offsets[self.dep_airport[r], k]}"

    def departure_times(self, r: np.ndarray, k: np.ndarray) -> np.ndarray:
        return self.day_text[k] + self.routes["clock"][r] + self.offsets[self.dep_airport[r], k]

    def carrier_text(self, r: int, draw: Draw) -> str:
        """How an offender writes the carrier on a notification."""
        carrier, flight = self.routes["carrier"][r], self.routes["flight_number"][r]
        return f"{CARRIER_NAMES[carrier]} {flight}" if draw.chance(0.7) else flight

    def uk_for(self, abroad: str, draw: Draw) -> str:
        long_haul = self.abroad_long[self._abroad_index[abroad]]
        weights = self.uk_weights * (self.uk_hub if long_haul else 1)
        return self.uk[draw.weighted(range(len(self.uk)), cumulative(weights.tolist()))]


@dataclass
class Trip:
    """One journey abroad by an offender: out from the UK and (usually) back."""

    case: int
    uk: str
    abroad: str
    out_day: date
    back_day: date | None  # None: still abroad on as_of
    inbound_seen: bool  # the return flight is in the travel data
    length: int  # planned days abroad
    kind: str | None = None  # a planted travel kind, "after_end", or None (compliant)
    records: dict[str, dict] = field(default_factory=dict)  # leg -> travel row

    def abroad_on(self, day: date) -> bool:
        if self.back_day is None:
            return day >= self.out_day - days(1)
        return self.out_day - days(1) <= day <= self.back_day + days(1)


def _destination(tradition: str, network: Network, draw: Draw) -> str:
    homes = HOME_AIRPORTS.get(tradition)
    if homes and draw.chance(0.4):
        return draw.pick(homes)
    return draw.weighted(network.abroad, cumulative(network.abroad_watch.tolist()))


def _place(
    trips: list[Trip], low: date, high: date, length: int, draw: Draw, clear: int
) -> date | None:
    """A departure day in [low, high] at least ``clear`` days away from other trips."""
    if high < low:
        return None
    for _ in range(12):
        out = low + days(draw.between(0, (high - low).days))
        back = out + days(length)
        if all(
            back + days(clear) < t.out_day or out > (t.back_day or t.out_day) + days(clear)
            for t in trips
        ):
            return out
    return None


def plan_trips(case: Case, tradition: str, network: Network, draw: Draw) -> list[Trip]:
    as_of = network.as_of
    trips: list[Trip] = []
    window_low = network.first_day + days(1)

    def add(kind: str | None, low: date, high: date) -> None:
        abroad = _destination(tradition, network, draw)
        long_haul = network.abroad_long[network.abroad.index(abroad)]
        length = draw.between(7, 28) if long_haul else draw.between(3, 16)
        if kind == "missing_return_notification":
            high = min(high, as_of - days(10 + length))
        # keep a planted trip well apart from any other, so no notice can be mistaken for it
        out = _place(trips, low, high, length, draw, 90 if case.planted else 45)
        if out is None:
            return
        returned = out + days(length)
        back = returned if returned <= as_of - days(1) else None
        seen = back is not None and (kind is not None or draw.chance(0.95))
        trips.append(
            Trip(case.index, network.uk_for(abroad, draw), abroad, out, back, seen, length, kind)
        )

    start = max(window_low, case.requirement_start + days(75))
    if case.planted in TRAVEL_KINDS:
        add(case.planted, start, as_of - days(20))
    for _ in range(case.trips):
        add(None, start, as_of - days(2))
    if case.trips_after_end and case.period_end is not None:
        add("after_end", max(window_low, case.period_end + days(30)), as_of - days(2))
    trips.sort(key=lambda t: t.out_day)
    return trips


def random_trip(person_index: int, tradition: str, network: Network, draw: Draw) -> Trip:
    """A round trip for a hard-negative traveller, anywhere in the window."""
    abroad = _destination(tradition, network, draw)
    length = draw.between(3, 21)
    out = network.first_day + days(draw.between(1, WINDOW_DAYS - 2 - length))
    return Trip(
        person_index,
        network.uk_for(abroad, draw),
        abroad,
        out,
        out + days(length),
        True,
        length,
        "hard_negative",
    )
