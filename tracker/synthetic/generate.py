"""The generator run: register, histories, travel (CSV, JSON Lines, PAXLST) and ground truth.

Each stage draws from its own seeded stream (rand.STREAMS), so the same seed and arguments
give byte-identical files. Large outputs are written in chunks as they are made.
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from tracker.synthetic import paxlst
from tracker.synthetic.cases import Case, plan_cases
from tracker.synthetic.corrupt import travel_identity
from tracker.synthetic.documents import Ledger
from tracker.synthetic.geo import airport, offset_text
from tracker.synthetic.histories import Note, Planted, history
from tracker.synthetic.names import fold
from tracker.synthetic.people import (
    AWKWARD_DESCRIPTIONS,
    Person,
    make_offender,
    namesake_of,
    register_row,
    relative_of,
)
from tracker.synthetic.profiles import Profile, get_profile
from tracker.synthetic.rand import Draw, streams
from tracker.synthetic.travel import TRAVEL_COLUMNS, PublicFactory, trip_record
from tracker.synthetic.trips import Network, Trip, plan_trips, random_trip
from tracker.synthetic.writer import (
    ALIAS_COLUMNS,
    DOCUMENT_COLUMNS,
    NOTIFICATION_COLUMNS,
    OFFENDER_COLUMNS,
    TRUTH_FLAG_COLUMNS,
    TRUTH_LINK_COLUMNS,
    CsvSink,
    JsonlSink,
)

GENERATOR_VERSION = "1.0.0"
CHUNK = 100_000
TRIP_SHARE = 0.035  # offender trips per travel row: about 7% of rows are offenders'
NAMESAKE_RATE, RELATIVE_RATE = 0.03, 0.02
TRUTH_EXTRA = ("offender_id", "category", "corruptions", "hard_negative_of")
REQUIRED_TRAVEL = (
    "record_id",
    "source",
    "family_name",
    "direction",
    "departure_country",
    "arrival_country",
    "departure_time",
)
LONDON = ZoneInfo("Europe/London")
OUTPUT_FILES = (
    "offenders.csv",
    "aliases.csv",
    "documents.csv",
    "notifications.csv",
    "travel.csv",
    "travel-extra.jsonl",
    "truth_links.csv",
    "truth_flags.csv",
    "manifest.json",
)


@dataclass(frozen=True)
class GenerationSummary:
    """What a run wrote: row counts per file, planted flags per kind, and the paths."""

    out_dir: Path
    seed: int
    as_of: date
    counts: dict[str, int]
    flags: dict[str, int]
    categories: dict[str, int]
    files: tuple[Path, ...]
    seconds: float = 0.0
    profile: str = "default"


class _Clock:
    def __init__(self, enabled: bool):
        self.enabled, self.start, self.last = enabled, time.perf_counter(), time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        if self.enabled:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"[synthetic] {stage}: {now - self.last:.1f}s (total {now - self.start:.1f}s, "
                f"peak {peak:,.0f} MiB)",
                file=sys.stderr,
                flush=True,
            )
        self.last = now


# --- register ------------------------------------------------------------------------------


def _awkward_picks(cases: list[Case], draw: Draw) -> dict[int, str]:
    """Offenders who get the deliberately awkward values (apostrophe, comma, Cyrillic...)."""
    order = [int(i) for i in draw.rng.permutation(len(cases))]
    picks: dict[int, str] = {}
    sorna = [i for i in order if cases[i].jurisdiction == "us-sorna"]
    if sorna:
        picks[sorna[0]] = "comma"
    for tag in ("apostrophe", "cyrillic", "comma", "sql", "script", "quote"):
        if tag in picks.values():
            continue
        i = next((i for i in order if i not in picks), None)
        if i is not None:
            picks[i] = tag
    return picks


def _write_register(
    out: Path, cases: list[Case], persons: list[Person], picks: dict[int, str], draw: Draw
) -> dict[str, int]:
    descriptions = dict(zip(("sql", "script", "quote"), AWKWARD_DESCRIPTIONS, strict=True))
    with (
        CsvSink(out / "offenders.csv", OFFENDER_COLUMNS) as offenders,
        CsvSink(out / "aliases.csv", ALIAS_COLUMNS) as aliases,
        CsvSink(out / "documents.csv", DOCUMENT_COLUMNS) as documents,
    ):
        for case, person in zip(cases, persons, strict=True):
            row = register_row(case, person, draw)
            tag = picks.get(case.index)
            if tag in descriptions:
                row["description"] = descriptions[tag]
            offenders.row(row)
            for alias in person.aliases:
                aliases.row(
                    {
                        "offender_id": case.offender_id,
                        "family_name": alias.family_text,
                        "given_names": alias.given_text,
                        "kind": alias.kind,
                    }
                )
            for doc in person.documents:
                documents.row(
                    {
                        "offender_id": case.offender_id,
                        "doc_type": doc.doc_type,
                        "doc_number": doc.number,
                        "issuing_country": doc.country,
                        "expires_on": doc.expires.isoformat() if doc.expires else "",
                    }
                )
        return {
            "offenders.csv": offenders.rows,
            "aliases.csv": aliases.rows,
            "documents.csv": documents.rows,
        }


def _register_keys(cases: list[Case], persons: list[Person]) -> set[str]:
    """FAMILY|GIVEN|DOB letter keys of every spelling of every register name (both orders),
    which the public must never reproduce."""
    keys: set[str] = set()
    for person in persons:
        dob = person.dob.isoformat()
        names = [(person.family, person.given)] + [(a.family, a.given) for a in person.aliases]
        for family, given in names:
            fams = {fold(f.split(" ")[0]) for p in family[:1] for f in (*p.forms, p.text)}
            givs = {fold(g.split(" ")[0]) for p in given[:1] for g in (*p.forms, p.text)}
            for p in given[1:2]:  # Vietnamese: the personal name comes after the middle
                givs |= {fold(g) for g in p.forms}
            for f in fams:
                for g in givs:
                    keys.add(f"{f}|{g}|{dob}")
    return keys


# --- notifications ---------------------------------------------------------------------------


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


def _write_notifications(
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


# --- travel records of known people -----------------------------------------------------------


def _legs(trip: Trip) -> tuple[str, ...]:
    return ("out", "in") if trip.inbound_seen else ("out",)


def _known_rows(
    person: Person,
    trip: Trip,
    network: Network,
    ledger: Ledger,
    draw: Draw,
    truth: dict[str, str],
    registered: bool,
    profile: Profile,
) -> list[dict]:
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


def _hard_negatives(
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
                _known_rows(
                    person, trip, network, ledger, draw, truth, registered=False, profile=profile
                )
            )
    return rows


# --- PAXLST ------------------------------------------------------------------------------------


def _flight(network: Network, route: int, day: int) -> paxlst.Flight:
    r = network.routes
    stamp = f"{network.day_text[day]}{r['clock'][route]}"
    return paxlst.Flight(
        r["carrier"][route],
        r["flight_number"][route],
        r["departure_port"][route],
        r["arrival_port"][route],
        datetime.fromisoformat(stamp),
    )


def _paxlst_flights(
    special: list[dict], target: int, factory: PublicFactory, draw: Draw
) -> list[paxlst.Flight]:
    """Flights carrying the known people routed to PAXLST, filled up with the public until
    about ``target`` passengers are listed."""
    network = factory.network
    by_flight: dict[tuple[int, int], list[dict]] = {}
    for row in special:
        by_flight.setdefault((row["_route"], row["_day"]), []).append(row)
    plan: list[tuple[int, int, list[dict], int]] = []
    for (route, day), rows in sorted(by_flight.items()):
        plan.append((route, day, rows, draw.between(3, 12)))
    total = sum(len(rows) + extra for _, _, rows, extra in plan)
    while total < target:
        size = min(draw.between(4, 30), target - total)
        route = draw.integers(0, len(network.routes["source"]))
        plan.append((route, draw.integers(1, len(network.day_text) - 90), [], size))
        total += size
    public_n = sum(extra for *_, extra in plan)
    public = factory.people(public_n) if public_n else None
    records = public.to_dict("records") if public is not None else []
    for rec in records:
        rec.update(
            {"offender_id": "", "category": "public", "corruptions": "", "hard_negative_of": ""}
        )
    if records:
        records[0]["family_name"] = "O'NEILL"  # a name that needs the release character
    flights, taken = [], 0
    for route, day, rows, extra in plan:
        flight = _flight(network, route, day)
        people = rows + records[taken : taken + extra]
        taken += extra
        order = draw.rng.permutation(len(people))
        flight.passengers = [people[int(k)] for k in order]
        flights.append(flight)
    return flights


def _interchanges(flights: list[paxlst.Flight], draw: Draw) -> list[paxlst.Interchange]:
    flights = sorted(flights, key=lambda f: (f.carrier, f.departure, f.flight_number))
    out: list[paxlst.Interchange] = []
    control = 100 + draw.between(0, 800)
    i = 0
    while i < len(flights):
        carrier = flights[i].carrier
        batch = [flights[i]]
        i += 1
        size = draw.between(1, 6)
        while i < len(flights) and flights[i].carrier == carrier and len(batch) < size:
            batch.append(flights[i])
            i += 1
        control += draw.between(1, 9)
        prepared = min(f.departure for f in batch).replace(minute=0)
        out.append(
            paxlst.Interchange(
                f"API{carrier}",
                f"{control:06d}",
                prepared,
                batch,
                group=len(out) % 2 == 1,
                one_line=len(out) == 0 or draw.chance(0.1),
            )
        )
    return out


def _write_paxlst(
    out: Path, interchanges: list[paxlst.Interchange], truth: CsvSink, draw: Draw
) -> int:
    passengers = 0
    for ic in interchanges:
        for m, flight in enumerate(ic.flights, start=1):
            for pos, p in enumerate(flight.passengers, start=1):
                if paxlst.upper_names(p) and p["category"] != "public":
                    labels = [x for x in p["corruptions"].split("|") if x != "exact"]
                    if "case" not in labels:
                        labels.append("case")
                    p["corruptions"] = "|".join(labels)
                p["source"], p["record_id"] = ic.source, paxlst.record_id(ic.control, m, pos)
                truth.row(
                    {
                        "travel_source": p["source"],
                        "travel_record_id": p["record_id"],
                        **{k: p[k] for k in TRUTH_EXTRA},
                    }
                )
                passengers += 1
        (out / ic.file_name).write_text(paxlst.render(ic, draw), encoding="utf-8", newline="")
    return passengers


# --- CSV / JSON Lines streams --------------------------------------------------------------------


def _ids(sources: pd.Series, positions: np.ndarray) -> pd.Series:
    prefix = sources.str[4:].str.upper()
    numbers = pd.Series(positions + 1, index=sources.index).astype(str).str.zfill(9)
    return prefix + numbers


def _place(rows: list[dict], start: int, length: int, rng: np.random.Generator) -> np.ndarray:
    """Random, sorted stream positions for ``rows`` (in a random order); sets their ids."""
    order = rng.permutation(len(rows))
    rows[:] = [rows[int(k)] for k in order]
    positions = np.sort(rng.choice(length, len(rows), replace=False)) + start
    for row, pos in zip(rows, positions, strict=True):
        row["record_id"] = f"{row['source'][4:].upper()}{int(pos) + 1:09d}"
    return positions


def _stream(
    sink: CsvSink | JsonlSink,
    truth: CsvSink,
    special: list[dict],
    positions: np.ndarray,
    start: int,
    length: int,
    factory: PublicFactory,
    clock: _Clock,
    name: str,
) -> None:
    """Write ``length`` rows (stream positions start..start+length-1): known people at their
    positions, the public everywhere else, chunk by chunk."""
    cols = [*TRAVEL_COLUMNS, *TRUTH_EXTRA]
    for a in range(start, start + length, CHUNK):
        b = min(a + CHUNK, start + length)
        lo, hi = np.searchsorted(positions, [a, b])
        spec_pos = positions[lo:hi]
        spec = pd.DataFrame([special[k] for k in range(lo, hi)], columns=cols)
        pub_n = (b - a) - len(spec_pos)
        pub = factory.rows(pub_n) if pub_n else pd.DataFrame(columns=cols)
        pub = pub.assign(offender_id="", category="public", corruptions="", hard_negative_of="")
        mask = np.ones(b - a, dtype=bool)
        mask[spec_pos - a] = False
        pub_pos = np.flatnonzero(mask) + a
        pub["record_id"] = _ids(pub["source"], pub_pos).to_numpy() if pub_n else []
        frame = pd.concat([pub[cols], spec[cols]], ignore_index=True)
        frame = frame.iloc[np.argsort(np.concatenate([pub_pos, spec_pos]), kind="stable")]
        if isinstance(sink, JsonlSink):
            zulu = (np.arange(a, b) % 3 == 0) & frame["departure_time"].str.endswith("+00:00")
            frame.loc[zulu.to_numpy(), "departure_time"] = (
                frame.loc[zulu.to_numpy(), "departure_time"].str[:-6] + "Z"
            )
        sink.frame(frame)
        truth.frame(
            frame.rename(columns={"source": "travel_source", "record_id": "travel_record_id"})
        )
        clock.lap(f"{name} rows {b - start:,}/{length:,}")


# --- the run ------------------------------------------------------------------------------------


def _check_args(offenders: int, travel: int, paxlst_share: float, jsonl_share: float) -> None:
    if offenders < 1 or travel < 1:
        raise ValueError("offenders and travel must be positive")
    if not (0 <= paxlst_share < 1 and 0 <= jsonl_share < 1 and paxlst_share + jsonl_share < 0.9):
        raise ValueError("paxlst_share and jsonl_share must be in [0, 1) and sum below 0.9")


def _clear_old_paxlst(out: Path) -> None:
    """A re-run into the same folder must not leave the previous run's PAXLST files."""
    for old in out.glob("api*-*.paxlst"):
        old.unlink()


def generate(
    out_dir: Path,
    *,
    offenders: int = 300,
    travel: int = 3000,
    seed: int = 7,
    as_of: date = date(2026, 11, 20),
    paxlst_share: float = 0.1,
    jsonl_share: float = 0.1,
    progress: bool = False,
    profile: str | Profile = "default",
) -> GenerationSummary:
    """Write a synthetic inbox plus ground truth into ``out_dir``; deterministic per seed and
    profile (profiles.py: ``default`` or a stress profile that turns one carrier habit up)."""
    _check_args(offenders, travel, paxlst_share, jsonl_share)
    chosen = get_profile(profile)
    # The register stages build millions of small, long-lived, acyclic objects that the
    # cyclic collector would rescan for nothing as the heap grows: it is off while they are
    # made, then they are frozen out of its sight and it runs again for the streaming stage.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _generate(
            Path(out_dir),
            offenders,
            travel,
            seed,
            as_of,
            paxlst_share,
            jsonl_share,
            progress,
            chosen,
        )
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()
        else:
            gc.disable()


@dataclass
class _Run:
    """State the stages of one run share."""

    out: Path
    as_of: date
    rng: dict[str, np.random.Generator]
    network: Network
    ledger: Ledger
    clock: _Clock
    counts: dict[str, int]
    profile: Profile


def _generate(
    out: Path,
    offenders: int,
    travel: int,
    seed: int,
    as_of: date,
    paxlst_share: float,
    jsonl_share: float,
    progress: bool,
    profile: Profile,
) -> GenerationSummary:
    out.mkdir(parents=True, exist_ok=True)
    _clear_old_paxlst(out)
    rng = streams(seed)
    run = _Run(
        out, as_of, rng, Network(as_of, rng["layout"]), Ledger(), _Clock(progress), {}, profile
    )
    cases, persons = _register_stage(run, offenders, travel)
    planted, special = _history_stage(run, cases, persons)
    gc.freeze()
    gc.enable()
    interchanges = _travel_stage(run, cases, persons, special, travel, paxlst_share, jsonl_share)
    flag_counts = _write_flags(out / "truth_flags.csv", planted)
    run.counts["truth_flags.csv"] = sum(flag_counts.values())
    categories = Counter(row["category"] for row in special)
    categories["public"] = travel - sum(categories.values())
    args = {
        "offenders": offenders,
        "travel": travel,
        "seed": seed,
        "as_of": as_of.isoformat(),
        "paxlst_share": paxlst_share,
        "jsonl_share": jsonl_share,
    }
    if profile.name != "default":  # the default's manifest stays as it always was
        args["profile"] = profile.name
    paxlst_files = [ic.file_name for ic in interchanges]
    _write_manifest(
        out, args, run.counts, flag_counts, dict(sorted(categories.items())), paxlst_files
    )
    run.clock.lap("truth and manifest")
    files = tuple(sorted(out / name for name in (*OUTPUT_FILES, *paxlst_files)))
    return GenerationSummary(
        out,
        seed,
        as_of,
        run.counts,
        flag_counts,
        dict(sorted(categories.items())),
        files,
        time.perf_counter() - run.clock.start,
        profile.name,
    )


def _register_stage(run: _Run, offenders: int, travel: int) -> tuple[list[Case], list[Person]]:
    """Plan every offender's case, make the people, write offenders/aliases/documents."""
    trip_budget = max(1, int(TRIP_SHARE * travel))
    cases = plan_cases(offenders, run.as_of, Draw(run.rng["cases"]), trip_budget)
    draw = Draw(run.rng["register"])
    picks = _awkward_picks(cases, draw)
    persons = [
        make_offender(c, run.as_of, run.ledger, draw, picks.get(c.index), run.profile)
        for c in cases
    ]
    run.counts.update(_write_register(run.out, cases, persons, picks, draw))
    run.clock.lap("register")
    return cases, persons


def _history_stage(
    run: _Run, cases: list[Case], persons: list[Person]
) -> tuple[list[Planted], list[dict]]:
    """Trips and notifications per offender (written as made); the travel rows of every
    known person (offenders, namesakes, relatives) are kept for the travel stage."""
    tdraw, hdraw = Draw(run.rng["travel"]), Draw(run.rng["histories"])
    planted: list[Planted] = []
    special: list[dict] = []
    with CsvSink(run.out / "notifications.csv", NOTIFICATION_COLUMNS) as sink:
        counter = [0]
        for case, person in zip(cases, persons, strict=True):
            trips = plan_trips(case, person.tradition, run.network, tdraw)
            notes, flags = history(case, person, trips, run.network, run.as_of, hdraw)
            _write_notifications(sink, case.offender_id, notes, counter, hdraw)
            planted.extend(flags)
            truth = {
                "offender_id": case.offender_id,
                "category": "offender",
                "hard_negative_of": "",
            }
            for trip in trips:
                special.extend(
                    _known_rows(
                        person,
                        trip,
                        run.network,
                        run.ledger,
                        tdraw,
                        truth,
                        registered=True,
                        profile=run.profile,
                    )
                )
        run.counts["notifications.csv"] = sink.rows
    special.extend(
        _hard_negatives(cases, persons, run.network, run.ledger, run.as_of, tdraw, run.profile)
    )
    run.clock.lap("notifications and known travellers")
    return planted, special


def _travel_stage(
    run: _Run,
    cases: list[Case],
    persons: list[Person],
    special: list[dict],
    travel: int,
    paxlst_share: float,
    jsonl_share: float,
) -> list[paxlst.Interchange]:
    """Share the known travellers between the three channels, fill every channel up with
    the public, write travel.csv, travel-extra.jsonl, the PAXLST files and truth_links.csv."""
    layout = Draw(run.rng["layout"])
    channel: dict[str, list[dict]] = {"paxlst": [], "jsonl": [], "csv": []}
    for row in special:
        r = layout.random()
        key = "paxlst" if r < paxlst_share else "jsonl" if r < paxlst_share + jsonl_share else "csv"
        channel[key].append(row)
    factory = PublicFactory(
        run.network, run.ledger, _register_keys(cases, persons), run.rng["public"], run.profile
    )
    pax_draw = Draw(run.rng["paxlst"])
    flights = _paxlst_flights(channel["paxlst"], round(travel * paxlst_share), factory, pax_draw)
    interchanges = _interchanges(flights, pax_draw)
    pax_total = sum(len(f.passengers) for f in flights)
    del flights
    jsonl_total = max(round(travel * jsonl_share), len(channel["jsonl"])) if jsonl_share else 0
    csv_total = travel - pax_total - jsonl_total
    if csv_total < len(channel["csv"]):
        raise ValueError(
            f"travel={travel} is too small for the offenders' own trips "
            f"({len(special)} records); raise travel or lower offenders"
        )
    csv_pos = _place(channel["csv"], 0, csv_total, layout.rng)
    jsonl_pos = _place(channel["jsonl"], csv_total, jsonl_total, layout.rng)
    counts, clock = run.counts, run.clock
    with CsvSink(run.out / "truth_links.csv", TRUTH_LINK_COLUMNS) as truth:
        counts["paxlst passengers"] = _write_paxlst(run.out, interchanges, truth, pax_draw)
        counts["paxlst files"] = len(interchanges)
        for ic in interchanges:
            ic.flights.clear()  # the passengers are on disk: free them before streaming
        with CsvSink(run.out / "travel.csv", TRAVEL_COLUMNS) as sink:
            _stream(sink, truth, channel["csv"], csv_pos, 0, csv_total, factory, clock, "travel")
        counts["travel.csv"] = sink.rows
        with JsonlSink(run.out / "travel-extra.jsonl", TRAVEL_COLUMNS, REQUIRED_TRAVEL) as jsink:
            _stream(
                jsink,
                truth,
                channel["jsonl"],
                jsonl_pos,
                csv_total,
                jsonl_total,
                factory,
                clock,
                "travel-extra",
            )
        counts["travel-extra.jsonl"] = jsink.rows
        counts["truth_links.csv"] = truth.rows
    clock.lap("travel files")
    return interchanges


def _write_flags(path: Path, planted: list[Planted]) -> dict[str, int]:
    rows = []
    for flag in planted:
        record = flag.trip.records.get(flag.leg) if flag.trip is not None else None
        rows.append(
            {
                "offender_id": flag.offender_id,
                "kind": flag.kind,
                "travel_source": record["source"] if record else "",
                "travel_record_id": record["record_id"] if record else "",
                "notification_id": flag.note.id if flag.note is not None else "",
                "note": flag.text,
            }
        )
    rows.sort(key=lambda r: (r["offender_id"], r["kind"], r["travel_record_id"]))
    with CsvSink(path, TRUTH_FLAG_COLUMNS) as sink:
        sink.rows_from(rows)
    return dict(sorted(Counter(r["kind"] for r in rows).items()))


def _write_manifest(
    out: Path,
    args: dict,
    counts: dict[str, int],
    flags: dict[str, int],
    categories: dict[str, int],
    paxlst_files: list[str],
) -> None:
    manifest = {
        "generator": "tracker.synthetic",
        "version": GENERATOR_VERSION,
        "seed": args["seed"],
        "args": args,
        "counts": counts,
        "planted_flags": flags,
        "travel_categories": categories,
        "paxlst_files": sorted(paxlst_files),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
