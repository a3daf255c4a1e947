"""`tracker demo`: the nightly job on the bundled synthetic inbox, in a fresh SQLite file, then
one demo person per role and one wanted person on the public feed, so every page has something
to show."""

from __future__ import annotations

import secrets
import shlex
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db import make_engine, make_session_factory, transaction, upgrade_to_head
from tracker.models import Offender
from tracker.pipeline import NightlyOptions, NightlyResult, run_nightly
from tracker.reports.feed import write_feed
from tracker.reports.feed_approvals import FeedError
from tracker.services.feed import approve_publication
from tracker.services.people import add_user, set_password
from tracker.services.stats import collect_stats
from tracker.settings import DatabaseSettings, Settings, read_settings

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "samples"
DEMO_AS_OF = date(2026, 11, 20)
DEMO_NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
# One demo person per role, the admin first (the first person needs no acting admin).
DEMO_PEOPLE = (
    ("demo-admin", "admin"),
    ("demo-analyst", "analyst"),
    ("demo-supervisor", "supervisor"),
    ("demo-liaison", "liaison"),
)
PUBLICATION_REASON = "demo: whereabouts unknown, the managing force asked for public appeal"
INBOX_PATTERNS = (
    "offenders*",
    "aliases*",
    "documents*",
    "notifications*",
    "travel*",
    "*.edi",
    "*.paxlst",
    "*.pnr",
)


@dataclass(frozen=True)
class DemoPerson:
    name: str
    role: str
    password: str


@dataclass
class DemoResult:
    workdir: Path
    database_url: str
    nightly: NightlyResult
    stats: dict
    seconds: float
    settings: Settings
    people: list[DemoPerson]
    published: str | None  # the offender put on the public feed, if any could be

    @property
    def serve_command(self) -> str:
        """The exact command that serves the demo's database with its data folder."""
        return (
            f"TRACKER_DATA_DIR={shlex.quote(str(self.settings.data_dir))} "
            f"{tracker_command()} --db {shlex.quote(self.database_url)} serve"
        )

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
            f"  data folder {self.settings.data_dir}",
            f"  public feed {self.published or 'empty'}",
            "",
            "Demo people (synthetic; sign in with these in the browser):",
            *(f"  {p.name:<16} {p.role:<11} password {p.password}" for p in self.people),
            "",
            "Open it in a browser (or run `tracker demo --serve`):",
            f"  {self.serve_command}",
            "  then go to http://127.0.0.1:8000/",
            "",
            "Or on the command line:",
            f"  {tracker_command()} --db {self.database_url} --user demo-analyst review queue",
        ]
        return "\n".join(lines)


def tracker_command() -> str:
    """How to call `tracker` from here: `.venv/bin/tracker` in a checkout, else its path."""
    script = Path(sys.executable).parent / "tracker"
    try:
        return str(script.relative_to(Path.cwd()))
    except ValueError:
        return str(script)


def add_demo_people(session: Session) -> list[DemoPerson]:
    """One person per role with a fresh random password, added by the demo admin."""
    people = []
    admin = DEMO_PEOPLE[0][0]
    for name, role in DEMO_PEOPLE:
        add_user(session, None if name == admin else admin, name, role)
        password = secrets.token_urlsafe(12)
        set_password(session, admin, name, password)
        people.append(DemoPerson(name, role, password))
    return people


def publish_one_wanted(session: Session, supervisor: str) -> str | None:
    """Put the first wanted person whose register text is fit for the public on the feed,
    leaving the others waiting for approval; None when none is."""
    wanted = session.scalars(
        select(Offender.offender_id).where(Offender.status == "wanted").order_by(Offender.id)
    ).all()
    for offender_id in wanted:
        try:
            with session.begin_nested():
                approve_publication(
                    session,
                    supervisor,
                    offender_id,
                    PUBLICATION_REASON,
                    DEMO_NOW,
                    use_register_text=True,
                )
        except FeedError:
            continue
        return offender_id
    return None


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
                now=DEMO_NOW,
            ),
        )
        with transaction(sessions) as session:
            people = add_demo_people(session)
            published = publish_one_wanted(session, "demo-supervisor")
            if published:  # the night's feed files were written before the approval
                write_feed(session, workdir / "outbox", DEMO_NOW, settings=settings.feed)
        with transaction(sessions) as session:
            stats = collect_stats(session)
    finally:
        engine.dispose()
    seconds = time.perf_counter() - started
    return DemoResult(workdir, database_url, nightly, stats, seconds, settings, people, published)
