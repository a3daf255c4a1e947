"""UN/EDIFACT PAXLST passenger lists (domain.md s.5): one message per flight, a few flights
per interchange from one carrier, one interchange per file.

Identity rule shared with the ingest reader: source = ``paxlst-`` + the UNB sender id in
lower case; record_id = ``<UNB control reference>-<UNH message reference>-<passenger
position in the message, 1-based, 4 digits>``, e.g. ``000123-1-0003``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from tracker.synthetic.geo import arrival_local
from tracker.synthetic.rand import Draw
from tracker.synthetic.spelling import carrier_upper

RECIPIENT = "UKBFAPI"
_BOOKING = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def escape(value: str) -> str:
    """Release character ``?`` before each service character (``? + : '``)."""
    return value.replace("?", "??").replace("+", "?+").replace(":", "?:").replace("'", "?'")


def segment(tag: str, *elements: str | tuple[str, ...]) -> str:
    """A segment from already-escaped elements; a tuple is a composite (``:``-joined)."""
    out = [tag]
    for element in elements:
        if isinstance(element, tuple):
            comps = list(element)
            while comps and comps[-1] == "":
                comps.pop()
            out.append(":".join(comps))
        else:
            out.append(element)
    while len(out) > 1 and out[-1] == "":
        out.pop()
    return "+".join(out) + "'"


def source_of(sender: str) -> str:
    return f"paxlst-{sender.lower()}"


def record_id(control: str, message: int, position: int) -> str:
    return f"{control}-{message}-{position:04d}"


@dataclass
class Flight:
    carrier: str
    flight_number: str
    departure_port: str
    arrival_port: str
    departure: datetime  # local time at the departure airport
    passengers: list[dict] = field(default_factory=list)

    @property
    def arrival(self) -> datetime:
        return arrival_local(self.departure_port, self.arrival_port, self.departure)


@dataclass
class Interchange:
    sender: str
    control: str
    prepared: datetime
    flights: list[Flight]
    group: bool  # wrap the messages in a UNG/UNE functional group
    one_line: bool  # the whole file on one line, as some carriers send it

    @property
    def file_name(self) -> str:
        return f"{self.sender.lower()}-{self.control}.paxlst"

    @property
    def source(self) -> str:
        return source_of(self.sender)


def _yymmdd(iso: str) -> str:
    return date.fromisoformat(iso).strftime("%y%m%d")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M")


def _passenger(p: dict, flight: Flight, booking: str) -> list[str]:
    given = p["given_names"].split(" ") if p["given_names"] else []
    name = (
        escape(p["family_name"]),
        escape(given[0]) if given else "",
        escape(" ".join(given[1:])),
    )
    segs = [segment("NAD", "FL", "", "", name)]
    sex = p["sex"] if p["sex"] in ("M", "F", "U") else "U"
    segs.append(segment("ATT", "2", "", sex))
    if p["date_of_birth"]:
        segs.append(segment("DTM", ("329", _yymmdd(p["date_of_birth"]))))
    segs.append(segment("LOC", "178", flight.departure_port))
    segs.append(segment("LOC", "179", flight.arrival_port))
    if p["nationality"]:
        segs.append(segment("NAT", "2", p["nationality"]))
    segs.append(segment("RFF", ("AVF", booking)))
    if p["doc_number"]:
        segs.append(segment("DOC", (p["doc_type"] or "P", "110", "111"), escape(p["doc_number"])))
        if p.get("expiry"):
            segs.append(segment("DTM", ("36", _yymmdd(p["expiry"]))))
        if p["doc_issuing_country"]:
            segs.append(segment("LOC", "91", p["doc_issuing_country"]))
    return segs


def _message(ref: int, flight: Flight, draw: Draw) -> list[str]:
    access = f"{flight.flight_number}/{flight.departure:%y%m%d/%H%M}"
    segs = [
        segment("UNH", str(ref), ("PAXLST", "D", "05B", "UN", "IATA"), escape(access), ("01", "F")),
        segment("BGM", "745"),
        segment("TDT", "20", flight.flight_number, "", "", flight.carrier),
        segment("LOC", "125", flight.departure_port),
        segment("DTM", ("189", _stamp(flight.departure), "203")),
        segment("LOC", "87", flight.arrival_port),
        segment("DTM", ("232", _stamp(flight.arrival), "203")),
    ]
    for p in flight.passengers:
        booking = "".join(draw.pick(_BOOKING) for _ in range(6))
        segs.extend(_passenger(p, flight, booking))
    segs.append(segment("CNT", ("42", str(len(flight.passengers)))))
    segs.append(segment("UNT", str(len(segs) + 1), str(ref)))
    return segs


def render(ic: Interchange, draw: Draw) -> str:
    """The file text. Names are upper-cased first: UNOA has no lower-case letters."""
    when = (ic.prepared.strftime("%y%m%d"), ic.prepared.strftime("%H%M"))
    segs = [
        segment(
            "UNB", ("UNOA", "4"), (ic.sender, "ZZ"), (RECIPIENT, "ZZ"), when, ic.control, "", "APIS"
        )
    ]
    group_ref = str(int(ic.control))
    if ic.group:
        segs.append(
            segment(
                "UNG",
                "PAXLST",
                (ic.sender, "ZZ"),
                (RECIPIENT, "ZZ"),
                when,
                group_ref,
                "UN",
                ("D", "05B"),
            )
        )
    for ref, flight in enumerate(ic.flights, start=1):
        segs.extend(_message(ref, flight, draw))
    if ic.group:
        segs.append(segment("UNE", str(len(ic.flights)), group_ref))
    segs.append(segment("UNZ", "1" if ic.group else str(len(ic.flights)), ic.control))
    sep = "" if ic.one_line else "\n"
    return "UNA:+.? '" + sep + sep.join(segs) + "\n"


def upper_names(p: dict) -> bool:
    """Upper-case a passenger's names for UNOA; True when that changed them."""
    fam = carrier_upper(p["family_name"], True)
    giv = carrier_upper(p["given_names"], True)
    changed = (fam, giv) != (p["family_name"], p["given_names"])
    p["family_name"], p["given_names"] = fam or p["family_name"], giv
    return changed
