"""Web load run: 20 analysts working at once against 100,000 open flags, for a bounded time.

    python bench/web_load.py                       # a scratch SQLite file, 20 analysts, 60 s
    python bench/web_load.py --db postgresql+psycopg://postgres@127.0.0.1/bench_load \\
        --analysts 20 --seconds 60

(--db must name an empty database: it is migrated and loaded as ``bench/web.py`` loads it;
the scratch SQLite file is removed at the end.)

The application runs in its own process under uvicorn on 127.0.0.1 (a free port), as
`tracker serve` runs it. Each analyst is a thread with its own account and signed-in session
(httpx), looping: a queue page (plain, filtered by severity, searched by a name, sorted by a
column, or a later page), then a flag from it, then that flag's offender, until the time is
up (``--think S``: reading each page S seconds on average first; 0, the default, is the
worst case of every analyst clicking at once). Prints each page's p50, p95 and max and the
requests per second. Target: the queue's
p95 < 500 ms. Requests go to this machine only and stop when ``--seconds`` have passed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import re
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx
from sqlalchemy import text
from web import FAMILY, GIVEN, PASSWORD, TRANSLITERATED, load

from tracker.db import make_engine, make_session_factory, transaction, upgrade_to_head
from tracker.models.enums import SEVERITIES
from tracker.review.queue_order import SORTABLE
from tracker.services.people import add_user, set_password

QUEUE_P95_TARGET_MS = 500
SECRET = "bench-load-secret-" + "x" * 40
FLAG_LINK = re.compile(r'<a class="open" href="(/flags/\d+)')
OFFENDER_LINK = re.compile(r'id="offender-link" href="(/offenders/[^"?]+)')


def add_analysts(url: str, count: int) -> list[str]:
    """``count`` analysts with the benchmark's password (``bench/web.py`` made ada)."""
    engine = make_engine(url)
    names = [f"analyst{n:02d}" for n in range(1, count + 1)]
    with transaction(make_session_factory(engine)) as s:
        for name in names:
            add_user(s, "ada", name, "analyst")
            set_password(s, "ada", name, PASSWORD)
    engine.dispose()
    return names


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(url: str, data_dir: str, port: int) -> None:
    """The child process: the application under uvicorn, until it is terminated."""
    import uvicorn

    from tracker.web import create_app

    app = create_app(url, secret_key=SECRET, data_dir=Path(data_dir))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", server_header=False)


def start_server(url: str, data_dir: Path) -> tuple[multiprocessing.Process, str]:
    port = _free_port()
    process = multiprocessing.get_context("spawn").Process(
        target=_serve, args=(url, str(data_dir), port), daemon=True
    )
    process.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("the web server did not start")


def signed_in(base: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-in").text)[1]
    response = client.post(
        "/sign-in", data={"name": name, "password": PASSWORD, "csrf_token": token}
    )
    if response.status_code != 303:
        raise SystemExit(f"sign-in of {name} refused: {response.status_code}")
    return client


def queue_address(rng: random.Random) -> tuple[str, str]:
    """One of the queue views an analyst opens, and its name in the results."""
    choice = rng.randrange(5)
    if choice == 0:
        return "queue", "/queue"
    if choice == 1:
        return "queue", f"/queue?severity={rng.choice(SEVERITIES)}"
    if choice == 2:
        name = rng.choice([rng.choice(FAMILY), rng.choice(GIVEN), rng.choice(TRANSLITERATED)])
        return "queue", f"/queue?q={name.lower()}"
    if choice == 3:
        return "queue", f"/queue?sort={rng.choice(SORTABLE)}{rng.choice(['', ':desc'])}"
    return "queue", f"/queue?page={rng.randint(2, 50)}"


class Analyst(threading.Thread):
    """One analyst's loop: queue -> a flag from it -> that flag's offender, until ``until``."""

    def __init__(
        self, base: str, name: str, until: float, seed: int, times: dict, think: float = 0.0
    ):
        super().__init__(daemon=True)
        self.client = signed_in(base, name)
        self.until, self.rng, self.times = until, random.Random(seed), times
        self.think = think
        self.errors: list[str] = []

    def timed(self, page: str, path: str) -> str | None:
        if self.think:  # reading the last page: on average ``think`` seconds
            time.sleep(self.rng.uniform(0, 2 * self.think))
        started = time.perf_counter()
        response = self.client.get(path, follow_redirects=True)
        self.times[page].append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            self.errors.append(f"{path} answered {response.status_code}")
            return None
        return response.text

    def run(self) -> None:
        while time.monotonic() < self.until:
            page = self.timed(*queue_address(self.rng))
            flags = FLAG_LINK.findall(page or "")
            if not flags or time.monotonic() >= self.until:
                continue
            flag = self.timed("flag", self.rng.choice(flags))
            offender = OFFENDER_LINK.search(flag or "")
            if offender and time.monotonic() < self.until:
                self.timed("offender", offender[1])
        self.client.close()


def percentile(ordered: list[float], share: float) -> float:
    return ordered[max(0, int(round(share * len(ordered))) - 1)]


def report(times: dict[str, list[float]], seconds: float) -> list[str]:
    lines = []
    total = sum(len(v) for v in times.values())
    for page in ("queue", "flag", "offender"):
        ordered = sorted(times[page])
        if not ordered:
            lines.append(f"{page:<9} no requests")
            continue
        p95 = percentile(ordered, 0.95)
        target = ""
        if page == "queue":
            verdict = "ok" if p95 < QUEUE_P95_TARGET_MS else "OVER TARGET"
            target = f"   (p95 target < {QUEUE_P95_TARGET_MS} ms: {verdict})"
        lines.append(
            f"{page:<9} {len(ordered):6d} requests   p50 {statistics.median(ordered):7.1f} ms   "
            f"p95 {p95:7.1f} ms   max {ordered[-1]:7.1f} ms{target}"
        )
    lines.append(f"all       {total:6d} requests in {seconds:.1f} s: {total / seconds:.1f} /s")
    return lines


def prepared(url: str, flags: int, analysts: int) -> list[str]:
    """The database migrated and loaded as ``bench/web.py`` loads it, with the analysts."""
    engine = make_engine(url)
    upgrade_to_head(engine)
    started = time.perf_counter()
    load(make_session_factory(engine), flags)
    with engine.begin() as conn:  # fresh statistics, as the nightly job's database would have
        conn.execute(text("ANALYZE"))
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    names = add_analysts(url, analysts)
    print(
        f"loaded {flags:,} open flags and {analysts} analysts into {engine.url.render_as_string()}"
        f" in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a scratch SQLite file)")
    parser.add_argument("--flags", type=int, default=100_000)
    parser.add_argument("--analysts", type=int, default=20, choices=range(1, 101))
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the run (max 600)")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds an analyst reads a page before the next (0: none, the worst case)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.seconds <= 600:
        parser.error("--seconds must be from 1 to 600")
    scratch = Path(tempfile.mkdtemp(prefix="bench-web-load-"))
    url = args.db or f"sqlite:///{(scratch / 'tracker.db').as_posix()}"
    names = prepared(url, args.flags, args.analysts)
    process, base = start_server(url, scratch)
    try:
        times: dict[str, list[float]] = defaultdict(list)
        warm = signed_in(base, "ann")
        for path in ("/queue", "/queue?q=smith", "/flags/1", "/offenders/VR-0000000"):
            warm.get(path)
        warm.close()
        # every analyst signs in first, then all start together
        team = [Analyst(base, name, 0, n, times, args.think) for n, name in enumerate(names)]
        started = time.monotonic()
        until = started + args.seconds
        for analyst in team:
            analyst.until = until
            analyst.start()
        for analyst in team:
            analyst.join()
        elapsed = time.monotonic() - started
        errors = [e for analyst in team for e in analyst.errors]
        print(
            f"{args.flags:,} open flags, {args.analysts} analysts at once for "
            f"{args.seconds:.0f} s, {args.think:g} s reading each page ({engine_name(url)}):"
        )
        print("\n".join(report(times, elapsed)))
        if errors:
            print(f"{len(errors)} errors, first: {errors[0]}")
            return 1
    finally:
        process.terminate()
        process.join(timeout=10)
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


def engine_name(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgresql") else "SQLite"


if __name__ == "__main__":
    sys.exit(main())
