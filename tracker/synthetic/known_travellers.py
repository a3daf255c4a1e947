"""Travel records of known people: offenders' own trips, and the hard negatives' (namesakes
and relatives who are not on the register but look as if they were)."""

from __future__ import annotations

from datetime import date

from tracker.synthetic.cases import Case
from tracker.synthetic.corrupt import travel_identity
from tracker.synthetic.documents import Document, Ledger, passport_code
from tracker.synthetic.geo import airport
from tracker.synthetic.names import given_parts
from tracker.synthetic.people import Person
from tracker.synthetic.profiles import Profile
from tracker.synthetic.rand import Draw, days
from tracker.synthetic.spelling import fold
from tracker.synthetic.traditions import TRADITIONS
from tracker.synthetic.travel import trip_record
from tracker.synthetic.trips import Network, Trip, random_trip

NAMESAKE_RATE, RELATIVE_RATE = 0.03, 0.02


def _legs(trip: Trip) -> tuple[str, ...]:
    return ("out", "in") if trip.inbound_seen else ("out",)


def known_rows(
    person: Person,
    trip: Trip,
    network: Network,
    ledger: Ledger,
    draw: Draw,
    truth: dict[str, str],
    registered: bool,
    profile: Profile,
) -> list[dict]:
    """The trip's travel rows (out, and back when that leg is seen) as a carrier sends the
    person's identity, each with the truth columns and its corruption labels."""
    rows = []
    abroad_country = airport(trip.abroad).country
    for leg in _legs(trip):
        day = trip.out_day if leg == "out" else trip.back_day
        assert day is not None
        identity, labels = travel_identity(
            person, day, abroad_country, ledger, draw, registered=registered, profile=profile
        )
        row = trip_record(network, trip, leg, identity)
        row.update(truth)
        row["corruptions"] = "|".join(labels)
        trip.records[leg] = row
        rows.append(row)
    return rows


def hard_negatives(
    cases: list[Case],
    persons: list[Person],
    network: Network,
    ledger: Ledger,
    as_of: date,
    draw: Draw,
    profile: Profile,
) -> list[dict]:
    rows: list[dict] = []
    n = len(cases)
    chosen = {
        "namesake": [i for i in range(n) if draw.chance(NAMESAKE_RATE)],
        "relative": [i for i in range(n) if draw.chance(RELATIVE_RATE)],
    }
    for kind, picked in chosen.items():
        if not picked and n:
            picked.append(draw.between(0, n - 1))
        for i in picked:
            make = namesake_of if kind == "namesake" else relative_of
            person = make(persons[i], as_of, ledger, draw)
            trip = random_trip(-1, person.tradition, network, draw)
            truth = {"offender_id": "", "category": kind, "hard_negative_of": cases[i].offender_id}
            rows.extend(
                known_rows(
                    person, trip, network, ledger, draw, truth, registered=False, profile=profile
                )
            )
    return rows


# --- hard negatives -----------------------------------------------------------------------


def namesake_of(offender: Person, as_of: date, ledger: Ledger, draw: Draw) -> Person:
    """Same (or nearly the same) name, born at least two years apart, own passport."""
    given = [offender.given[0]]
    if len(offender.given) > 1 and draw.chance(0.5):
        given.append(offender.given[1])
    shift = draw.between(730, 6000) * (1 if draw.chance(0.5) else -1)
    dob = offender.dob + days(shift)
    if dob >= as_of - days(18 * 366):
        dob = offender.dob - days(abs(shift))
    person = Person(
        offender.tradition, offender.sex, offender.family, given, dob, offender.nationalities[:1]
    )
    code = passport_code(offender.nationality or "GBR", draw)
    person.documents = [
        Document("P", ledger.passport(code, draw), code, as_of + days(draw.between(100, 3600)))
    ]
    return person


def relative_of(offender: Person, as_of: date, ledger: Ledger, draw: Draw) -> Person:
    """A twin: same family name and date of birth, other given names, own passport."""
    t = TRADITIONS[offender.tradition]
    sex = offender.sex if offender.sex in ("M", "F") and draw.chance(0.6) else draw.pick("MF")
    own = fold(offender.given[0].text)
    for _ in range(20):
        given = given_parts(t, sex, draw, "")
        if fold(given[0].forms[0]) != own and fold(given[0].text) != own:
            break
    person = Person(
        offender.tradition, sex, offender.family, given, offender.dob, offender.nationalities[:1]
    )
    code = passport_code(offender.nationality or "GBR", draw)
    person.documents = [
        Document("P", ledger.passport(code, draw), code, as_of + days(draw.between(100, 3600)))
    ]
    return person
