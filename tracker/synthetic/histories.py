"""Notification histories that follow domain.md s.1-2, and the flags planted in them.

The s.83-85 chain (initial, changes, periodic, weekly) is built on its own and is compliant
without any travel notification, so whether an evaluator lets foreign-travel notices restart
the yearly clock cannot change a verdict. Compliant notices sit well inside every deadline;
planted failures sit well outside.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.synthetic.cases import Case
from tracker.synthetic.geo import FOREIGN, airport
from tracker.synthetic.people import Person
from tracker.synthetic.rand import Draw, days
from tracker.synthetic.trips import Network, Trip

UK_NOTICE = (10, 45)  # days before departure (rule: at least 7)
SORNA_NOTICE = (25, 60)  # rule: at least 21
KIND_ORDER = {
    k: i
    for i, k in enumerate(
        (
            "initial",
            "change_name",
            "change_address",
            "change_other",
            "periodic",
            "weekly",
            "travel_return",
            "foreign_travel",
        )
    )
}


@dataclass(slots=True)
class Note:
    """One notification; ``id`` is given when the file is written."""

    kind: str
    on: date
    effective: date | None = None
    departure: date | None = None
    return_date: date | None = None
    destinations: str = ""
    departure_port: str = ""
    arrival_port: str = ""
    carrier: str = ""
    id: str = ""


@dataclass(slots=True)
class Planted:
    """A flag that must be raised: what, on whom, and the evidence it points at."""

    offender_id: str
    kind: str
    text: str
    note: Note | None = None
    trip: Trip | None = None
    leg: str = ""  # "out" or "in": which travel record of the trip


def _at_home(day: date, last: date, trips: list[Trip], draw: Draw) -> date:
    """Move an in-person notification off days spent abroad (earlier where possible)."""
    for trip in trips:
        if trip.abroad_on(day):
            earlier = trip.out_day - days(draw.between(2, 6))
            if earlier > last + days(7):
                return earlier
            if trip.back_day is not None:
                return trip.back_day + days(2)
    return day


def _changes(
    case: Case, person: Person, end: date, trips: list[Trip], draw: Draw
) -> tuple[list[Note], Note | None]:
    """Change notifications (name changes the register records, moves, other changes) and
    the planted late one, if any."""
    start = case.requirement_start + days(25)
    notes: list[Note] = []
    late: Note | None = None
    if end <= start:
        return notes, late
    for alias in person.aliases:
        if alias.since is not None and start <= alias.since <= end - days(3):
            notes.append(Note("change_name", alias.since + days(draw.between(0, 1)), alias.since))
    span_years = (end - start).days / 365.25
    for kind, rate in (("change_address", 0.12), ("change_other", 0.05)):
        expected = rate * span_years
        count = int(expected) + (1 if draw.random() < expected - int(expected) else 0)
        for _ in range(count):
            effective = start + days(draw.between(0, (end - start).days - 3))
            if any(t.abroad_on(effective) for t in trips):
                continue
            notes.append(Note(kind, effective + days(draw.between(0, 1)), effective))
    if case.late_change_on is not None:
        kind = "change_address" if draw.chance(0.7) else "change_other"
        eff = case.late_change_on
        late = Note(kind, eff + days(draw.between(6, 25)), eff)
        notes.append(late)
    notes.sort(key=lambda n: n.on)
    return [n for n in notes if n.on <= end], late


def _chain(
    first: Note, changes: list[Note], end: date, gap: tuple[int, int], trips: list[Trip], draw: Draw
) -> list[Note]:
    """Initial, then periodic notices each within ``gap`` days of the last notice of any
    s.83-85 kind, interleaved with the changes, up to ``end``."""
    out, last, ci = [first], first.on, 0
    while True:
        nxt = last + days(draw.between(*gap))
        if ci < len(changes) and changes[ci].on <= min(nxt, end):
            out.append(changes[ci])
            last = max(last, changes[ci].on)
            ci += 1
            continue
        if nxt > end:
            return out
        nxt = _at_home(nxt, last, trips, draw)
        if nxt > end:
            return out
        out.append(Note("periodic", nxt))
        last = nxt


def _weekly(since: date, until: date, draw: Draw) -> list[Note]:
    """Weekly notices, counted back from ``until`` every 3-4 days (rule: every 7)."""
    out, day = [], until
    while day >= since + days(3):
        out.append(Note("weekly", day))
        day -= days(draw.between(3, 4))
    return out[::-1]


def _other_country(abroad: str, draw: Draw) -> str:
    country = airport(abroad).country
    while True:
        other = draw.pick(FOREIGN).iata
        if airport(other).country != country:
            return other


def _trip_notes(
    case: Case, trip: Trip, network: Network, as_of: date, draw: Draw
) -> tuple[list[Note], list[Planted]]:
    if trip.kind == "after_end":
        return [], []
    kind, out = trip.kind, trip.out_day
    notice = SORNA_NOTICE if case.jurisdiction == "us-sorna" else UK_NOTICE
    r_out = network.route(trip.uk, trip.abroad, "out")
    r_in = network.route(trip.uk, trip.abroad, "in")
    planned_back = out + days(trip.length)
    # always full details (ports, carrier): an incomplete notice could itself be read as a breach
    ft = Note(
        "foreign_travel",
        out - days(draw.between(*notice)),
        departure=out,
        return_date=planned_back,
        destinations=airport(trip.abroad).country,
        departure_port=trip.uk,
        arrival_port=trip.abroad,
        carrier=network.carrier_text(r_out, draw),
    )
    notes: list[Note] = [ft]
    flags: list[Planted] = []
    wants_return = True
    if kind == "unnotified_travel":
        notes = []
        flags.append(
            Planted(
                case.offender_id,
                kind,
                f"left {trip.uk} for {trip.abroad} on {out} with no foreign travel notification",
                trip=trip,
                leg="out",
            )
        )
    elif kind == "late_travel_notification":
        ft.on = out - days(draw.between(1, 4))
        flags.append(
            Planted(
                case.offender_id,
                kind,
                f"notified {ft.on} for departure {out} ({(out - ft.on).days} days before)",
                note=ft,
                trip=trip,
                leg="out",
            )
        )
    elif kind == "travel_details_mismatch":
        other = _other_country(trip.abroad, draw)
        ft.destinations, ft.arrival_port = airport(other).country, other
        flags.append(
            Planted(
                case.offender_id,
                kind,
                f"notified destination "
                f"{ft.destinations} ({other}); flew to {airport(trip.abroad).country} "
                f"({trip.abroad})",
                note=ft,
                trip=trip,
                leg="out",
            )
        )
    elif kind == "missing_return_notification":
        ft.return_date = None
        wants_return = False
        flags.append(
            Planted(
                case.offender_id,
                kind,
                f"returned {trip.back_day}; no return date notified and no return notification",
                note=ft,
                trip=trip,
                leg="in",
            )
        )
    else:
        long_haul = network.abroad_long[network.abroad.index(trip.abroad)]
        recent = trip.back_day is None or trip.back_day > as_of - days(5)
        if not recent and draw.chance(0.2):
            ft.return_date = None  # return date unknown then; a return notice follows
        elif ft.return_date is not None and not long_haul and draw.chance(0.5):
            wants_return = False  # short hop, return date notified exactly
        if draw.chance(0.1):
            extra = airport(_other_country(trip.abroad, draw)).country
            ft.destinations = f"{ft.destinations}|{extra}"
    if wants_return and trip.back_day is not None:
        on = trip.back_day + days(draw.between(0, 1))
        if on <= as_of - days(1):
            notes.append(
                Note(
                    "travel_return",
                    on,
                    return_date=trip.back_day,
                    departure_port=trip.abroad,
                    arrival_port=trip.uk,
                    carrier=network.carrier_text(r_in, draw),
                )
            )
    return notes, flags


def _future_trip(network: Network, as_of: date, draw: Draw) -> Note:
    """A trip notified before as_of that leaves after it: no record yet, nothing due."""
    abroad = draw.pick(FOREIGN).iata
    uk = network.uk_for(abroad, draw)
    leave = as_of + days(draw.between(26, 80))
    return Note(
        "foreign_travel",
        as_of - days(draw.between(1, 10)),
        departure=leave,
        return_date=leave + days(draw.between(5, 20)),
        destinations=airport(abroad).country,
        departure_port=uk,
        arrival_port=abroad,
        carrier=network.carrier_text(network.route(uk, abroad, "out"), draw),
    )


def _registration(
    case: Case, person: Person, trips: list[Trip], as_of: date, draw: Draw
) -> tuple[list[Note], list[Planted]]:
    """The s.83-85 notices (initial, changes, periodic) and the flags planted among them."""
    start = case.requirement_start
    delay = case.initial_delay if case.initial_delay is not None else int(draw.chance(0.2))
    first = Note("initial", start + days(delay), effective=start)
    flags: list[Planted] = []
    if case.planted == "late_initial":
        flags.append(
            Planted(
                case.offender_id,
                "late_initial",
                f"initial notification {first.on}, "
                f"{delay} days after the requirement began {start}",
                note=first,
            )
        )
    end = case.notify_until(as_of)
    changes, late = _changes(case, person, end, trips, draw)
    notes = _chain(first, changes, end, case.gap, trips, draw)
    if late is not None:
        flags.append(
            Planted(
                case.offender_id,
                "late_change",
                f"{late.kind} effective {late.effective} notified {late.on}",
                note=late,
            )
        )
    if case.wanted_since is not None and notes[-1].on < case.wanted_since - days(30):
        # seen shortly before going missing: only whereabouts_unknown is due, not periodic
        notes.append(Note("periodic", case.wanted_since - days(draw.between(3, 20))))
    if case.planted == "overdue_periodic":
        flags.append(
            Planted(
                case.offender_id,
                "overdue_periodic",
                f"last notification {notes[-1].on}; next was due within a year",
                note=notes[-1],
            )
        )
    if case.planted == "whereabouts_unknown":
        flags.append(
            Planted(case.offender_id, "whereabouts_unknown", f"wanted since {case.wanted_since}")
        )
    return notes, flags


def _no_fixed_abode(
    case: Case, after: date, as_of: date, draw: Draw
) -> tuple[list[Note], list[Planted]]:
    """The move to no fixed abode, then weekly notices (stopping early if planted)."""
    if case.nfa_since is None:
        return [], []
    since = case.nfa_since
    notes = [Note("change_address", since, effective=since)] if since > after else []
    until = case.weekly_stop or as_of - days(draw.between(1, 2))
    weekly = _weekly(since, until, draw)
    notes.extend(weekly)
    flags = []
    if case.planted == "overdue_weekly" and weekly:
        flags.append(
            Planted(
                case.offender_id,
                "overdue_weekly",
                f"no fixed abode; last weekly notification {weekly[-1].on}",
                note=weekly[-1],
            )
        )
    return notes, flags


def history(
    case: Case, person: Person, trips: list[Trip], network: Network, as_of: date, draw: Draw
) -> tuple[list[Note], list[Planted]]:
    """Every notification of one offender, oldest first, and the flags planted on them."""
    notes, flags = _registration(case, person, trips, as_of, draw)
    nfa_notes, nfa_flags = _no_fixed_abode(case, notes[0].on + days(2), as_of, draw)
    notes.extend(nfa_notes)
    flags.extend(nfa_flags)
    for trip in trips:
        trip_notes, trip_flags = _trip_notes(case, trip, network, as_of, draw)
        notes.extend(trip_notes)
        flags.extend(trip_flags)
    if case.trips and case.planted is None and draw.chance(0.15):
        notes.append(_future_trip(network, as_of, draw))
    notes.sort(key=lambda n: (n.on, KIND_ORDER[n.kind]))
    return notes, flags
