"""Synthetic-data generation benchmark: wall time, rows per second and peak memory.

python bench/generate.py                      # 100,000 offenders x 1,000,000 travel
python bench/generate.py --offenders 10000 --travel 100000 --keep out/
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from tracker.synthetic import generate


def peak_memory_mib() -> float:
    """Peak resident set size of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offenders", type=int, default=100_000)
    parser.add_argument("--travel", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 20))
    parser.add_argument("--keep", type=Path, help="write here instead of a temporary folder")
    parser.add_argument("--progress", action="store_true", help="print stage timings")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="tracker-synthetic-") as tmp:
        folder = args.keep or Path(tmp)
        started = time.perf_counter()
        summary = generate(
            folder,
            offenders=args.offenders,
            travel=args.travel,
            seed=args.seed,
            as_of=args.as_of,
            progress=args.progress,
        )
        seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
        rows = sum(v for k, v in summary.counts.items() if k.endswith((".csv", ".jsonl")))
        rows += summary.counts["paxlst passengers"]
    print(
        f"generated {args.offenders:,} offenders x {args.travel:,} travel records in {seconds:.1f}s"
    )
    for name, count in summary.counts.items():
        print(f"  {name:<22} {count:>12,}")
    print(
        f"rows written {rows:,} ({rows / seconds:,.0f} rows/s; travel "
        f"{args.travel / seconds:,.0f} rows/s); {size / 2**20:,.0f} MiB on disk"
    )
    print(f"peak memory {peak_memory_mib():,.0f} MiB")
    print("planted flags: " + ", ".join(f"{k} {v}" for k, v in summary.flags.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
