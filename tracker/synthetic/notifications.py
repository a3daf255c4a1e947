"""The rows of notifications.csv: ids in order, and a time with its London offset on some."""

from __future__ import annotations

from datetime import date
from functools import cache
from zoneinfo import ZoneInfo

from tracker.synthetic.geo import offset_text
from tracker.synthetic.histories import Note
from tracker.synthetic.rand import Draw
from tracker.synthetic.writer import CsvSink

LONDON = ZoneInfo("Europe/London")


@cache
def _london_offset(day: date) -> str:
    return offset_text(LONDON, day, 12)


def _notified_on(note: Note, draw: Draw) -> str:
    if draw.chance(0.3):
        return (
            f"{note.on}T{draw.between(9, 17):02d}:{5 * draw.between(0, 11):02d}:00"
            f"{_london_offset(note.on)}"
        )
    return note.on.isoformat()


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def write_notifications(
    sink: CsvSink, offender_id: str, notes: list[Note], counter: list[int], draw: Draw
) -> None:
    for note in notes:
        counter[0] += 1
        note.id = f"N-{counter[0]:08d}"
        sink.row(
            {
                "notification_id": note.id,
                "offender_id": offender_id,
                "kind": note.kind,
                "notified_on": _notified_on(note, draw),
                "effective_on": _iso(note.effective),
                "departure_date": _iso(note.departure),
                "return_date": _iso(note.return_date),
                "destination_countries": note.destinations,
                "departure_port": note.departure_port,
                "arrival_port": note.arrival_port,
                "carrier": note.carrier,
            }
        )
