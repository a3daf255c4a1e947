"""The flights of a booking (PNRGOV TVL): each leg's airports, carrier, flight number and
local departure time, turned into the travel fields every traveller on it shares.

``TVL+270513:1640:270513:2200+ICN+SIN+SQ+609:B``: departure date (DDMMYY) and time
(HHMM) at the departure airport, arrival date and time, departure and arrival airports, the
marketing (and operating) carrier, the flight number and booking class. A TVL with no
departure airport or date is not a flight leg (an OPEN or ARNK segment, or the operating
flight of a codeshare, which the guide sends as a second TVL): it gives no row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from tracker.ingest.airports import airport
from tracker.ingest.formats.paxlst_messages import travel_direction
from tracker.ingest.formats.paxlst_segments import Segment


class LegProblem(ValueError):
    """A leg whose facts cannot be read: every traveller on it is rejected for it."""


@dataclass(frozen=True)
class Leg:
    segment: Segment
    facts: dict[str, str]
    key: str
    """Flight, departure airport and local date: what stays the same from one push to the
    next, for the record id."""


def is_flight(tvl: Segment) -> bool:
    """A TVL naming where and when a flight leaves (not OPEN, ARNK or a codeshare's second)."""
    return bool(tvl.element(0, 0).strip() and tvl.element(1).strip())


def leg_of(tvl: Segment, home_country: str) -> Leg:
    """The travel fields of one flight leg; LegProblem names what cannot be read."""
    facts, key = _leg_facts(
        tvl.element(0, 0).strip(),
        tvl.element(0, 1).strip(),
        tvl.element(1).strip().upper(),
        tvl.element(2).strip().upper(),
        tvl.element(3, 0).strip().upper(),
        tvl.element(4, 0).strip().upper(),
        home_country,
    )
    return Leg(tvl, dict(facts), key)


@lru_cache(maxsize=4096)
def _leg_facts(
    day: str, clock: str, departs: str, arrives: str, carrier: str, number: str, home: str
) -> tuple[dict[str, str], str]:
    """Worked out once per flight: every booking on a pushed flight names the same leg."""
    origin, destination = airport(departs), airport(arrives)
    if origin is None:
        raise LegProblem(
            f"names departure airport {departs[:12]!r}, which is not a known IATA airport"
        )
    if not arrives:
        raise LegProblem("names no arrival airport")
    if destination is None:
        raise LegProblem(
            f"names arrival airport {arrives[:12]!r}, which is not a known IATA airport"
        )
    local = _local_departure(day, clock)
    flight = f"{carrier}{number}" if number and not number.startswith(carrier) else number
    facts = {
        "departure_port": origin.iata,
        "arrival_port": destination.iata,
        "departure_country": origin.country,
        "arrival_country": destination.country,
        "departure_time": local.replace(tzinfo=origin.timezone).isoformat(),
        "direction": travel_direction(origin.country, destination.country, home),
    }
    if carrier:
        facts["carrier"] = carrier
    if flight:
        facts["flight_number"] = flight
    return facts, f"{flight or carrier or 'NOFLIGHT'}-{origin.iata}-{local:%Y%m%d}"


def _local_departure(day: str, clock: str) -> datetime:
    """DDMMYY and HHMM as a naive local time; a leg with a date and no time leaves at 00:00
    (the date is what a travel notification is compared with)."""
    day, clock = day.strip(), clock.strip() or "0000"
    if not (len(day) == 6 and day.isdigit() and day.isascii()):
        raise LegProblem(f"has departure date {day[:20]!r}, which is not DDMMYY")
    if not (len(clock) == 4 and clock.isdigit() and clock.isascii()):
        raise LegProblem(f"has departure time {clock[:20]!r}, which is not HHMM")
    try:
        return datetime.strptime(f"{day}{clock}", "%d%m%y%H%M")
    except ValueError:
        raise LegProblem(f"has departure date and time {day}:{clock}, which is no date") from None


def same_flight(leg: Leg, pushed: Leg) -> Leg:
    """The leg as the message's own flight (level 0 TVL) names it when it is that flight
    (same airport, same departure time): a codeshare booking sold under the marketing
    carrier's number is still the operating flight the push is for, and keyed as it."""
    same = all(leg.facts[k] == pushed.facts[k] for k in ("departure_port", "departure_time"))
    if not same:
        return leg
    facts = dict(leg.facts)
    for name in ("carrier", "flight_number"):
        if name in pushed.facts:
            facts[name] = pushed.facts[name]
    return Leg(leg.segment, facts, pushed.key)
