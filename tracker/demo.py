"""`tracker demo`: the nightly job on the bundled synthetic inbox, in a fresh SQLite file."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from tracker.db import make_engine, make_session_factory, transaction, upgrade_to_head
from tracker.pipeline import NightlyOptions, NightlyResult, run_nightly
from tracker.services.stats import collect_stats
from tracker.settings import DatabaseSettings, Settings, read_settings

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "samples"
DEMO_AS_OF = date(2026, 11, 20)
INBOX_PATTERNS = (
    "offenders*",
    "aliases*",
    "documents*",
    "notifications*",
    "travel*",
    "*.edi",
    "*.paxlst",
)


@dataclass
class DemoResult:
    workdir: Path
    database_url: str
    nightly: NightlyResult
    stats: dict
    seconds: float

    def summary(self) -> str:
        s = self.stats
        flags = s["flags"]
        by_status = ", ".join(f"{k} {v}" for k, v in flags["by_status"].items() if v)
        lines = [
            "",
            f"tracker demo finished in {self.seconds:.1f}s",
            self.nightly.summary(),
            "",
            f"  register    {s['offenders']} offenders, {s['aliases']} aliases, "
            f"{s['documents']} documents, {s['notifications']} notifications",
            f"  travel      {s['travel_records']} records held, {s['links']} links",
            f"  flags       {flags['total']} ({by_status or 'none'})",
            f"  database    {self.database_url}",
            "",
            "Look further:",
            f"  tracker --db {self.database_url} stats",
            f"  tracker --db {self.database_url} users add you --role analyst",
            f"  tracker --db {self.database_url} --user you review queue",
        ]
        return "\n".join(lines)


def prepare_inbox(samples: Path, inbox: Path) -> int:
    """Copy the bundled inbox (the nightly job moves processed files to its archive)."""
    inbox.mkdir(parents=True, exist_ok=True)
    copied = 0
    for pattern in INBOX_PATTERNS:
        for path in sorted(samples.glob(pattern)):
            shutil.copy2(path, inbox / path.name)
            copied += 1
    return copied


def run_demo(
    workdir: Path,
    echo: Callable[[str], None] = print,
    samples: Path = SAMPLES_DIR,
    settings: Settings | None = None,
) -> DemoResult:
    """Replace ``workdir`` with a fresh database, migrate it and run the nightly job, with
    ``settings`` (read from the environment when not given) pointed at ``workdir``."""
    started = time.perf_counter()
    if not samples.is_dir():
        raise FileNotFoundError(f"the bundled samples folder {samples} is missing")
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    workdir = workdir.resolve()
    database_url = f"sqlite:///{(workdir / 'tracker.db').as_posix()}"
    settings = (settings or read_settings()).model_copy(
        update={
            "database": DatabaseSettings(url=database_url),
            "data_dir": workdir / "tracker-data",
        }
    )
    engine = make_engine(database_url)
    try:
        upgrade_to_head(engine)
        echo(f"created {database_url} at the newest schema")
        files = prepare_inbox(samples, workdir / "inbox")
        echo(f"copied {files} sample files to {workdir / 'inbox'}; running the nightly job")
        sessions = make_session_factory(engine)
        nightly = run_nightly(
            sessions,
            NightlyOptions(
                inbox=workdir / "inbox",
                as_of=DEMO_AS_OF,
                outbox=workdir / "outbox",
                settings=settings,
                now=datetime(2026, 11, 20, 2, 0, tzinfo=UTC),
            ),
        )
        with transaction(sessions) as session:
            stats = collect_stats(session)
    finally:
        engine.dispose()
    return DemoResult(workdir, database_url, nightly, stats, time.perf_counter() - started)
