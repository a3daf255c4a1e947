"""Places: airports and their countries, carriers, UK police forces, synthetic addresses.

The tables are data (``data/places/``). Airport countries and time zones come from
``airportsdata`` so a record's countries always agree with its airports; the alpha-2 ->
alpha-3 table covers exactly the countries used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import airportsdata

from tracker.synthetic.datafiles import table, word_list
from tracker.synthetic.rand import Draw


@dataclass(frozen=True)
class Foreign:
    iata: str
    weight: float  # share of public traffic
    carriers: tuple[str, ...]
    long_haul: bool = False
    watch: float = 1.0  # extra weight for registered offenders' trips


_AIRPORTS = table("places/airports")
ISO2_TO_ISO3: dict[str, str] = _AIRPORTS["iso2_to_iso3"]
CARRIER_NAMES: dict[str, str] = _AIRPORTS["carriers"]
#: (IATA code, share of public traffic, hub with long-haul flights)
UK_AIRPORTS: tuple[tuple[str, float, bool], ...] = tuple(
    (a["iata"], a["weight"], a["hub"]) for a in _AIRPORTS["uk_airports"]
)
FOREIGN: tuple[Foreign, ...] = tuple(
    Foreign(**{**a, "carriers": tuple(a["carriers"])}) for a in _AIRPORTS["foreign_airports"]
)
#: Airports an offender of a naming tradition is likelier to visit (family abroad).
HOME_AIRPORTS: dict[str, tuple[str, ...]] = {
    key: tuple(codes) for key, codes in _AIRPORTS["home_airports"].items()
}


@dataclass(frozen=True)
class Airport:
    iata: str
    country: str  # ISO alpha-3
    tz: ZoneInfo
    lat: float
    lon: float


@cache
def _airportsdata() -> dict:
    return airportsdata.load("IATA")


@cache
def airport(iata: str) -> Airport:
    row = _airportsdata()[iata]
    iso2 = row["country"]
    if iso2 not in ISO2_TO_ISO3:
        raise KeyError(f"country {iso2} of airport {iata} is missing from ISO2_TO_ISO3")
    return Airport(iata, ISO2_TO_ISO3[iso2], ZoneInfo(row["tz"]), row["lat"], row["lon"])


def offset_text(tz: ZoneInfo, day: date, hour: int) -> str:
    """``+01:00`` style UTC offset of a local time (DST-aware)."""
    delta = tz.utcoffset(datetime(day.year, day.month, day.day, hour))
    assert delta is not None
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def flight_minutes(a: str, b: str) -> int:
    """Block time from great-circle distance: 800 km/h plus 40 minutes, to 5 minutes."""
    pa, pb = airport(a), airport(b)
    lat1, lon1, lat2, lon2 = map(math.radians, (pa.lat, pa.lon, pb.lat, pb.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    km = 2 * 6371 * math.asin(math.sqrt(h))
    return int(round((km / 800 * 60 + 40) / 5) * 5)


def arrival_local(dep: str, arr: str, departure: datetime) -> datetime:
    """Local arrival time at ``arr`` of a flight leaving ``dep`` at local ``departure``."""
    start = departure.replace(tzinfo=airport(dep).tz)
    landed = start + timedelta(minutes=flight_minutes(dep, arr))
    return landed.astimezone(airport(arr).tz).replace(tzinfo=None)


# --- UK police forces and addresses ------------------------------------------------------

_POLICE = table("places/police")
#: force -> (towns, postcode areas): a town's area is the one at its index, modulo the areas
FORCES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    name: (tuple(force["towns"]), tuple(force["postcode_areas"]))
    for name, force in _POLICE["uk_forces"].items()
}
FORCE_NAMES = tuple(FORCES)
FORCE_WEIGHTS = tuple(force["weight"] for force in _POLICE["uk_forces"].values())
US_AGENCIES: dict[str, tuple[str, ...]] = {
    name: tuple(areas) for name, areas in _POLICE["us_agencies"].items()
}
STREETS = word_list("places/streets-uk")
US_STREETS = word_list("places/streets-us")
_POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the inward-code letters the Royal Mail uses


def uk_address(force: str, draw: Draw) -> tuple[str, str, str]:
    """(address_line, postcode, last_known_area): a plausible-looking, invented address."""
    towns, areas = FORCES[force]
    k = draw.integers(0, len(towns))
    town, area = towns[k], areas[k % len(areas)]
    street = f"{draw.between(1, 240)} {draw.pick(STREETS)}"
    if draw.chance(0.2):
        street = f"Flat {draw.between(1, 24)}, {street}"
    inward = f"{draw.between(1, 9)}{draw.pick(_POSTCODE_LETTERS)}{draw.pick(_POSTCODE_LETTERS)}"
    postcode = f"{area}{draw.between(1, 28)} {inward}"
    return f"{street}, {town}", postcode, town


def us_address(agency: str, draw: Draw) -> tuple[str, str, str]:
    area = draw.pick(US_AGENCIES[agency])
    line = f"{draw.between(100, 9899)} {draw.pick(US_STREETS)}, {area}"
    return line, f"{draw.between(10000, 99950):05d}", area
