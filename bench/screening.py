"""Screening benchmark (in-process): a synthetic register, a trained model, then manifests of
300 travellers screened one after another through ``screen_manifest``, each committed.

    python bench/screening.py                                   # 100k register, both backends
    python bench/screening.py --offenders 10000 --travel 50000 --db sqlite
    python bench/screening.py --http                            # over `tracker serve`

Prints the first screening (it builds the register index and the travel name counts), then
p50/p95 latency, manifests per minute and peak memory. Each backend runs in its own process
so its peak memory is its own. PostgreSQL uses a throwaway database on the local server
(TRACKER_BENCH_PG_URL, default the test server).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from tracker.db import make_engine, make_session_factory, transaction, upgrade_to_head
from tracker.ingest import ingest_inbox
from tracker.models import User
from tracker.services.linking import train_model
from tracker.services.screening import screen_manifest
from tracker.settings import DatabaseSettings, Settings
from tracker.synthetic import generate

PG_ADMIN = os.environ.get(
    "TRACKER_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PG_DATABASE = "tracker_bench_screening"
OFFENDERS_SHARE = 0.2  # of each manifest: travellers the truth links to the register


def peak_memory_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fresh_database(backend: str, folder: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{(folder / 'bench.db').as_posix()}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{PG_DATABASE}"'))
    admin.dispose()
    return make_url(PG_ADMIN).set(database=PG_DATABASE).render_as_string(hide_password=False)


def manifests(inbox: Path, count: int, size: int, departure: datetime) -> list[bytes]:
    """``count`` travel CSVs of ``size`` travellers drawn from the generated travel file (a
    share of them the register's own people), each a new flight leaving at ``departure``."""
    travel = pd.read_csv(inbox / "travel.csv", dtype=str, keep_default_na=False)
    truth = pd.read_csv(inbox / "truth_links.csv", dtype=str, keep_default_na=False)
    truth = truth[truth["offender_id"] != ""]
    linked = (travel["source"] + "/" + travel["record_id"]).isin(
        truth["travel_source"] + "/" + truth["travel_record_id"]
    )
    known, public = travel[linked], travel[~linked]
    bodies = []
    for i in range(count):
        hits = known.sample(int(size * OFFENDERS_SHARE), random_state=i, replace=len(known) < size)
        rest = public.sample(size - len(hits), random_state=10_000 + i)
        rows = pd.concat([hits, rest]).copy()
        rows["source"] = "bench-api"
        rows["record_id"] = [f"M{i:03d}-{n:04d}" for n in range(len(rows))]
        rows["direction"] = "out"
        rows["departure_time"] = departure.isoformat()
        rows["flight_number"] = f"{100 + i}"
        out = io.StringIO()
        rows.to_csv(out, index=False, quoting=csv.QUOTE_MINIMAL)
        bodies.append(out.getvalue().encode())
    return bodies


def prepare(backend: str, inbox: Path, work: Path) -> tuple[sessionmaker, Settings]:
    """A fresh database with the generated register and travel loaded and a model trained."""
    url = fresh_database(backend, work)
    engine = make_engine(url)
    upgrade_to_head(engine)
    sessions = make_session_factory(engine)
    settings = Settings(database=DatabaseSettings(url=url), data_dir=work / "data")
    started = time.perf_counter()
    ingest_inbox(sessions, inbox, settings=settings, actor="system")
    loaded = time.perf_counter()
    with transaction(sessions) as session:
        train_model(session, "system")
        session.add(User(name="bench", role="analyst"))
    print(
        f"== {backend}: loaded in {loaded - started:.0f}s, "
        f"model trained in {time.perf_counter() - loaded:.0f}s"
    )
    return sessions, settings


def run_one(backend: str, inbox: Path, work: Path, count: int, size: int, args=None) -> None:
    """Load, train, then time ``count`` screenings (child process)."""
    sessions, settings = prepare(backend, inbox, work)
    if args is not None and args.http:
        from screening_http import run_http

        run_http(backend, sessions, settings.database.url, inbox, work, args)
        _drop(backend, sessions)
        return
    departure = datetime.now(UTC) + timedelta(hours=30)
    bodies = manifests(inbox, count + 1, size, departure)
    seconds, hits, alerts = [], 0, 0
    for i, body in enumerate(bodies):
        started = time.perf_counter()
        with transaction(sessions) as session:
            outcome = screen_manifest(
                session, "bench", body, "text/csv", f"bench-{i}", settings=settings
            )
        seconds.append(time.perf_counter() - started)
        hits += len(outcome.hits)
        alerts += len(outcome.alerts)
    first, timed = seconds[0], seconds[1:]
    p50 = statistics.median(timed)
    p95 = statistics.quantiles(timed, n=20)[-1]
    print(f"first screening (builds the in-memory register and counts): {first:.2f}s")
    print(
        f"{len(timed)} manifests x {size}: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"{60 * len(timed) / sum(timed):.0f} manifests a minute; {hits:,} hits, "
        f"{alerts} alerts; peak memory {peak_memory_mib():,.0f} MiB"
    )
    _drop(backend, sessions)


def _drop(backend: str, sessions: sessionmaker) -> None:
    if backend == "postgresql":
        sessions.kw["bind"].dispose()
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offenders", type=int, default=100_000)
    parser.add_argument("--travel", type=int, default=200_000)
    parser.add_argument("--manifests", type=int, default=50)
    parser.add_argument("--size", type=int, default=300, help="travellers per manifest")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--inbox", type=Path, help="reuse a generated folder")
    parser.add_argument("--http", action="store_true", help="push over `tracker serve`")
    parser.add_argument("--rate", type=float, default=5.0, help="--http: manifests a second")
    parser.add_argument("--seconds", type=float, default=60.0, help="--http: at the rate")
    parser.add_argument("--child", nargs=2, metavar=("BACKEND", "WORKDIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_one(args.child[0], args.inbox, Path(args.child[1]), args.manifests, args.size, args)
        return 0
    with tempfile.TemporaryDirectory(prefix="tracker-screening-bench-") as tmp:
        inbox = args.inbox
        if inbox is None:
            inbox = Path(tmp) / "generated"
            started = time.perf_counter()
            generate(inbox, offenders=args.offenders, travel=args.travel, seed=args.seed)
            print(
                f"generated {args.offenders:,} x {args.travel:,} in "
                f"{time.perf_counter() - started:.0f}s"
            )
        for backend in ["sqlite", "postgresql"] if args.db == "both" else [args.db]:
            work = Path(tmp) / backend
            work.mkdir()
            child = [sys.executable, __file__, "--inbox", str(inbox), "--child", backend, str(work)]
            child += ["--manifests", str(args.manifests), "--size", str(args.size)]
            if args.http:
                child += ["--http", "--rate", str(args.rate), "--seconds", str(args.seconds)]
            subprocess.run(child, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
