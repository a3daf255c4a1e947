"""Alert benchmark: from the commit that raises a level-one alert to the e-mail accepted by
the SMTP server, through the dispatcher `tracker serve` runs.

    python bench/alerts.py                                   # a scratch SQLite file
    python bench/alerts.py --db postgresql+psycopg://postgres@127.0.0.1/bench_alerts

(--db must name an empty database: the script migrates it; the scratch SQLite file is removed
at the end.) An aiosmtpd server on 127.0.0.1 stands for the mail server. Prints the median and
95th percentile of the raising transaction (what an API answer waits for) and of commit to
accepted e-mail, for ``--alerts`` alerts raised one after the other.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

from aiosmtpd.controller import Controller

from tracker.alerts.dispatch import AlertDispatcher
from tracker.db import make_engine, make_session_factory, transaction, upgrade_to_head
from tracker.models import Flag, Offender
from tracker.services.alerts import raise_level_one
from tracker.settings import DatabaseSettings, Settings
from tracker.settings_alerts import AlertSettings


class Arrivals:
    """The SMTP server's handler: when each alert's e-mail was accepted."""

    def __init__(self) -> None:
        self.at: dict[int, float] = {}
        self.changed = threading.Condition()

    async def handle_DATA(self, server, session, envelope):
        subject = next(
            line for line in envelope.original_content.splitlines() if line.startswith(b"Subject")
        )
        alert_id = int(subject.split(b"alert ")[1].split(b":")[0])
        with self.changed:
            self.at[alert_id] = time.perf_counter()
            self.changed.notify_all()
        return "250 accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _flags(sessions, count: int) -> list[int]:
    with transaction(sessions) as session:
        flags = []
        for n in range(count):
            offender = Offender(
                offender_id=f"VR-BENCH-{n:06d}",
                family_name=f"Benchperson{n}",
                given_names="Alex",
                date_of_birth=date(1980, 1, 1),
                requirement_start=date(2020, 1, 1),
                notification_period="indefinite",
                managing_force="Bench Constabulary",
                public_id=f"bench{n:010d}",
            )
            session.add(offender)
            session.flush()
            flag = Flag(
                flag_key=f"bench:{n}",
                kind="pending_departure_without_notice",
                severity="high",
                offender_pk=offender.id,
                detected_on=date(2026, 12, 3),
                rule="bench",
                summary="bench",
            )
            session.add(flag)
            session.flush()
            flags.append(flag.id)
    return flags


def _quantiles(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an empty database to use (default: a scratch SQLite file)")
    parser.add_argument("--alerts", type=int, default=200)
    args = parser.parse_args(argv)
    scratch = None if args.db else Path(tempfile.mkdtemp(prefix="bench-alerts-"))
    url = args.db or f"sqlite:///{(scratch / 'bench.db').as_posix()}"  # type: ignore[operator]
    arrivals = Arrivals()
    port = _free_port()
    mail = Controller(arrivals, hostname="127.0.0.1", port=port)
    mail.start()
    engine = make_engine(url)
    try:
        upgrade_to_head(engine)
        sessions = make_session_factory(engine)
        settings = Settings(
            database=DatabaseSettings(url=url),
            alerts=AlertSettings(smtp_url=f"smtp://127.0.0.1:{port}", duty_email="duty@b.example"),
        )
        flag_ids = _flags(sessions, args.alerts)
        dispatcher = AlertDispatcher(sessions, settings, sweep_seconds=3600)
        dispatcher.start()
        raising, committed = [], {}
        for flag_id in flag_ids:
            started = time.perf_counter()
            with transaction(sessions) as session:
                alert = raise_level_one(
                    session,
                    session.get(Flag, flag_id),
                    screening_id=None,
                    reason="bench",
                    flight="BA0123",
                    departure_time=None,
                    now=datetime.now(UTC),
                )
                alert_id = alert.id
            committed[alert_id] = time.perf_counter()
            raising.append(committed[alert_id] - started)
            with arrivals.changed:  # one at a time: the latency of a lone alert
                arrivals.changed.wait_for(lambda a=alert_id: a in arrivals.at, timeout=10)
        dispatcher.stop()
        delivered = [arrivals.at[a] - committed[a] for a in committed if a in arrivals.at]
        print(f"{engine.dialect.name}: {len(delivered)}/{len(committed)} e-mails accepted")
        print(f"  raising transaction:          {_quantiles(raising)}")
        print(f"  commit to e-mail accepted:    {_quantiles(delivered)}")
    finally:
        mail.stop()
        engine.dispose()
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
