"""The legs of a PAXLST flight, and which of them each traveller is on.

A message's flight part (group 2, TDT, with its group 3 LOC and DTM) names the places the
aircraft calls at: LOC+125 (departure) and LOC+87 (arrival) for a single leg, or LOC+92 (routing)
for each call of a multi-leg flight, as the US CBP APIS guide's examples do, and a message may
carry several TDT groups. Each traveller's own LOC+178 (port of embarkation) and LOC+179 (port
of debarkation) say which leg is theirs (data contract 1.1). A traveller whose leg cannot be
told is rejected alone, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tracker.ingest.airports import Airport, airport
from tracker.ingest.formats.paxlst_segments import Segment

STOP_QUALIFIERS = {"125": "departure", "87": "arrival", "92": "routing"}
EMBARKATION, DEBARKATION = "178", "179"


class LegProblem(ValueError):
    """The flight's part of the message, or a traveller's leg, cannot be read."""


@dataclass(frozen=True)
class Stop:
    airport: Airport
    qualifier: str
    departs: str | None  # DTM+189 text after the LOC, if any
    arrives: str | None  # DTM+232 text after the LOC, if any


@dataclass(frozen=True)
class Leg:
    flight_number: str
    carrier: str
    departure: Stop
    arrival: Stop


StopSegments = tuple[Segment, list[Segment]]
"""A stop's LOC segment and the DTM segments after it."""


def _stops_by_transport(head: list[Segment]) -> list[tuple[Segment | None, list[StopSegments]]]:
    """Per TDT segment, its LOC segments (of the stop qualifiers) with the DTMs after each."""
    groups: list[tuple[Segment | None, list[StopSegments]]] = []
    collecting = False  # a DTM belongs to the stop LOC right before it, not to any other LOC
    for segment in head:
        if segment.tag == "TDT":
            groups.append((segment, []))
            collecting = False
        elif segment.tag == "LOC":
            collecting = segment.element(0) in STOP_QUALIFIERS
            if collecting:
                if not groups:
                    groups.append((None, []))
                groups[-1][1].append((segment, []))
        elif segment.tag == "DTM" and collecting:
            groups[-1][1][-1][1].append(segment)
    return groups


def _stop(loc: Segment, dates: list[Segment]) -> Stop:
    code = loc.element(1)
    found = airport(code)
    role = STOP_QUALIFIERS[loc.element(0)]
    if found is None:
        raise LegProblem(
            f"names {role} airport {code!r} (LOC+{loc.element(0)}), which is not a "
            "known IATA airport"
        )
    departs = next((d.element(0, 1) for d in dates if d.element(0) == "189"), None)
    arrives = next((d.element(0, 1) for d in dates if d.element(0) == "232"), None)
    return Stop(found, loc.element(0), departs, arrives)


def message_legs(head: list[Segment]) -> list[Leg]:
    """Every leg of the message's flight part, in order: consecutive calls of each TDT."""
    legs: list[Leg] = []
    for tdt, locations in _stops_by_transport(head):
        stops = [_stop(loc, dates) for loc, dates in locations]
        if {stop.qualifier for stop in stops} == {"125", "87"}:  # written in either order
            stops.sort(key=lambda stop: stop.qualifier != "125")
        flight = tdt.element(1) if tdt is not None else ""
        carrier = tdt.element(4) if tdt is not None else ""
        legs.extend(Leg(flight, carrier, a, b) for a, b in zip(stops, stops[1:], strict=False))
    if not legs:
        places = [loc for _, locations in _stops_by_transport(head) for loc, _ in locations]
        if not places:
            raise LegProblem("has no departure airport (LOC+125)")
        raise LegProblem("has no arrival airport (LOC+87)")
    return legs


def travellers_journey(
    legs: list[Leg], embarks: str | None, debarks: str | None
) -> tuple[Leg, Stop]:
    """The leg a traveller boards (with its flight and departure time) and the stop they
    leave the aircraft at, by their LOC+178/179: the shortest run of legs from a departure at
    the one to an arrival at the other. On a one-leg list the leg is everyone's, whatever those
    say (they often name a whole itinerary); with one port given, it must settle the leg."""
    if len(legs) == 1:
        return legs[0], legs[0].arrival
    if not embarks and not debarks:
        raise LegProblem(
            f"the flight has {len(legs)} legs and the traveller names neither a "
            "port of embarkation (LOC+178) nor of debarkation (LOC+179)"
        )
    starts = [i for i, leg in enumerate(legs) if leg.departure.airport.iata == embarks]
    ends = [i for i, leg in enumerate(legs) if leg.arrival.airport.iata == debarks]
    if embarks and not starts:
        raise LegProblem(f"boards at {embarks!r} (LOC+178), where no leg of the flight departs")
    if debarks and not ends:
        raise LegProblem(f"leaves at {debarks!r} (LOC+179), where no leg of the flight arrives")
    if embarks and debarks:
        for end in ends:  # the first arrival at debarks with a boarding before it
            boarded = [start for start in starts if start <= end]
            if boarded:
                return legs[boarded[-1]], legs[end].arrival
        raise LegProblem(
            f"boards at {embarks!r} (LOC+178) after the flight has left {debarks!r} (LOC+179)"
        )
    # One port alone settles the journey only where the flight begins or ends there.
    if embarks and starts == [len(legs) - 1]:
        return legs[-1], legs[-1].arrival
    if debarks and ends == [0]:
        return legs[0], legs[0].arrival
    named = f"boards at {embarks!r} (LOC+178)" if embarks else f"leaves at {debarks!r} (LOC+179)"
    raise LegProblem(f"{named} but names no other port, and the flight has {len(legs)} legs")


def departure_instant(leg: Leg, parse) -> datetime:
    """The leg's local departure time (DTM+189 after its departure LOC) at its airport."""
    text = leg.departure.departs
    if text is None:
        raise LegProblem("has no departure time (DTM+189)")
    local = parse(text)
    if local is None:
        raise LegProblem(
            f"has departure time {text!r} (DTM+189), which is not YYMMDDHHMM or CCYYMMDDHHMM"
        )
    return local.replace(tzinfo=leg.departure.airport.timezone)
