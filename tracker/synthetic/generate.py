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
from datetime import date
from pathlib import Path

import numpy as np

from tracker.synthetic import paxlst
from tracker.synthetic.cases import Case, plan_cases
from tracker.synthetic.documents import Ledger
from tracker.synthetic.histories import Planted, history
from tracker.synthetic.known_travellers import hard_negatives, known_rows
from tracker.synthetic.notifications import write_notifications
from tracker.synthetic.paxlst_flights import batch_interchanges, paxlst_flights, write_paxlst
from tracker.synthetic.people import Person, make_offender
from tracker.synthetic.profiles import Profile, get_profile
from tracker.synthetic.rand import Draw, streams
from tracker.synthetic.register import awkward_picks, register_keys, write_register
from tracker.synthetic.travel import TRAVEL_COLUMNS, PublicFactory
from tracker.synthetic.travel_files import place, stream
from tracker.synthetic.trips import Network, plan_trips
from tracker.synthetic.writer import (
    NOTIFICATION_COLUMNS,
    TRUTH_FLAG_COLUMNS,
    TRUTH_LINK_COLUMNS,
    CsvSink,
    JsonlSink,
)

GENERATOR_VERSION = "1.0.0"
TRIP_SHARE = 0.035  # offender trips per travel row: about 7% of rows are offenders'
REQUIRED_TRAVEL = (
    "record_id",
    "source",
    "family_name",
    "direction",
    "departure_country",
    "arrival_country",
    "departure_time",
)
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
    picks = awkward_picks(cases, draw)
    persons = [
        make_offender(c, run.as_of, run.ledger, draw, picks.get(c.index), run.profile)
        for c in cases
    ]
    run.counts.update(write_register(run.out, cases, persons, picks, draw))
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
            write_notifications(sink, case.offender_id, notes, counter, hdraw)
            planted.extend(flags)
            truth = {
                "offender_id": case.offender_id,
                "category": "offender",
                "hard_negative_of": "",
            }
            for trip in trips:
                special.extend(
                    known_rows(
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
        hard_negatives(cases, persons, run.network, run.ledger, run.as_of, tdraw, run.profile)
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
        run.network, run.ledger, register_keys(cases, persons), run.rng["public"], run.profile
    )
    pax_draw = Draw(run.rng["paxlst"])
    flights = paxlst_flights(channel["paxlst"], round(travel * paxlst_share), factory, pax_draw)
    interchanges = batch_interchanges(flights, pax_draw)
    pax_total = sum(len(f.passengers) for f in flights)
    del flights
    jsonl_total = max(round(travel * jsonl_share), len(channel["jsonl"])) if jsonl_share else 0
    csv_total = travel - pax_total - jsonl_total
    if csv_total < len(channel["csv"]):
        raise ValueError(
            f"travel={travel} is too small for the offenders' own trips "
            f"({len(special)} records); raise travel or lower offenders"
        )
    csv_pos = place(channel["csv"], 0, csv_total, layout.rng)
    jsonl_pos = place(channel["jsonl"], csv_total, jsonl_total, layout.rng)
    counts, clock = run.counts, run.clock
    with CsvSink(run.out / "truth_links.csv", TRUTH_LINK_COLUMNS) as truth:
        counts["paxlst passengers"] = write_paxlst(run.out, interchanges, truth, pax_draw)
        counts["paxlst files"] = len(interchanges)
        for ic in interchanges:
            ic.flights.clear()  # the passengers are on disk: free them before streaming
        with CsvSink(run.out / "travel.csv", TRAVEL_COLUMNS) as sink:
            stream(sink, truth, channel["csv"], csv_pos, 0, csv_total, factory, clock.lap, "travel")
        counts["travel.csv"] = sink.rows
        with JsonlSink(run.out / "travel-extra.jsonl", TRAVEL_COLUMNS, REQUIRED_TRAVEL) as jsink:
            stream(
                jsink,
                truth,
                channel["jsonl"],
                jsonl_pos,
                csv_total,
                jsonl_total,
                factory,
                clock.lap,
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
