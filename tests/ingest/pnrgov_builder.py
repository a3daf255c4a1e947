"""PNRGOV interchanges for the tests, built in the open in the structure of the IATA/WCO/ICAO
PNRGOV implementation guide's examples (synthetic names, invented bookings)."""

from __future__ import annotations

CONTACT_AND_PAYMENT = [
    "IFT+3:5+0044 20 7946 0001+PAX@EXAMPLE.INVALID",
    "SSR+CTCE:HK:1:BA:::::PAX//EXAMPLE.INVALID",
    "ADD++700:1 EXAMPLE ROAD:LONDON::GB:SW1A 1AA",
    "TKT+1251234567890:T:1",
    "MON+T:640.00:GBP",
    "FOP+CC:::VI:4111111111111111:1230",
]


def docs(text: str, reference: str = "") -> str:
    return f"SSR+DOCS:HK:1:BA:::::{text}" + (f"+::{reference}" if reference else "")


def traveller(
    family: str = "HAWTHORN",
    given: str = "DAVIDMR",
    reference: str = "1",
    documents: list[str] | None = None,
    kind: str = "A",
    contact: bool = True,
) -> list[str]:
    """A group 2: TIF, the traveller's SSRs, and (by default) contact and payment details."""
    segments = [f"TIF+{family}+{given}:{kind}:{reference}"]
    segments += [docs(text) for text in documents or []]
    return segments + (CONTACT_AND_PAYMENT if contact else [])


def tvl(
    day: str = "271126",
    time: str = "1040",
    departs: str = "LHR",
    arrives: str = "BKK",
    carrier: str = "BA",
    number: str = "9",
) -> str:
    return f"TVL+{day}:{time}:281126:0630+{departs}+{arrives}+{carrier}+{number}:Y"


def booking(locator: str, travellers: list[list[str]], legs: list[str] | None = None) -> list[str]:
    """An SRC group: RCI, DAT, ORG, the travellers, then the itinerary (TVL and its RPI)."""
    segments = ["SRC", f"RCI+BA:{locator}::201126:0439", "DAT+700:201126:0718", "ORG+BA:LON"]
    for group in travellers:
        segments += group
    for leg in [tvl()] if legs is None else legs:
        segments += [leg, "RPI+1+HK"]
    return segments


def message(
    bookings: list[list[str]],
    reference: str = "1",
    flight: str | None = None,
    eqn: int | None = None,
    unt: int | None = None,
) -> list[str]:
    """A PNRGOV message: MSG, ORG, the flight pushed for (level 0 TVL), EQN, the bookings."""
    body = ["MSG+:22", "ORG+BA:LON", flight if flight is not None else tvl()]
    body.append(f"EQN+{len(bookings) if eqn is None else eqn}")
    body = [segment for segment in body if segment]
    for one in bookings:
        body += one
    count = len(body) + 2 if unt is None else unt
    return [f"UNH+{reference}+PNRGOV:11:1:IA+271126/0754/BA/9", *body, f"UNT+{count}+{reference}"]


def interchange(
    messages: list[list[str]],
    sender: str = "BAPNR",
    control: str = "0003",
    una: bool = True,
    one_line: bool = False,
    syntax: str = "UNOA",
) -> str:
    segments = [f"UNB+{syntax}:4+{sender}:ZZ+UKPIU:ZZ+261125:0754+{control}"]
    segments.append("UNG+PNRGOV+BA+UKPIU+261125:0754+1+IA+11:1")
    for one in messages:
        segments += one
    segments += [f"UNE+{len(messages)}+1", f"UNZ+1+{control}"]
    separator = "'" if one_line else "'\n"
    text = separator.join(segments) + "'" + ("" if one_line else "\n")
    return ("UNA:+.? '" + ("" if one_line else "\n") if una else "") + text
