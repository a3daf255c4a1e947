"""The screening benchmark over HTTP (``python bench/screening.py --http``): `tracker serve`
in a subprocess on loopback, an aiosmtpd server in this process for the duty officer's mail,
a token, then manifests pushed as a border system would, one after another and then at a
steady rate. Each manifest has about one level-one traveller (a very high risk offender
leaving in 10 hours); the others leave in five days (no level one).

Prints, per backend: POST to e-mail accepted by the SMTP server p50/p95, the POST's answer
p50/p95, manifests a minute sustained at the rate, and the server process's peak RSS."""

from __future__ import annotations

import csv
import io
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pandas as pd
from aiosmtpd.controller import Controller
from sqlalchemy import update

from tracker.db import transaction
from tracker.models import Offender, User
from tracker.services.tokens import create_token

ROOT = Path(__file__).resolve().parents[1]
SUBJECT_ALERT = re.compile(rb"alert (\d+):")
SECRET_KEY = "bench-secret-" + "s" * 40


class Arrivals:
    """The SMTP server's handler: when each alert's e-mail was accepted."""

    def __init__(self) -> None:
        self.at: dict[int, float] = {}
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        found = SUBJECT_ALERT.search(envelope.original_content or b"")
        with self.arrived:
            if found:
                self.at.setdefault(int(found.group(1)), time.perf_counter())
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, alert_ids: set[int], timeout: float) -> None:
        with self.arrived:
            self.arrived.wait_for(lambda: alert_ids <= set(self.at), timeout=timeout)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_manifests(inbox: Path, count: int, size: int) -> tuple[list[bytes], list[str]]:
    """``count`` CSVs of ``size`` travellers (a fifth of them the register's people), each on
    its own flight; the first known traveller of each leaves in 10 hours and is the one
    level-one case. Also: the offender ids of those travellers."""
    travel = pd.read_csv(inbox / "travel.csv", dtype=str, keep_default_na=False)
    truth = pd.read_csv(inbox / "truth_links.csv", dtype=str, keep_default_na=False)
    truth = truth[truth["offender_id"] != ""]
    linked = truth["travel_source"] + "/" + truth["travel_record_id"]
    truth_of = dict(zip(linked, truth["offender_id"], strict=True))
    keys = travel["source"] + "/" + travel["record_id"]
    is_known = keys.isin(set(truth_of))
    known, public = travel[is_known], travel[~is_known]
    now = datetime.now(UTC).replace(microsecond=0)
    soon, later = (now + timedelta(hours=10)).isoformat(), (now + timedelta(days=5)).isoformat()
    bodies, level_one = [], []
    for i in range(count):
        hits = known.sample(max(1, size // 5), random_state=i)
        rest = public.sample(size - len(hits), random_state=10_000 + i)
        level_one.append(truth_of[f"{hits.iloc[0]['source']}/{hits.iloc[0]['record_id']}"])
        rows = pd.concat([hits, rest]).copy()
        rows["source"] = "bench-api"
        rows["record_id"] = [f"H{i:04d}-{n:04d}" for n in range(len(rows))]
        rows["direction"] = "out"
        rows["departure_time"] = [soon] + [later] * (len(rows) - 1)
        rows["flight_number"] = f"{1000 + i}"
        out = io.StringIO()
        rows.to_csv(out, index=False, quoting=csv.QUOTE_MINIMAL)
        bodies.append(out.getvalue().encode())
    return bodies, level_one


def bench_token(sessions, level_one: list[str]) -> str:
    """An admin, the level-one offenders made very high risk, and a manifests:write token."""
    with transaction(sessions) as session:
        session.add(User(name="bench-admin", role="admin"))
        session.flush()
        session.execute(
            update(Offender)
            .where(Offender.offender_id.in_(sorted(set(level_one))))
            .values(risk_level="very_high", status="active")
        )
        return create_token(session, "bench-admin", "bench-bcp", ["manifests:write"]).secret


def start_server(url: str, work: Path, smtp_port: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "TRACKER_SECRET_KEY": SECRET_KEY,
        "TRACKER_DATA_DIR": str(work / "data"),
        "TRACKER_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "TRACKER_DUTY_EMAIL": "duty@bench.example",
        "TRACKER_API_RATE_PER_MINUTE": "100000",
    }
    command = [sys.executable, "-c", "from tracker.cli import main; main()"]
    command += ["--db", url, "serve", "--port", str(port)]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/api/v1"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/openapi.json", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("tracker serve did not start")


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Pusher:
    """Pushes manifests and keeps, per push, the answer's time and its alerts' start time."""

    def __init__(self, base: str, secret: str) -> None:
        self.client = httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {secret}"}, timeout=60
        )
        self.answers: list[float] = []
        self.alert_started: dict[int, float] = {}
        self.failed = 0
        self.lock = threading.Lock()

    def push(self, body: bytes, key: str) -> None:
        headers = {"Content-Type": "text/csv", "Idempotency-Key": key}
        started = time.perf_counter()
        answer = self.client.post("/manifests", content=body, headers=headers)
        took = time.perf_counter() - started
        with self.lock:
            if answer.status_code != 201:
                self.failed += 1
                print(f"  {key}: {answer.status_code} {answer.text[:200]}")
                return
            self.answers.append(took)
            for alert in answer.json()["alerts"]:
                self.alert_started[alert["alert_id"]] = started


def _ms(values: list[float]) -> str:
    if len(values) < 2:
        return "n/a"
    p95 = statistics.quantiles(values, n=20)[-1]
    return f"p50 {statistics.median(values) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"


def _to_mail(pusher: Pusher, arrivals: Arrivals, since: int) -> list[float]:
    alerts = dict(list(pusher.alert_started.items())[since:])
    arrivals.wait_for(set(alerts), timeout=30)
    return [arrivals.at[a] - s for a, s in alerts.items() if a in arrivals.at]


def run_http(backend: str, sessions, url: str, inbox: Path, work: Path, args) -> None:
    """The HTTP figures for one prepared database (child process)."""
    sequential, rate, seconds = args.manifests, args.rate, args.seconds
    bodies, level_one = http_manifests(inbox, 1 + sequential + int(rate * seconds), args.size)
    secret = bench_token(sessions, level_one)
    sessions.kw["bind"].dispose()
    arrivals = Arrivals()
    smtp_port = free_port()
    mail = Controller(arrivals, hostname="127.0.0.1", port=smtp_port)
    mail.start()
    server, base = start_server(url, work, smtp_port)
    try:
        pusher = Pusher(base, secret)
        started = time.perf_counter()
        pusher.push(bodies[0], "first")
        print(f"first push after start: {time.perf_counter() - started:.2f}s")
        pusher.answers.clear()
        mark = len(pusher.alert_started)
        for i in range(1, 1 + sequential):
            pusher.push(bodies[i], f"seq-{i}")
        print(
            f"sequential, {sequential} manifests x {args.size}: answer {_ms(pusher.answers)}; "
            f"POST to e-mail accepted {_ms(_to_mail(pusher, arrivals, mark))}; "
            f"{len(pusher.alert_started) - mark} alerts"
        )
        pusher.answers.clear()
        mark = len(pusher.alert_started)
        paced = bodies[1 + sequential :]
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=32) as pool:
            for n, body in enumerate(paced):
                time.sleep(max(0.0, began + n / rate - time.perf_counter()))
                pool.submit(pusher.push, body, f"rate-{n}")
        elapsed = time.perf_counter() - began
        print(
            f"at {rate:g}/s for {seconds:g}s: {len(pusher.answers)} answered "
            f"({pusher.failed} failed) in {elapsed:.1f}s = "
            f"{60 * len(pusher.answers) / elapsed:.0f} manifests a minute; answer "
            f"{_ms(pusher.answers)}; POST to e-mail accepted "
            f"{_ms(_to_mail(pusher, arrivals, mark))}; {len(pusher.alert_started) - mark} alerts"
        )
        print(f"server peak RSS {peak_rss_mib(server.pid):,.0f} MiB")
    finally:
        server.terminate()
        server.wait(30)
        mail.stop()
