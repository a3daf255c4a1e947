"""Web benchmark: the review queue and a flag page with 100,000 open flags in the database.

    python bench/web.py                         # a scratch SQLite file, 100,000 open flags
    python bench/web.py --db postgresql+psycopg://postgres@127.0.0.1/bench_web --flags 100000

(--db must name an empty database: the script migrates it and loads it; the scratch SQLite
file is removed at the end.)

Loads offenders, travel records, links (with explanations) and open flags by bulk insert into
a freshly migrated database, starts the application with uvicorn on 127.0.0.1 (a free port),
signs in over HTTP, and prints the median and 95th percentile of the response time of the
queue page (first page, filtered, searched by name, sorted by a column), of flag pages and of
offender pages. Targets: queue < 300 ms, flag < 200 ms, offender < 100 ms.
The requests go to this machine only and stop after ``--requests`` each.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert, select, text

from tracker.db import make_engine, make_session_factory, transaction, upgrade_to_head
from tracker.matching.compare import FIELD_LEVELS
from tracker.models import Flag, Link, Notification, Offender, Run, TravelRecord
from tracker.models.enums import SEVERITIES
from tracker.review.queue_order import SORTABLE
from tracker.search_names import refresh_search_names
from tracker.services.people import add_user, set_password

TARGETS_MS = {
    "queue": 300,
    "queue, filtered": 300,
    "queue, searched": 300,
    "queue, sorted": 300,
    "flag": 200,
    "offender": 100,
}
FAMILY = [
    "SMITH",
    "JONES",
    "NOWAK",
    "KHAN",
    "OKAFOR",
    "NGUYEN",
    "GARCIA",
    "IVANOV",
    "SILVA",
    "MURPHY",
    "SCHMIDT",
    "PATEL",
    "WANG",
    "YILMAZ",
    "KELLY",
    "MENSAH",
    "Жуковский",  # names kept in other scripts, searched in Latin letters too
    "Παπαδόπουλος",
    "حسن",
]
#: Latin spellings of the names kept in other scripts, searched for like the others.
TRANSLITERATED = ["zhukovskiy", "papadopoulos", "hassan"]
GIVEN = ["JOHN", "ANNA", "PIOTR", "IMRAN", "CHINEDU", "MINH", "MARIA", "DMITRI", "SEAN", "LUCIA"]
FORCES = [f"Force {n:02d}" for n in range(1, 44)]
KINDS = ["unnotified_travel", "late_travel_notification", "travel_details_mismatch"]
PASSWORD = "benchmark passphrase"
CHUNK = 20_000


def _chunks(rows: list[dict]):
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def _explanation(rng: random.Random) -> tuple[dict, float, float]:
    fields = []
    for name, levels in FIELD_LEVELS.items():
        level = rng.choice(list(levels))
        fields.append(
            {
                "field": name,
                "level": level,
                "label": levels[level],
                "weight": round(rng.uniform(-3, 9) if level else -2.0, 4),
            }
        )
    prior = -11.7
    total = prior + sum(f["weight"] for f in fields)
    probability = 1 / (1 + 2 ** (-total))
    return (
        {
            "prior_weight": prior,
            "fields": fields,
            "total_weight": round(total, 4),
            "probability": round(probability, 6),
            "order_swapped": False,
            "name_used": {"source": "register", "family": "X", "given": "Y"},
        },
        total,
        probability,
    )


def load(sessions, flags: int, seed: int = 11) -> int:
    """Bulk-insert ``flags`` open travel flags (one offender per five flags); returns a run id."""
    rng = random.Random(seed)
    offenders = max(1, flags // 5)
    with transaction(sessions) as s:
        add_user(s, None, "ada", "admin")
        add_user(s, "ada", "ann", "analyst")
        set_password(s, "ada", "ann", PASSWORD)
        run = Run(as_of=date(2026, 11, 20), status="succeeded")
        s.add(run)
        s.flush()
        run_id = run.id
    rows = [
        {
            "offender_id": f"VR-{i:07d}",
            "family_name": rng.choice(FAMILY),
            "given_names": rng.choice(GIVEN),
            "date_of_birth": date(1950, 1, 1) + timedelta(days=rng.randrange(18000)),
            "requirement_start": date(2020, 1, 1),
            "notification_period": "indefinite",
            "managing_force": rng.choice(FORCES),
            "public_id": f"pub{i:012d}",
            "risk_level": rng.choice(["low", "medium", "high"]),
        }
        for i in range(offenders)
    ]
    departure = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    with transaction(sessions) as s:
        for part in _chunks(rows):
            s.execute(insert(Offender), part)
        refresh_search_names(s.connection())  # as ingest does after a bulk load
        pks = [pk for (pk,) in s.execute(select(Offender.id).order_by(Offender.id))]
        s.execute(
            insert(Notification),
            [
                {
                    "notification_id": f"N-{i:08d}",
                    "offender_pk": pk,
                    "kind": "periodic",
                    "notified_on": date(2026, 6, 1),
                }
                for i, pk in enumerate(pks)
            ],
        )
        travel = [
            {
                "source": "api-bench",
                "record_id": f"T{i:08d}",
                "family_name": rng.choice(FAMILY),
                "given_names": rng.choice(GIVEN),
                "direction": "out",
                "departure_country": "GBR",
                "arrival_country": "THA",
                "departure_time": departure,
                "departure_local_date": departure.date(),
            }
            for i in range(flags)
        ]
        for part in _chunks(travel):
            s.execute(insert(TravelRecord), part)
        travel_pks = [pk for (pk,) in s.execute(select(TravelRecord.id).order_by(TravelRecord.id))]
        links, flag_rows = [], []
        for i, travel_pk in enumerate(travel_pks):
            explanation, weight, probability = _explanation(rng)
            offender_pk = pks[i % len(pks)]
            links.append(
                {
                    "run_id": run_id,
                    "travel_pk": travel_pk,
                    "offender_pk": offender_pk,
                    "match_probability": probability,
                    "match_weight": weight,
                    "band": "match" if probability > 0.9 else "review",
                    "explanation": explanation,
                }
            )
        for part in _chunks(links):
            s.execute(insert(Link), part)
        link_ids = [pk for (pk,) in s.execute(select(Link.id).order_by(Link.id))]
        for i, (travel_pk, link_id) in enumerate(zip(travel_pks, link_ids, strict=True)):
            flag_rows.append(
                {
                    "flag_key": f"bench:{i}",
                    "kind": rng.choice(KINDS),
                    "severity": rng.choice(SEVERITIES),
                    "status": "open",
                    "offender_pk": pks[i % len(pks)],
                    "travel_pk": travel_pk,
                    "link_id": link_id,
                    "match_probability": links[i]["match_probability"],
                    "due_on": date(2026, 10, 1) + timedelta(days=rng.randrange(60)),
                    "detected_on": date(2026, 11, 20),
                    "run_id": run_id,
                    "rule": "uk-ew foreign travel, 2004 travel regs as amended 2012",
                    "summary": "travelled without notice",
                    "evidence": {},
                }
            )
        for part in _chunks(flag_rows):
            s.execute(insert(Flag), part)
    return run_id


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(url: str, data_dir: Path):
    import uvicorn

    from tracker.web import create_app

    app = create_app(url, secret_key="bench-secret-" + "x" * 40, data_dir=data_dir)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


def signed_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-in").text)[1]
    response = client.post(
        "/sign-in", data={"name": "ann", "password": PASSWORD, "csrf_token": token}
    )
    if response.status_code != 303:
        raise SystemExit(f"sign-in refused: {response.status_code}")
    return client


def timed(client: httpx.Client, paths: list[str]) -> list[float]:
    times = []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
    return times


def report(name: str, times: list[float]) -> str:
    ordered = sorted(times)
    median = statistics.median(ordered)
    p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
    verdict = "ok" if p95 < TARGETS_MS[name] else "OVER TARGET"
    return (
        f"{name:<16} median {median:7.1f} ms   p95 {p95:7.1f} ms   "
        f"(target < {TARGETS_MS[name]} ms: {verdict})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database URL (default: a scratch SQLite file)")
    parser.add_argument("--flags", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=60, help="timed requests per page")
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="bench-web-"))
    url = args.db or f"sqlite:///{(scratch / 'tracker.db').as_posix()}"
    engine = make_engine(url)
    with engine.connect() as conn:
        if conn.execute(text("select 1")).scalar() != 1:
            raise SystemExit("database unreachable")
    upgrade_to_head(engine)
    started = time.perf_counter()
    load(make_session_factory(engine), args.flags)
    with engine.begin() as conn:  # fresh statistics, as the nightly job's database would have
        conn.execute(text("ANALYZE"))
    if engine.dialect.name == "sqlite":  # fold the bulk load's write-ahead log back in
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    print(
        f"loaded {args.flags:,} open flags into {engine.url.render_as_string()} in "
        f"{time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    engine.dispose()
    server, thread, base = serve(url, scratch)
    try:
        client = signed_in(base)
        rng = random.Random(3)
        # warm caches and the pool
        timed(client, ["/queue"] * 3 + ["/flags/1"] * 3 + ["/offenders/VR-0000000"] * 3)
        pages = {
            "queue": ["/queue"] * args.requests,
            "queue, filtered": [
                f"/queue?severity={rng.choice(SEVERITIES)}&page={rng.randint(1, 20)}"
                for _ in range(args.requests)
            ],
            "queue, searched": [
                "/queue?q="
                + rng.choice(
                    [rng.choice(FAMILY).lower(), rng.choice(GIVEN), rng.choice(TRANSLITERATED)]
                )
                for _ in range(args.requests)
            ],
            "queue, sorted": [
                f"/queue?sort={rng.choice(SORTABLE)}{rng.choice(['', ':desc'])}"
                f"&page={rng.randint(1, 20)}"
                for _ in range(args.requests)
            ],
            "flag": [f"/flags/{rng.randint(1, args.flags)}" for _ in range(args.requests)],
            "offender": [
                f"/offenders/VR-{rng.randrange(max(1, args.flags // 5)):07d}"
                for _ in range(args.requests)
            ],
        }
        print(f"{args.flags:,} open flags, {args.requests} requests per page, one client:")
        for name, paths in pages.items():
            print(report(name, timed(client, paths)))
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
