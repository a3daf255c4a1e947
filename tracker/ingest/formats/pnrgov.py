"""UN/EDIFACT PNRGOV (PNR data pushed by airlines to governments) to travel rows.

The interchange is read as every EDIFACT reader reads it (``edifact``: UNA, decoding by the
UNB syntax identifier, control counts warned about, truncation flagged). A message holds the
flight it is pushed for (level 0: MSG, ORG, TVL, EQN) and one SRC group per booking
(``pnrgov_bookings``): each named traveller becomes one row per leg, with the booking
reference, and the same record id at every push of the booking, so the 48 h, 24 h and
gate-close pushes update one journey instead of adding travellers.
"""

from __future__ import annotations

from tracker.ingest.formats.edifact import (
    EdifactReader,
    Message,
    same_count,
    shown_count,
    trailer_mismatches,
)
from tracker.ingest.formats.pnrgov_bookings import Booking, BookingRows, Placed, bookings_of
from tracker.ingest.formats.rows import SourceRow

MESSAGE_TYPE = "PNRGOV"
LEVEL_0 = frozenset({"UNH", "MSG", "ORG", "TVL", "EQN"})  # before the first booking (SRC)


class MessageRejected(Exception):
    """A whole message cannot be loaded; the message says why."""


class PnrgovReader(EdifactReader):
    """Travel rows from one PNRGOV interchange, in chunks like the tabular readers."""

    format = "pnrgov"
    source_prefix = "pnrgov"
    quotes_parse_errors = False

    def message_rows(
        self, text: str, message: Message, source: str, control: str
    ) -> list[SourceRow]:
        """One row per named traveller per leg of every booking in ``message`` (or one
        rejected row per traveller when the message cannot be read)."""
        name = f"message {message.reference[:35] or '?'}"
        placed = list(enumerate(message.segments, start=1))
        try:
            if message.problem:
                raise MessageRejected(message.problem)
            head, body = _checked_message(message, placed)
        except MessageRejected as exc:
            return _rejected_travellers(text, message, placed, f"{name} rejected whole: {exc}")
        bookings = bookings_of(body)
        self.warnings.extend(
            f"{name}: {mismatch}; loaded all the same"
            for mismatch in [*trailer_mismatches(message), *_count_mismatch(head, bookings)]
        )
        fallback = next((p for p in head if p[1].tag == "TVL"), None)
        reader = BookingRows(text, name, self.home_country, self.today)
        rows: list[SourceRow] = []
        for booking in bookings:
            rows.extend(reader.rows(booking, fallback, source))
        return rows


def _checked_message(message: Message, placed: list[Placed]) -> tuple[list[Placed], list[Placed]]:
    """(level 0, the bookings' part) of a whole PNRGOV message."""
    unh = message.segments[0]
    kind = unh.element(1).strip().upper()
    if kind != MESSAGE_TYPE:
        shown = kind[:10] if kind.isalnum() else "untyped"
        raise MessageRejected(f"is a {shown} message, not PNRGOV")
    first = next((i for i, (_, s) in enumerate(placed) if s.tag not in LEVEL_0), len(placed))
    return placed[:first], placed[first:]


def _count_mismatch(head: list[Placed], bookings: list[Booking]) -> list[str]:
    """EQN at level 0 counts the bookings that follow: a mismatch is warned about."""
    eqn = next((segment for _, segment in head if segment.tag == "EQN"), None)
    if eqn is None or same_count(eqn.element(0, 0), len(bookings)):
        return []
    return [f"EQN counts {shown_count(eqn.element(0, 0))} bookings but {len(bookings)} follow"]


def _rejected_travellers(
    text: str, message: Message, placed: list[Placed], reason: str
) -> list[SourceRow]:
    """A message rejected whole as one rejected row per traveller named in it (each kept as
    its TIF segment alone: the rest of a booking may hold contact or payment details); one
    row for a message with no traveller found."""
    travellers = [group[0][1] for booking in bookings_of(placed) for group in booking.tifs]
    if not travellers:
        unh = message.segments[0] if message.segments else None
        raw = text[unh.start : unh.end] if unh else text[message.start : message.start + 200]
        return [SourceRow(message.line, raw, problem=(None, reason))]
    return [
        SourceRow(tif.line, text[tif.start : tif.end], problem=(None, reason)) for tif in travellers
    ]
