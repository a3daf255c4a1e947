"""The whole nightly job at national scale, end to end and per stage, with peak memory.

    python bench/nightly.py                                  # 100k register x 1M travel, both
    python bench/nightly.py --offenders 10000 --travel 100000 --backend sqlite

Each backend runs in its own process so peak memory is that backend's alone. PostgreSQL uses a
throwaway database on the local server (TRACKER_BENCH_PG_URL, default the test server).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tracker.db import make_engine, make_session_factory, upgrade_to_head
from tracker.pipeline import NightlyOptions, run_nightly
from tracker.settings import DatabaseSettings, Settings
from tracker.synthetic import generate

AS_OF = date(2026, 11, 20)
PG_ADMIN = os.environ.get(
    "TRACKER_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PG_DATABASE = "tracker_bench_nightly"


def peak_memory_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_child_memory_mib() -> float:
    """The largest of the processes that read big files beside the nightly (ingest forks)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def fresh_database(backend: str, folder: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{(folder / 'bench.db').as_posix()}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{PG_DATABASE}"'))
    admin.dispose()
    return make_url(PG_ADMIN).set(database=PG_DATABASE).render_as_string(hide_password=False)


def run_one(backend: str, inbox_source: Path, work: Path) -> None:
    """Copy the inbox, migrate a fresh database and time one nightly run (child process)."""
    import shutil

    inbox = work / "inbox"
    shutil.copytree(inbox_source, inbox, ignore=shutil.ignore_patterns("truth*", "manifest*"))
    url = fresh_database(backend, work)
    engine = make_engine(url)
    upgrade_to_head(engine)
    started = time.perf_counter()
    result = run_nightly(
        make_session_factory(engine),
        NightlyOptions(
            inbox=inbox,
            as_of=AS_OF,
            outbox=work / "outbox",
            settings=Settings(database=DatabaseSettings(url=url), data_dir=work / "data"),
            now=datetime(2026, 11, 20, 2, tzinfo=UTC),
        ),
    )
    seconds = time.perf_counter() - started
    engine.dispose()
    ingest = result.counts.get("ingest", {})
    links = result.counts.get("match", {}).get("links", {})
    new = sum(sum(v.values()) for v in result.counts.get("new_flags", {}).values())
    print(
        f"\n== {backend}: nightly {result.status} in {seconds:.1f}s, peak memory "
        f"{peak_memory_mib():,.0f} MiB (file-reading process "
        f"{peak_child_memory_mib():,.0f} MiB)"
    )
    print(
        "stage timings (s): " + ", ".join(f"{k} {v:.1f}" for k, v in result.stage_timings.items())
    )
    print(
        f"ingest: read {ingest.get('read', 0):,}, loaded {ingest.get('loaded', 0):,}, rejected "
        f"{ingest.get('rejected', 0):,}; links: match {links.get('match', 0):,}, review "
        f"{links.get('review', 0):,}; new flags {new:,}"
    )
    if result.error:
        print(f"error: {result.error}")
    if backend == "postgresql":
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offenders", type=int, default=100_000)
    parser.add_argument("--travel", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--inbox", type=Path, help="reuse a generated folder")
    parser.add_argument("--child", nargs=2, metavar=("BACKEND", "WORKDIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_one(args.child[0], args.inbox, Path(args.child[1]))
        return 0

    with tempfile.TemporaryDirectory(prefix="tracker-nightly-bench-") as tmp:
        inbox = args.inbox
        if inbox is None:
            inbox = Path(tmp) / "generated"
            started = time.perf_counter()
            generate(
                inbox, offenders=args.offenders, travel=args.travel, seed=args.seed, as_of=AS_OF
            )
            print(
                f"generated {args.offenders:,} x {args.travel:,} in "
                f"{time.perf_counter() - started:.1f}s"
            )
        backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
        for backend in backends:
            work = Path(tmp) / backend
            work.mkdir()
            subprocess.run(
                [sys.executable, __file__, "--inbox", str(inbox), "--child", backend, str(work)],
                check=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
