"""Ingest benchmark: load a million travel rows into SQLite, then into PostgreSQL.

    python bench/ingest.py                      # 1,000,000 rows, SQLite and PostgreSQL
    python bench/ingest.py --rows 200000 --no-postgres
    python bench/ingest.py --writer own         # skip the synthetic generator

The travel file comes from the synthetic generator when it is installed (``tracker.synthetic``),
else from a quick writer here. Each backend gets a fresh database (SQLite in a temporary
folder; PostgreSQL in a throwaway database ``tracker_bench_ingest``). Prints rows/s, seconds
the peak memory of each load (each runs in its own process) and the CPU seconds it spent,
in the storing process and in the one reading the file beside it, which tell a busy
machine's figure apart from the code's.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tracker.db import make_engine, make_session_factory, upgrade_to_head
from tracker.ingest import ingest_files
from tracker.settings import DatabaseSettings, Settings

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DATABASE = "tracker_bench_ingest"
TRAVEL_COLUMNS = (
    "record_id",
    "source",
    "family_name",
    "given_names",
    "date_of_birth",
    "sex",
    "nationality",
    "doc_type",
    "doc_number",
    "doc_issuing_country",
    "direction",
    "departure_port",
    "arrival_port",
    "departure_country",
    "arrival_country",
    "departure_time",
    "carrier",
    "flight_number",
)
FAMILY = [
    "SMITH",
    "JONES",
    "O'BRIEN",
    "MÜLLER",
    "GARCÍA",
    "NGUYEN",
    "WANG",
    "ИВАНОВ",
    "AL-SAYED",
    "KOWALSKI",
    "DUBOIS",
    "ROSSI",
    "PATEL",
    "KHAN",
    "SILVA",
    "YAMAMOTO",
    "OKAFOR",
]
GIVEN = [
    "JOHN",
    "MARY ANN",
    "MOHAMMED",
    "WEI",
    "OLGA",
    "JOSÉ",
    "AISHA",
    "PETER",
    "LI",
    "ANNA",
    "DAVID",
    "FATIMA",
    "JEAN-PIERRE",
    "SOFIA",
    "IVAN",
    "CHIDI",
]
ROUTES = [
    ("LHR", "GBR", "BKK", "THA", "+00:00"),
    ("MAN", "GBR", "MNL", "PHL", "+00:00"),
    ("BKK", "THA", "LHR", "GBR", "+07:00"),
    ("JFK", "USA", "LGW", "GBR", "-05:00"),
    ("LGW", "GBR", "DPS", "IDN", "+00:00"),
    ("CDG", "FRA", "LHR", "GBR", "+01:00"),
]
COUNTRIES = ["GBR", "THA", "PHL", "USA", "IRL", "DEU", "D", "POL", "IND", "PAK", "NGA", "GBD"]


def peak_memory_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def write_travel_csv(path: Path, rows: int, seed: int = 7) -> Path:
    """A travel file in the contract's columns with realistic variety (names in several
    scripts, two-part given names, quoted cells, offsets)."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(TRAVEL_COLUMNS)
        for i in range(rows):
            dep_port, dep_country, arr_port, arr_country, offset = rng.choice(ROUTES)
            when = start + timedelta(minutes=rng.randrange(500_000))
            born = date(1940, 1, 1) + timedelta(days=rng.randrange(25_000))
            writer.writerow(
                (
                    f"R{i:09d}",
                    f"api-{dep_port.lower()}",
                    rng.choice(FAMILY),
                    rng.choice(GIVEN),
                    born.isoformat(),
                    rng.choice("MFX"),
                    rng.choice(COUNTRIES),
                    "P",
                    f"{rng.randrange(10**9):09d}",
                    rng.choice(COUNTRIES),
                    "out" if dep_country == "GBR" else "in",
                    dep_port,
                    arr_port,
                    dep_country,
                    arr_country,
                    when.strftime("%Y-%m-%dT%H:%M:%S") + offset,
                    "BA",
                    f"BA{rng.randrange(1, 999)}",
                )
            )
    return path


def synthetic_travel(folder: Path, rows: int) -> Path | None:
    """The synthetic generator's travel.csv (every record in it), when it is installed."""
    try:
        from tracker.synthetic import generate
    except ImportError:
        return None
    generate(
        folder,
        offenders=max(1000, rows // 100),
        travel=rows,
        seed=7,
        as_of=date(2026, 11, 20),
        paxlst_share=0.0,
        jsonl_share=0.0,
    )
    path = folder / "travel.csv"
    return path if path.exists() else None


def fresh_postgres_url() -> str | None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_BENCH_DATABASE}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{PG_BENCH_DATABASE}"'))
    except Exception as exc:  # the bench reports and carries on
        print(f"postgresql: skipped ({str(exc).splitlines()[0]})")
        return None
    finally:
        admin.dispose()
    return make_url(PG_ADMIN_URL).set(database=PG_BENCH_DATABASE).render_as_string(False)


def drop_postgres() -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_BENCH_DATABASE}" WITH (FORCE)'))
    admin.dispose()


def load(url: str, path: Path, data_dir: Path) -> dict:
    """Load ``path`` into a freshly migrated database; the figures as a dict."""
    engine = make_engine(url)
    upgrade_to_head(engine)
    sessions = make_session_factory(engine)
    settings = Settings(database=DatabaseSettings(url=url), data_dir=data_dir)
    cpu_before = cpu_seconds(resource.RUSAGE_SELF)
    child_cpu_before = cpu_seconds(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    [result] = ingest_files(
        sessions, "travel", [path], settings=settings, actor="system", progress=sys.stderr.isatty()
    )
    seconds = time.perf_counter() - started
    engine.dispose()
    return {
        "rows": result.read,
        "loaded": result.loaded,
        "rejected": result.rejected,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds(resource.RUSAGE_SELF) - cpu_before,
        # the process that reads and checks a big file beside this one (service.load_file)
        "reader_cpu_seconds": cpu_seconds(resource.RUSAGE_CHILDREN) - child_cpu_before,
        "peak_mib": peak_memory_mib(),
    }


def load_in_child(label: str, url: str, path: Path, data_dir: Path) -> dict:
    """Each load in its own process, so each backend's peak memory is its own."""
    command = [
        sys.executable,
        __file__,
        "--load-only",
        url,
        "--file",
        str(path),
        "--data-dir",
        str(data_dir),
    ]
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    rate = figures["rows"] / figures["seconds"] if figures["seconds"] else 0.0
    print(
        f"{label:<10} {figures['rows']:>9,} rows  {figures['seconds']:6.1f} s  "
        f"{rate:>7,.0f} rows/s  peak {figures['peak_mib']:,.0f} MiB  "
        f"cpu {figures['cpu_seconds']:.1f} s + {figures['reader_cpu_seconds']:.1f} s reading  "
        f"(loaded {figures['loaded']:,}, rejected {figures['rejected']:,})",
        flush=True,
    )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--writer", choices=("auto", "own", "synthetic"), default="auto")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--load-only", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load_only:
        print(json.dumps(load(args.load_only, args.file, args.data_dir)))
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        path = None
        if args.writer in ("auto", "synthetic"):
            path = synthetic_travel(folder / "inbox", args.rows)
            if path is None and args.writer == "synthetic":
                print("the synthetic generator is not installed", file=sys.stderr)
                return 1
        writer = "synthetic generator" if path is not None else "bench writer"
        if path is None:
            path = write_travel_csv(folder / "travel.csv", args.rows)
        size = path.stat().st_size / 2**20
        print(
            f"travel file: {path.name}, {size:,.0f} MiB, written by the {writer} in "
            f"{time.perf_counter() - started:.1f} s; peak memory so far "
            f"{peak_memory_mib():,.0f} MiB"
        )
        if not args.no_sqlite:
            sqlite_url = f"sqlite:///{folder / 'bench.db'}"
            load_in_child("sqlite", sqlite_url, path, folder / "data-sqlite")
        if not args.no_postgres:
            url = fresh_postgres_url()
            if url is not None:
                try:
                    load_in_child("postgresql", url, path, folder / "data-pg")
                finally:
                    drop_postgres()
    return 0


if __name__ == "__main__":
    sys.exit(main())
