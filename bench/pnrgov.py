"""PNRGOV benchmark: read and load a pushed PNRGOV interchange of 10,000 passengers.

    python bench/pnrgov.py                       # 10,000 passengers, SQLite and PostgreSQL
    python bench/pnrgov.py --passengers 50000 --no-postgres

The interchange is written here in the structure of the PNRGOV implementation guide's
examples (synthetic names; bookings of one to four travellers, most with a return leg and
SSR DOCS, all with contact and payment segments the reader must skip). Prints the file's
size, the reader's time alone, and the load into a fresh SQLite and PostgreSQL database
(each in its own process, so each peak memory is its own); the load is then repeated, as
the 24 h push of the same bookings would be.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tracker.db import make_engine, make_session_factory, upgrade_to_head
from tracker.ingest import ingest_files
from tracker.ingest.formats.pnrgov import PnrgovReader
from tracker.settings import DatabaseSettings, Settings

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DATABASE = "tracker_bench_pnrgov"
TODAY = date(2026, 11, 23)
FAMILY = ["HAWTHORN", "QUILL", "MARLOWE", "LINDQVIST", "OKAFOR", "NGUYEN", "KOWALSKI", "PATEL"]
GIVEN = ["DAVID", "ANNA", "KIT", "ASTRID MARIE", "CHIDI", "MAI", "PIOTR", "PRIYA", "SAM"]
TITLES = ["MR", "MRS", "MS", "MISS", "MSTR", "DR", ""]
CONTACT_AND_PAYMENT = [
    "IFT+3:5+0044 20 7946 0001",
    "ADD++700:1 EXAMPLE ROAD:LONDON::GB:SW1A 1AA",
    "TKT+1251234567890:T:1",
    "FOP+CC:::VI:4111111111111111:1230",
]


def booking_segments(number: int, travellers: int, draw: random.Random) -> list[str]:
    locator = f"B{number:05d}"
    segments = ["SRC", f"RCI+BA:{locator}::201126:0439", "DAT+700:201126:0718", "ORG+BA:LON"]
    for ref in range(1, travellers + 1):
        family = f"{draw.choice(FAMILY)}{number % 997}"
        given = draw.choice(GIVEN)
        segments.append(f"TIF+{family}+{given}{draw.choice(TITLES)}:A:{ref}")
        if draw.random() < 0.6:
            born = date(1950, 1, 1) + timedelta(days=draw.randrange(25_000))
            segments.append(
                f"SSR+DOCS:HK:1:BA:::::/P/GBR/{number:05d}{ref:03d}/GBR/"
                f"{born:%d%b%y}/{draw.choice('MF')}/23JAN30/{family}/{given}".upper()
            )
        segments += CONTACT_AND_PAYMENT
    segments += ["TVL+271126:1040:281126:0630+LHR+BKK+BA+9:Y", "RPI+1+HK"]
    if draw.random() < 0.7:
        segments += ["TVL+101226:0905:101226:1700+BKK+LHR+BA+10:Y", "RPI+1+HK"]
    return segments


def write_interchange(path: Path, passengers: int, seed: int = 22) -> int:
    """A PNRGOV interchange of ``passengers`` travellers; returns how many bookings."""
    draw = random.Random(seed)
    body: list[str] = []
    count, bookings = 0, 0
    while count < passengers:
        travellers = min(draw.randint(1, 4), passengers - count)
        body += booking_segments(bookings, travellers, draw)
        count, bookings = count + travellers, bookings + 1
    head = ["MSG+:22", "ORG+BA:LON", "TVL+271126:1040:281126:0630+LHR+BKK+BA+9", f"EQN+{bookings}"]
    message = ["UNH+1+PNRGOV:11:1:IA+BA9", *head, *body]
    message.append(f"UNT+{len(message) + 1}+1")
    segments = ["UNB+UNOA:4+BAPNR:ZZ+UKPIU:ZZ+261125:0754+0001", *message, "UNZ+1+0001"]
    path.write_text("UNA:+.? '\n" + "'\n".join(segments) + "'\n", encoding="ascii")
    return bookings


def read_alone(path: Path) -> tuple[float, int]:
    """The reader's best time of three (the first pays for loading the airport table)."""
    times, rows = [], 0
    for _ in range(3):
        started = time.perf_counter()
        rows = sum(len(chunk) for chunk in PnrgovReader(path, "GBR", TODAY).chunks())
        times.append(time.perf_counter() - started)
    return min(times), rows


def load(url: str, path: Path, data_dir: Path) -> dict:
    """Load ``path`` twice into a freshly migrated database (first push, then the same push
    again); the figures as a dict."""
    engine = make_engine(url)
    upgrade_to_head(engine)
    sessions = make_session_factory(engine)
    settings = Settings(database=DatabaseSettings(url=url), data_dir=data_dir)
    figures = {}
    for label in ("first", "again"):
        started = time.perf_counter()
        [result] = ingest_files(
            sessions, "travel", [path], settings=settings, actor="system", today=TODAY
        )
        figures[label] = {
            "seconds": time.perf_counter() - started,
            "read": result.read,
            "loaded": result.loaded,
            "new": result.new,
            "rejected": result.rejected,
        }
    engine.dispose()
    figures["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def load_in_child(label: str, url: str, path: Path, data_dir: Path) -> None:
    command = [sys.executable, __file__, "--load-only", url, "--file", str(path)]
    command += ["--data-dir", str(data_dir)]
    done = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    first, again = figures["first"], figures["again"]
    print(
        f"{label:<10} first push {first['seconds']:5.2f} s ({first['read']:,} rows, "
        f"new {first['new']:,}, rejected {first['rejected']:,}); same push again "
        f"{again['seconds']:5.2f} s (new {again['new']:,}); peak {figures['peak_mib']:,.0f} MiB",
        flush=True,
    )


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passengers", type=int, default=10_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--load-only", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load_only:
        print(json.dumps(load(args.load_only, args.file, args.data_dir)))
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-pnrgov-") as tmp:
        folder = Path(tmp)
        path = folder / "ba9-gate.pnr"
        bookings = write_interchange(path, args.passengers)
        seconds, rows = read_alone(path)
        print(
            f"file: {args.passengers:,} passengers in {bookings:,} bookings, "
            f"{path.stat().st_size / 2**20:.1f} MiB; read alone in {seconds:.2f} s "
            f"(best of 3; {rows:,} rows, one per traveller per leg)"
        )
        if not args.no_sqlite:
            load_in_child("sqlite", f"sqlite:///{folder / 'bench.db'}", path, folder / "d1")
        if not args.no_postgres and (url := fresh_postgres_url()) is not None:
            try:
                load_in_child("postgresql", url, path, folder / "d2")
            finally:
                drop_postgres()
    return 0


if __name__ == "__main__":
    sys.exit(main())
