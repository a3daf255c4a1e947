"""One PAXLST message to travel rows: each traveller's own facts (NAD, ATT, DTM, NAT, DOC)
with their leg's (the flight, where they board and leave), one row per traveller.

A message that cannot be read (truncated, unparseable, a flight fact missing) is rejected
whole, as one rejected row per traveller in it; a traveller lacking a fact is rejected alone.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from tracker.ingest.formats.edifact import Message, same_count, shown_count, trailer_mismatches
from tracker.ingest.formats.paxlst_legs import (
    DEBARKATION,
    EMBARKATION,
    Leg,
    LegProblem,
    departure_instant,
    message_legs,
    travellers_journey,
)
from tracker.ingest.formats.paxlst_segments import Segment
from tracker.ingest.formats.rows import SourceRow

# Person groups: FL passenger, FM crew member, DDT/DDU passenger/crew in transit.
PERSON_QUALIFIERS = frozenset({"FL", "FM", "DDT", "DDU"})
LIST_DOCUMENT_CODES = {"745": "passenger list", "250": "crew list"}
CREW_LIST_CODE = "250"
CREW_QUALIFIERS = frozenset({"FM", "DDU"})  # crew member, crew member in transit
DOCUMENT_TYPES = {"P": "P", "I": "I", "V": "V"}
# Which segment each travel field comes from, so a reject names what to fix in the message.
FIELD_SEGMENTS = {
    "family_name": "NAD",
    "given_names": "NAD",
    "sex": "ATT+2",
    "date_of_birth": "DTM+329",
    "nationality": "NAT+2",
    "doc_type": "DOC",
    "doc_number": "DOC",
    "doc_issuing_country": "LOC+91",
    "departure_port": "LOC+125",
    "arrival_port": "LOC+87",
    "departure_time": "DTM+189",
    "carrier": "TDT",
    "flight_number": "TDT",
}


class MessageRejected(Exception):
    """A whole message cannot be loaded; the message says why."""


class TravellerRows:
    """The travel rows of a message's travellers, read as of ``today`` (two-digit birth years)
    from ``home_country`` (the direction of travel); what was repaired goes to ``warnings``."""

    def __init__(self, home_country: str, today: date, warnings: list[str]):
        self.home_country = home_country
        self.today = today
        self.warnings = warnings

    def rows(self, text: str, message: Message, source: str, control: str) -> list[SourceRow]:
        """One row per traveller of ``message``, whose record ids carry the interchange's
        ``control`` reference and whose ``source`` is the sender's."""
        segments = message.segments
        groups = _person_groups(segments)
        try:
            if message.problem:
                raise MessageRejected(message.problem)
            head, crew_list, mismatches = _check_envelope(message, groups)
            legs = message_legs(head)
            # one leg: its facts are every traveller's, worked out (and checked) once
            shared = self._journey_facts(legs, None, None) if len(legs) == 1 else None
            self.warnings.extend(
                f"message {message.reference or '?'}: {mismatch}; loaded all the same"
                for mismatch in mismatches
            )
        except (MessageRejected, LegProblem) as exc:
            end = message.end if message.end is not None else len(text)
            reason = (None, f"message {message.reference or '?'} rejected whole: {exc}")
            return _rejected_travellers(text, message, end, reason)
        rows = []
        for position, group in enumerate(groups, start=1):
            record_id = f"{control}-{message.reference}-{position:04d}"
            raw = text[group[0].start : group[-1].end]
            values, problem, (embarks, debarks) = self._person_values(group)
            try:
                values.update(
                    shared if shared is not None else self._journey_facts(legs, embarks, debarks)
                )
            except LegProblem as exc:
                problem = problem or (None, f"the traveller's leg cannot be told: {exc}")
            values.update(record_id=record_id, source=source)
            crew = crew_list or group[0].element(0) in CREW_QUALIFIERS
            values["traveller_kind"] = "crew" if crew else "passenger"
            rows.append(
                SourceRow(group[0].line, raw, values, problem=problem, labels=FIELD_SEGMENTS)
            )
        return rows

    def _journey_facts(
        self, legs: list[Leg], embarks: str | None, debarks: str | None
    ) -> dict[str, str]:
        """The facts of the traveller's own journey on this flight: the leg they board, its
        flight and local departure time, and where they leave the aircraft."""
        leg, leaves_at = travellers_journey(legs, embarks, debarks)
        departure_time = departure_instant(leg, _edifact_datetime)
        from_airport, to_airport = leg.departure.airport, leaves_at.airport
        facts = {
            "departure_port": from_airport.iata,
            "arrival_port": to_airport.iata,
            "departure_country": from_airport.country,
            "arrival_country": to_airport.country,
            "departure_time": departure_time.isoformat(),
            "direction": travel_direction(
                from_airport.country, to_airport.country, self.home_country
            ),
        }
        if leg.flight_number:
            facts["flight_number"] = leg.flight_number
        if leg.carrier:
            facts["carrier"] = leg.carrier
        return facts

    def _person_values(
        self, group: list[Segment]
    ) -> tuple[dict[str, str], tuple[str | None, str] | None, tuple[str | None, str | None]]:
        """A passenger's own facts, their ports of embarkation and debarkation (LOC+178/179);
        a date that cannot be read is that passenger's problem."""
        nad = group[0]
        names = nad.components(3)  # SURNAME:GIVEN:MIDDLE...; the surname's place is fixed
        values: dict[str, str] = {}
        problem = None
        if names:
            values["family_name"] = names[0]
            given = [part for part in names[1:] if part and not part.isspace()]
            if given:
                values["given_names"] = " ".join(given)
        document: list[Segment] | None = None
        documents: list[list[Segment]] = []
        ports: dict[str, str] = {}
        for segment in group[1:]:
            qualifier = segment.element(0)
            if segment.tag == "LOC" and qualifier in (EMBARKATION, DEBARKATION):
                ports[qualifier] = segment.element(1).strip().upper()
            elif segment.tag == "DOC":
                document = [segment]
                documents.append(document)
            elif segment.tag == "ATT" and qualifier == "2":
                values["sex"] = segment.element(2)
            elif segment.tag == "DTM" and qualifier == "329":
                birth = _birth_date(segment.element(0, 1), self.today)
                if birth is None:
                    problem = (
                        "date_of_birth",
                        f"{segment.element(0, 1)!r} is not a date (expected YYMMDD or CCYYMMDD)",
                    )
                else:
                    values["date_of_birth"] = birth.isoformat()
            elif segment.tag == "NAT" and qualifier == "2":
                values["nationality"] = segment.element(1)
            elif document is not None and segment.tag in ("LOC", "DTM"):
                document.append(segment)
        values.update(_document_values(documents))
        kept = {k: v for k, v in values.items() if v and not v.isspace()}
        return kept, problem, (ports.get(EMBARKATION) or None, ports.get(DEBARKATION) or None)


def _check_envelope(
    message: Message, groups: list[list[Segment]]
) -> tuple[list[Segment], bool, list[str]]:
    """The message is a whole PAXLST passenger or crew list; returns its segments before the
    first person (the flight's part), whether it is a crew list, and what its control counts
    get wrong. Senders' trailers
    disagree with their messages often (issue 18): a count is a check, not a reason to lose
    hundreds of travellers, so a mismatch loads the message with a warning."""
    segments = message.segments
    unh = segments[0]
    if unh.element(1) != "PAXLST":
        raise MessageRejected(f"is a {unh.element(1) or 'untyped'} message, not PAXLST")
    warnings = trailer_mismatches(message)
    head = segments[: segments.index(groups[0][0])] if groups else segments
    bgm = _first(head, "BGM")
    if bgm is None or bgm.element(0) not in LIST_DOCUMENT_CODES:
        found = bgm.element(0) if bgm else "no BGM segment"
        raise MessageRejected(
            f"is not a passenger (BGM+745) or crew (BGM+250) list (found {found})"
        )
    for cnt in (segment for segment in segments if segment.tag == "CNT"):
        if cnt.element(0) in ("41", "42") and not same_count(cnt.element(0, 1), len(groups)):
            warnings.append(
                f"CNT+{cnt.element(0)} says {shown_count(cnt.element(0, 1))} "
                f"travellers but {len(groups)} follow"
            )
    return head, bgm.element(0) == CREW_LIST_CODE, warnings


def travel_direction(departure_country: str, arrival_country: str, home_country: str) -> str:
    """`out` leaving the home country, `in` arriving in it, `transit` for a journey that does
    neither (data contract 1.1): a leg between two foreign airports is not an arrival, nor a
    domestic one a departure."""
    leaves, enters = departure_country == home_country, arrival_country == home_country
    if leaves and not enters:
        return "out"
    if enters and not leaves:
        return "in"
    return "transit"


def _first(segments: list[Segment], tag: str) -> Segment | None:
    return next((s for s in segments if s.tag == tag), None)


def _person_groups(segments: list[Segment]) -> list[list[Segment]]:
    """Each person's segments, from their NAD up to the next person, CNT or UNT."""
    groups: list[list[Segment]] = []
    current: list[Segment] | None = None
    for segment in segments:
        if segment.tag == "NAD" and segment.element(0) in PERSON_QUALIFIERS:
            current = [segment]
            groups.append(current)
        elif segment.tag in ("CNT", "UNT"):
            current = None
        elif current is not None:
            current.append(segment)
    return groups


# A person's NAD, written as senders write it (``NAD+FL``, ``NAD +FL``, any separator).
_PERSON_START = re.compile(
    r"NAD\s*[^\sA-Z0-9]\s*(?:" + "|".join(sorted(PERSON_QUALIFIERS)) + r")\b"
)


def _rejected_travellers(
    text: str, message: Message, end: int, reason: tuple[str | None, str]
) -> list[SourceRow]:
    """A message rejected whole as one rejected row per traveller in it (found in the text,
    since the message may not parse), each with its own segments, so the reject file and the
    load summary count the same; a message with no traveller found is one row."""
    body = text[message.start : end]
    starts = [found.start() for found in _PERSON_START.finditer(body)]
    if not starts:
        return [SourceRow(message.line, body, problem=reason)]
    rows, line, counted_to = [], message.line, 0
    for start, stop in zip(starts, [*starts[1:], len(body)], strict=True):
        line += body.count("\n", counted_to, start)  # counted once, not from the top each time
        counted_to = start
        rows.append(SourceRow(line, body[start:stop], problem=reason))
    return rows


def _document_values(documents: list[list[Segment]]) -> dict[str, str]:
    """The passport if there is one, else the first document, with its issuing country."""
    if not documents:
        return {}
    chosen = next((d for d in documents if d[0].element(0) == "P"), documents[0])
    values = {
        "doc_type": DOCUMENT_TYPES.get(chosen[0].element(0), "O"),
        "doc_number": chosen[0].element(1),
    }
    for segment in chosen[1:]:
        if segment.tag == "LOC" and segment.element(0) == "91":
            values["doc_issuing_country"] = segment.element(1)
    return values


def _edifact_datetime(value: str) -> datetime | None:
    """YYMMDDHHMM (format 201) or CCYYMMDDHHMM (203) as a naive local clock time."""
    value = value.strip()
    try:
        if len(value) == 10 and value.isdigit():
            return datetime.strptime("20" + value, "%Y%m%d%H%M")
        if len(value) == 12 and value.isdigit():
            return datetime.strptime(value, "%Y%m%d%H%M")
    except ValueError:
        return None
    return None


def _birth_date(value: str, today: date) -> date | None:
    """YYMMDD in the century that puts it in the past (a birth date is never in the future)."""
    value = value.strip()
    if not value.isdigit():
        return None
    if len(value) == 8:
        try:
            return date(int(value[:4]), int(value[4:6]), int(value[6:]))
        except ValueError:
            return None
    if len(value) != 6:
        return None
    year, month, day = int(value[:2]), int(value[2:4]), int(value[4:])
    for century in (2000, 1900):
        try:
            candidate = date(century + year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return None
