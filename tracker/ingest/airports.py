"""Airports to countries and time zones, from the bundled ``airportsdata`` table.

A PAXLST message names airports, not countries, and gives local clock times; the country
decides the direction of travel and the time zone turns the clock time into an instant.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import airportsdata
import pycountry


@dataclass(frozen=True)
class Airport:
    iata: str
    name: str
    country: str
    """ISO 3166-1 alpha-3."""
    timezone: ZoneInfo


@cache
def _table() -> dict[str, airportsdata.Airport]:
    return airportsdata.load("IATA")


@cache
def _alpha3(alpha2: str) -> str | None:
    country = pycountry.countries.get(alpha_2=alpha2)
    return country.alpha_3 if country else None


@cache
def airport(code: str) -> Airport | None:
    """The airport with this IATA code, or None when it is unknown (or has no ISO country)."""
    entry = _table().get(code.strip().upper())
    if entry is None:
        return None
    country = _alpha3(entry["country"])
    if country is None:
        return None
    try:
        zone = ZoneInfo(entry["tz"])
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return Airport(entry["iata"], entry["name"], country, zone)
