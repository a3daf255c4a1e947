"""PAXLST flights: the known travellers routed to PAXLST, flown with the public, batched by
carrier into interchanges and written one file per interchange."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tracker.synthetic import paxlst
from tracker.synthetic.rand import Draw
from tracker.synthetic.travel import PublicFactory
from tracker.synthetic.trips import Network
from tracker.synthetic.writer import TRUTH_EXTRA, CsvSink


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


def paxlst_flights(
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


def batch_interchanges(flights: list[paxlst.Flight], draw: Draw) -> list[paxlst.Interchange]:
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


def write_paxlst(
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
