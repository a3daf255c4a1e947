"""One PNRGOV booking (an SRC group) to travel rows: a row per named traveller (TIF) per
flight leg (TVL), keyed so the 48 h, 24 h and gate-close pushes of the booking update the
same rows.

Only what a matcher needs is read: TIF names, SSR DOCS, TVL legs and the RCI booking
reference. Contact and payment details (ADD, FOP, MON, phone and e-mail in IFT or SSR CTCx,
ticketing) are never read, and the raw text kept with a row holds only the TIF, the DOCS
and the TVL it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tracker.ingest.formats.paxlst_segments import Segment
from tracker.ingest.formats.pnrgov_docs import (
    DocsProblem,
    docs_reference,
    docs_text,
    document_values,
    is_docs,
)
from tracker.ingest.formats.pnrgov_legs import Leg, LegProblem, is_flight, leg_of, same_flight
from tracker.ingest.formats.pnrgov_names import booked_name, group_without_names
from tracker.ingest.formats.rows import SourceRow

# Which segment each travel field comes from, so a reject names what to fix.
FIELD_SEGMENTS = {
    "family_name": "TIF or SSR DOCS",
    "given_names": "TIF or SSR DOCS",
    "sex": "SSR DOCS",
    "date_of_birth": "SSR DOCS",
    "nationality": "SSR DOCS",
    "doc_type": "SSR DOCS",
    "doc_number": "SSR DOCS",
    "doc_issuing_country": "SSR DOCS",
    "departure_port": "TVL",
    "arrival_port": "TVL",
    "departure_time": "TVL",
    "carrier": "TVL",
    "flight_number": "TVL",
    "booking_ref": "RCI",
    "record_id": "RCI, TIF and TVL",
}
Placed = tuple[int, Segment]
"""A segment with its position in its message (UNH is 1), which a reason names."""


@dataclass
class Traveller:
    tif: Placed
    given: str
    reference: str
    docs: list[Segment] = field(default_factory=list)
    infant: bool = False


@dataclass
class Booking:
    """An SRC group: its RCI, its travellers' segments (TIF to the next TIF or the first TVL)
    and its TVL legs."""

    start: Placed
    rci: Segment | None = None
    tifs: list[list[Placed]] = field(default_factory=list)
    tvls: list[Placed] = field(default_factory=list)
    docs: list[Segment] = field(default_factory=list)


def bookings_of(body: list[Placed]) -> list[Booking]:
    """The SRC groups of a message's body, in order (what comes before the first SRC is a
    booking too); TIFs after a booking's first TVL are check-in data about travellers
    already named (group 7), not travellers."""
    bookings: list[Booking] = []
    current: Booking | None = None
    for placed in body:
        segment = placed[1]
        tag = segment.tag
        if tag == "SRC" or current is None:  # a sender that leaves SRC out: one booking
            current = Booking(placed)
            bookings.append(current)
        if tag == "RCI" and current.rci is None:
            current.rci = segment
        elif tag == "TVL":
            current.tvls.append(placed)
        elif tag == "TIF" and not current.tvls:
            current.tifs.append([placed])
        elif is_docs(segment):
            current.docs.append(segment)
            if current.tifs and not current.tvls:
                current.tifs[-1].append(placed)
    return bookings


class BookingRows:
    """The rows of one message's bookings, read as of ``today`` from ``home_country``."""

    def __init__(self, text: str, message_name: str, home_country: str, today: date):
        self.text = text
        self.message_name = message_name
        self.home_country = home_country
        self.today = today

    def rows(self, booking: Booking, fallback: Placed | None, source: str) -> list[SourceRow]:
        legs = self._legs(booking, fallback)
        reference = booking.rci.element(0, 1).strip() if booking.rci else ""
        rows: list[SourceRow] = []
        for position, group in enumerate(booking.tifs, start=1):
            tif = group[0]
            raw = self._raw(tif[1])
            refused = self._booking_problem(booking, reference, legs, tif)
            if refused:
                rows.append(SourceRow(tif[1].line, raw, problem=(None, refused)))
                continue
            for traveller in self._travellers(group, booking, position):
                rows.extend(self._traveller_rows(traveller, legs, reference, source))
        return rows

    # --- the booking's facts ------------------------------------------------------------------

    def _legs(self, booking: Booking, fallback: Placed | None) -> list[tuple[Placed, Leg | str]]:
        """Each flight leg (or why it cannot be read); the message's own flight (its level 0
        TVL) when the booking lists none."""
        pushed = fallback if fallback is not None and is_flight(fallback[1]) else None
        flights = [placed for placed in booking.tvls if is_flight(placed[1])]
        if not flights and pushed is not None:
            flights = [pushed]
        legs: list[tuple[Placed, Leg | str]] = []
        keys: set[str] = set()
        for placed in flights:
            try:
                leg = leg_of(placed[1], self.home_country)
                if pushed is not None and placed is not pushed:
                    leg = same_flight(leg, leg_of(pushed[1], self.home_country))
            except LegProblem as exc:
                legs.append((placed, f"{self._where(placed)}: the flight {exc}"))
                continue
            if leg.key not in keys:  # a leg repeated (a codeshare's two TVLs) gives one row
                keys.add(leg.key)
                legs.append((placed, leg))
        return legs

    def _booking_problem(self, booking: Booking, reference: str, legs: list, tif: Placed) -> str:
        """Why a TIF gives no row at all: a group without names, a booking without a
        reference or without a flight ('' when it gives rows)."""
        segment = tif[1]
        group = group_without_names(
            segment.element(0, 1), segment.element(0, 2), segment.element(1, 0)
        )
        where = self._where(tif)
        if group:
            return f"{where}: {segment.element(0)[:70]!r} {group}; nothing to match"
        if not reference:
            return (
                f"{where}: the booking (SRC at segment {booking.start[0]}) has no "
                "reservation control number (RCI), so its pushes could not update one journey"
            )
        if not legs:
            return (
                f"{where}: the booking has no flight (no itinerary TVL, and no flight TVL at "
                "the message's level 0)"
            )
        if len(reference) > 64:
            return f"{where}: the booking reference (RCI) is over 64 characters"
        return ""

    def _travellers(self, group: list[Placed], booking: Booking, position: int) -> list:
        """The TIF's traveller, and an infant it carries in a further name element."""
        tif = group[0][1]
        own = [segment for _, segment in group[1:] if not docs_reference(segment)]
        base = tif.element(1, 2).strip()
        base = base if base.isalnum() and len(base) <= 8 else f"P{position}"
        travellers = [Traveller(group[0], tif.element(1, 0), base)]
        for extra in range(2, len(tif.elements)):
            given = tif.element(extra, 0)
            if given.strip():
                reference = tif.element(extra, 2).strip()
                reference = reference if reference.isalnum() and len(reference) <= 8 else ""
                travellers.append(
                    Traveller(group[0], given, reference or f"{base}I{extra - 1}", infant=True)
                )
        for traveller in travellers:
            named = [d for d in booking.docs if docs_reference(d) == traveller.reference]
            candidates = (own if traveller is travellers[0] else []) + named
            traveller.docs = [d for d in candidates if _infant_docs(d) == traveller.infant]
            if not traveller.docs and traveller.infant:
                traveller.docs = [d for d in own if _infant_docs(d)][:1]
        return travellers

    # --- rows ---------------------------------------------------------------------------------

    def _traveller_rows(
        self, traveller: Traveller, legs: list, reference: str, source: str
    ) -> list[SourceRow]:
        tif = traveller.tif[1]
        name = booked_name(tif.element(0, 0), traveller.given)
        values = {"family_name": name.family_name, "given_names": name.given_names or ""}
        values["sex"] = name.sex or ""
        problem = None
        chosen = _chosen_docs(traveller.docs)
        if chosen is not None:
            try:
                documented = document_values(docs_text(chosen), self.today)
            except DocsProblem as exc:
                documented = {}
                problem = (exc.args[0], f"{self._where(traveller.tif)}: {exc.args[1]}")
            if documented.get("family_name"):
                values["given_names"] = ""
            values.update(documented)
        values = {k: v for k, v in values.items() if v and not v.isspace()}
        values.update(source=source, booking_ref=reference, traveller_kind="passenger")
        rows = []
        for placed, leg in legs:
            raw = self._raw(tif, *([chosen] if chosen is not None else []), placed[1])
            if isinstance(leg, str):
                rows.append(SourceRow(tif.line, raw, problem=(None, leg)))
                continue
            record = dict(values, **leg.facts)
            record["record_id"] = f"{reference}-{traveller.reference}-{leg.key}"
            rows.append(SourceRow(tif.line, raw, record, problem=problem, labels=FIELD_SEGMENTS))
        return rows

    def _where(self, placed: Placed) -> str:
        segment = placed[1]
        return f"{self.message_name}, segment {placed[0]} ({segment.tag}, line {segment.line})"

    def _raw(self, *segments: Segment) -> str:
        """The row's own segments as sent, one a line: never the booking's other segments,
        which may hold contact or payment details."""
        return "\n".join(self.text[s.start : s.end] for s in segments)


def _infant_docs(docs: Segment) -> bool:
    """An infant's DOCS, sent under the adult who carries them (sex MI, FI or UI)."""
    fields = docs_text(docs).strip().lstrip("/").split("/")
    return len(fields) > 5 and fields[5].strip().upper() in ("MI", "FI", "UI")


def _chosen_docs(docs: list[Segment]) -> Segment | None:
    """The passport if the booking holds one, else the first document."""
    if not docs:
        return None
    return next((d for d in docs if docs_text(d).strip().lstrip("/")[:2] == "P/"), docs[0])
