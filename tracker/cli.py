"""The `tracker` command line: parse options, call a service, print. No SQL, no rules here."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tracker import __version__
from tracker.commands.audit import (
    audit_checkpoint_command,
    audit_log_command,
    audit_verify_command,
)
from tracker.commands.match_health import match_health_command
from tracker.commands.match_train import match_train_command
from tracker.commands.options import GENERATED_ROWS, PAGE, PORT, RETENTION_DAYS, ROW_ID, SEED
from tracker.commands.users import (
    echo_throttles,
    users_activate_command,
    users_clear_throttle_command,
    users_deactivate_command,
    users_set_role_command,
)
from tracker.config import Settings, resolve_database_url
from tracker.db import (
    DatabaseURLError,
    current_revision,
    head_revision,
    make_engine,
    make_session_factory,
    schema_is_current,
    transaction,
    upgrade_to_head,
)
from tracker.models.enums import (
    FLAG_KINDS,
    FLAG_STATUSES,
    INPUT_KINDS,
    ROLES,
    SEVERITIES,
)

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class AppContext:
    """What every command needs: settings, and a database opened only when first asked for."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            try:
                self._engine = make_engine(self.settings.database_url)
            except DatabaseURLError as exc:
                raise click.BadParameter(str(exc), param_hint="--db") from exc
        return self._engine

    @property
    def opened_database(self) -> bool:
        return self._engine is not None

    def close(self) -> None:
        """Return the database connections when the command ends."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def sessions(self, require_schema: bool = True) -> sessionmaker[Session]:
        """A session factory; refuses plainly when the schema is missing or out of date."""
        if require_schema:
            try:
                current = schema_is_current(self.engine)
            except OperationalError as exc:
                raise click.ClickException(
                    f"cannot reach database {self.engine.url.render_as_string()}: {exc.orig or exc}"
                ) from exc
            if not current:
                raise click.ClickException(
                    f"database {self.engine.url.render_as_string()} is not at the newest schema "
                    f"(it is at {current_revision(self.engine) or 'none'}, newest is "
                    f"{head_revision()}); run `tracker db upgrade` first"
                )
        return make_session_factory(self.engine)


pass_app = click.make_pass_decorator(AppContext)


def write_output(text: str, out: Path | None) -> None:
    """Write to ``out`` (saying where) or to standard output."""
    if out is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror}") from exc
    click.echo(f"wrote {out}", err=True)


def _acting(app: AppContext, session, action: str):
    """The acting person for ``action``, through the one permission table."""
    from tracker.review.permissions import PermissionDenied
    from tracker.review.users import require_actor

    try:
        return require_actor(session, app.settings.user, action)
    except PermissionDenied as exc:
        raise click.ClickException(str(exc)) from exc


@click.group(context_settings=CONTEXT_SETTINGS)
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="Database URL (default: $TRACKER_DATABASE_URL, else sqlite:///tracker.db here). "
    "PostgreSQL: postgresql+psycopg://user@host/dbname.",
)
@click.option(
    "--user",
    metavar="NAME",
    help="The person acting (default: $TRACKER_USER). Unknown names are refused.",
)
@click.version_option(__version__, prog_name="tracker")
@click.pass_context
def main(ctx: click.Context, db_url: str | None, user: str | None) -> None:
    """Offender notification-compliance tracker.

    Loads the register, notifications and travel records, links travel to the register
    despite messy names, raises compliance flags for analysts to review, and produces
    intelligence packages, the public most-wanted feed and the daily report.

    Start with `tracker demo`, or `tracker db upgrade` then `tracker nightly --inbox DIR`.
    """
    settings = Settings(database_url=resolve_database_url(db_url))
    if user:
        settings.user = user
    ctx.obj = AppContext(settings)
    ctx.call_on_close(ctx.obj.close)


@main.result_callback()
@pass_app
def _after_command(app: AppContext, *_results, **_options) -> None:
    """A command that used the database and succeeded: checkpoint the audit entries it wrote."""
    from tracker.commands.audit import checkpoint_after

    checkpoint_after(app)


# --- database -------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Create, migrate and inspect the database schema."""


@db.command("upgrade")
@pass_app
def db_upgrade(app: AppContext) -> None:
    """Create the schema, or migrate it to the newest version. Safe to run again."""
    try:
        before, after = upgrade_to_head(app.engine)
    except OperationalError as exc:
        raise click.ClickException(
            f"cannot migrate {app.engine.url.render_as_string()}: {exc.orig or exc}"
        ) from exc
    target = app.engine.url.render_as_string()
    if before == after:
        click.echo(f"{target}: schema already at {after}; nothing to do")
    else:
        click.echo(f"{target}: schema migrated from {before or 'empty'} to {after}")


@db.command("current")
@pass_app
def db_current(app: AppContext) -> None:
    """Print the schema version of the database and the newest one this tracker knows."""
    click.echo(f"database: {current_revision(app.engine) or 'empty'}  newest: {head_revision()}")


# --- stats ----------------------------------------------------------------------------------


@main.command()
@click.option(
    "--format", "fmt", type=click.Choice(["json", "table"]), default="table", show_default=True
)
@pass_app
def stats(app: AppContext, fmt: str) -> None:
    """Counts of offenders, aliases, documents, notifications, travel records, links and flags
    (by kind and by status), and the latest run."""
    from tracker.stats import collect_stats, stats_rows

    with transaction(app.sessions()) as session:
        figures = collect_stats(session)
    if fmt == "json":
        click.echo(json.dumps(figures, indent=2))
        return
    rows = stats_rows(figures)
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        click.echo(f"{label:<{width}}  {value:>10}")


# --- ingest and the nightly job -------------------------------------------------------------


@main.command()
@click.argument("kind", type=click.Choice(INPUT_KINDS))
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def ingest(app: AppContext, kind: str, paths: tuple[Path, ...]) -> None:
    """Load input files of one KIND (.csv, .jsonl, or .edi/.paxlst for travel).

    Each file loads in its own transaction and gets one summary line: rows read, loaded
    (new, updated, unchanged) and rejected. Rejected rows are kept whole, with the reason,
    in a reject file the summary names (under $TRACKER_DATA_DIR/rejects). Loading the same
    file again changes nothing.

    Exit 0 when every row loaded, 3 when some rows were rejected (see the reject files the
    summary names), 1 when nothing could be loaded.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from tracker.config import SYSTEM_ACTOR
    from tracker.ingest import IngestError, exit_code, ingest_files

    sessions = app.sessions()
    try:
        results = ingest_files(
            sessions,
            kind,
            list(paths),
            settings=app.settings,
            actor=app.settings.user or SYSTEM_ACTOR,
            progress=sys.stderr.isatty(),
        )
    except IngestError as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        raise click.ClickException(f"{exc.filename or 'a file'}: {exc.strerror}") from exc
    except SQLAlchemyError as exc:
        raise click.ClickException(f"the database refused the load: {exc.orig or exc}") from exc
    for result in results:
        for warning in result.warnings:
            click.echo(f"warning: {result.path}: {warning}", err=True)
        click.echo(result.summary(), err=result.refused is not None)
    code = exit_code(results)
    if code:
        sys.exit(code)


def _probability_option(name: str, default: float, envvar: str, help_text: str):
    """An option taking a probability strictly between 0 and 1."""
    return click.option(
        name,
        default=default,
        show_default=True,
        envvar=envvar,
        type=click.FloatRange(min=0, max=1, min_open=True, max_open=True),
        help=help_text,
    )


@main.command()
@click.option(
    "--inbox",
    required=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder of offenders*, aliases*, documents*, notifications*, travel* (.csv/.jsonl) and "
    "*.edi/*.paxlst files. Processed files move to the run's archive folder.",
)
@click.option(
    "--as-of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Evaluate compliance as of DATE (default: today).",
)
@click.option(
    "--outbox",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the feed, the daily report and the queue exports go (default: <data dir>/outbox).",
)
@click.option(
    "--wait",
    "wait_seconds",
    default=0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="If another run holds the database, wait this many seconds before refusing.",
)
@click.option(
    "--retention-days",
    default=30,
    show_default=True,
    envvar="TRACKER_RETENTION_DAYS",
    type=RETENTION_DAYS,
    help="Erase travel records that matched no one after this many days.",
)
@_probability_option(
    "--match-threshold",
    0.95,
    "TRACKER_MATCH_THRESHOLD",
    "Links at or above this probability are in band `match`. Probabilities are calibrated: "
    "of links at 0.95, about 95 in 100 are the right person.",
)
@_probability_option(
    "--review-threshold",
    0.5,
    "TRACKER_REVIEW_THRESHOLD",
    "Links at or above this probability (and below the match threshold) are in band "
    "`review`; below it a travel record is linked to no one.",
)
@click.option("--keep-inbox", is_flag=True, help="Leave processed files in the inbox (no archive).")
@click.option(
    "--retrain",
    is_flag=True,
    help="Fit a new matching model before scoring (otherwise the active model scores, and a "
    "new one is fitted only when none is stored or analysts' decisions passed "
    "TRACKER_RETRAIN_AFTER_LABELS).",
)
@pass_app
def nightly(
    app: AppContext,
    inbox: Path,
    as_of,
    outbox: Path | None,
    wait_seconds: float,
    retention_days: int,
    match_threshold: float,
    review_threshold: float,
    keep_inbox: bool,
    retrain: bool,
) -> None:
    """The nightly job: ingest the inbox, match travel to the register, evaluate compliance,
    raise and resolve flags, erase old unmatched travel, write the public feed, the daily
    report and the review-queue exports. Acts as the system. Running it again on the same
    inbox and date raises nothing new. A file that cannot be read is quarantined (with its
    reason) and the rest of the night still runs. Exit 0 when all went well; 3 when every
    stage ran but a file was not loaded (the run is `partial`; the summary names the file and
    what to do); 1 if a stage failed or another run holds the lock.
    """
    from datetime import date as date_type

    from tracker.matching.link import LinkSettings
    from tracker.pipeline import NightlyOptions, progress_echo, run_nightly
    from tracker.services.locks import LockHeld

    if review_threshold > match_threshold:
        raise click.BadParameter(
            f"{review_threshold} is above the match threshold {match_threshold}",
            param_hint="--review-threshold",
        )

    options = NightlyOptions(
        inbox=inbox,
        as_of=as_of.date() if as_of else date_type.today(),
        outbox=outbox or app.settings.data_dir / "outbox",
        settings=app.settings,
        progress=sys.stderr.isatty(),
        wait_seconds=wait_seconds,
        retention_days=retention_days,
        link_settings=LinkSettings(
            match_threshold=match_threshold, review_threshold=review_threshold
        ),
        archive=not keep_inbox,
        retrain=retrain,
        echo=progress_echo(),
    )
    try:
        result = run_nightly(app.sessions(), options)
    except LockHeld as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(result.summary())
    if result.status == "partial":
        sys.exit(3)  # every stage ran; a file was quarantined or skipped (see the summary)
    if result.status != "succeeded":
        sys.exit(1)


@main.command()
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("tracker-demo"),
    show_default=True,
    help="Folder for the demo's fresh SQLite file and its outputs (replaced each time).",
)
def demo(workdir: Path) -> None:
    """Run the whole nightly job on the bundled synthetic inbox (data/samples) in a fresh
    SQLite file, then say what it found and where every output is."""
    from tracker.demo import run_demo

    try:
        result = run_demo(workdir, echo=click.echo)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(result.summary())
    if result.nightly.status != "succeeded":
        sys.exit(1)


class _ProfileChoice(click.Choice):
    """The generator's profiles, read only when needed: importing the generator (numpy,
    pandas) would slow the start of every other command."""

    def __init__(self) -> None:
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]
        from tracker.synthetic.profiles import PROFILES

        return tuple(PROFILES)

    @choices.setter
    def choices(self, value) -> None:
        """Choice.__init__ assigns the choices; the profiles module holds them instead."""


class _GenerateCommand(click.Command):
    """`tracker generate --help` lists the profiles, one line each, after the options."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        from tracker.synthetic.profiles import PROFILES

        with formatter.section("Profiles"):
            formatter.write_dl([(p.name, p.summary) for p in PROFILES.values()])


@main.command(cls=_GenerateCommand)
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--offenders", default=300, show_default=True, type=GENERATED_ROWS, help="Register entries."
)
@click.option(
    "--travel", default=3000, show_default=True, type=GENERATED_ROWS, help="Travel records."
)
@click.option("--seed", default=7, show_default=True, type=SEED, help="Same seed, same files.")
@click.option(
    "--as-of",
    type=click.DateTime(["%Y-%m-%d"]),
    default="2026-11-20",
    show_default=True,
    help="The date the planted compliance failures are true on.",
)
@click.option(
    "--profile",
    type=_ProfileChoice(),
    default="default",
    show_default=True,
    help="Carrier habits: today's mix, or a stress profile that turns one habit up (below).",
)
def generate(out: Path, offenders: int, travel: int, seed: int, as_of, profile: str) -> None:
    """Write a synthetic inbox (the contract's files) plus ground truth, for demos, tests and
    benchmarks. Every name and detail is invented."""
    from tracker.synthetic import generate as generate_inbox

    summary = generate_inbox(
        out,
        offenders=offenders,
        travel=travel,
        seed=seed,
        as_of=as_of.date(),
        progress=sys.stderr.isatty(),
        profile=profile,
    )
    files = ", ".join(f"{name} {n:,}" for name, n in summary.counts.items())
    shown = "" if profile == "default" else f", profile {profile}"
    click.echo(
        f"wrote a synthetic inbox to {out} in {summary.seconds:.1f}s (seed {seed}, as of "
        f"{summary.as_of}{shown}): {files}"
    )


# --- matching and links ---------------------------------------------------------------------


@main.group()
def links() -> None:
    """Links the matcher made between travel records and register entries."""


@links.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout)."
)
@click.option("--run", "run_id", type=ROW_ID, help="Run id (default: the latest run with links).")
@pass_app
def links_export(app: AppContext, fmt: str, out: Path | None, run_id: int | None) -> None:
    """One row per linked travel record: travel_source, travel_record_id, offender_id,
    match_probability, match_weight, band, run_id."""
    from tracker.services.linking import latest_run_with_links, link_export_rows, render_links

    with transaction(app.sessions()) as session:
        _acting(app, session, "links.export")
        chosen = run_id if run_id is not None else latest_run_with_links(session)
        rows = link_export_rows(session, chosen) if chosen is not None else []
    if run_id is not None and not rows:
        raise click.ClickException(f"run {run_id} has no links (is the run id right?)")
    write_output(render_links(rows, fmt), out)


@main.group()
def match() -> None:
    """Evaluate and tune the matcher."""


@match.command("evaluate")
@click.option(
    "--truth",
    required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="CSV with travel_source, travel_record_id, offender_id (empty: not on the register), "
    "and optionally category and corruptions (as `tracker generate` writes truth_links.csv).",
)
@click.option("--run", "run_id", type=ROW_ID, help="Run id (default: the latest run with links).")
@pass_app
def match_evaluate(app: AppContext, truth: Path, run_id: int | None) -> None:
    """Precision, recall and F1 per band, recall per corruption type and calibration of the
    links of a run, against a ground-truth file."""
    from tracker.services.linking import evaluate_run_against_truth

    with transaction(app.sessions()) as session:
        _acting(app, session, "match.evaluate")
        try:
            evaluation = evaluate_run_against_truth(session, truth, run_id)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(evaluation.as_text())


match.add_command(match_health_command)
match.add_command(match_train_command)


# --- flags and review -----------------------------------------------------------------------


@main.group()
def flags() -> None:
    """Compliance flags raised by the rules."""


def _flag_filters(func):
    """The filters ``flags list`` and ``flags export`` share."""
    options = [
        click.option(
            "--kind",
            "kinds",
            multiple=True,
            type=click.Choice(FLAG_KINDS),
            help="Only this kind (repeatable).",
        ),
        click.option(
            "--status",
            "statuses",
            multiple=True,
            type=click.Choice(FLAG_STATUSES),
            help="Only this status (repeatable).",
        ),
        click.option(
            "--severity",
            "severities",
            multiple=True,
            type=click.Choice(SEVERITIES),
            help="Only this severity (repeatable).",
        ),
        click.option("--force", metavar="NAME", help="Only offenders this force manages."),
        click.option(
            "--since",
            type=click.DateTime(["%Y-%m-%d"]),
            metavar="DATE",
            help="Only flags detected on or after DATE.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _selected_flags(app: AppContext, order: str, kinds, statuses, severities, force, since):
    """Flags for the filters, read by a permitted person and logged as a consultation."""
    from tracker.audit import record_event
    from tracker.services.compliance import FlagFilters, flag_rows

    filters = FlagFilters(
        tuple(kinds), tuple(statuses), tuple(severities), force, since.date() if since else None
    )
    with transaction(app.sessions()) as session:
        actor = _acting(app, session, "flags.read")
        rows = flag_rows(session, filters, order=order)
        record_event(
            session,
            actor=actor.name,
            action="consultation",
            object_type="flags",
            justification=f"flags {'listed' if order == 'queue' else 'exported'}",
            details={
                "rows": len(rows),
                "kinds": list(kinds),
                "statuses": list(statuses),
                "severities": list(severities),
                "force": force,
            },
        )
        return rows


@flags.command("list")
@_flag_filters
@pass_app
def flags_list(app: AppContext, kinds, statuses, severities, force, since) -> None:
    """Flags as a table, most severe and most urgent (oldest deadline) first.

    Filter by kind, status, severity, managing force and detection date; summaries are
    shortened here, `flags export` has them whole."""
    from tracker.services.compliance import render_flag_table

    rows = _selected_flags(app, "queue", kinds, statuses, severities, force, since)
    click.echo(render_flag_table(rows), nl=False)


@flags.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout)."
)
@_flag_filters
@pass_app
def flags_export(
    app: AppContext, fmt: str, out: Path | None, kinds, statuses, severities, force, since
) -> None:
    """One row per flag, in the contract's columns: flag_id, kind, severity, status,
    offender_id, travel_source, travel_record_id, notification_id, match_probability, due_on,
    detected_on, run_id, summary."""
    from tracker.services.compliance import render_flags

    rows = _selected_flags(app, "id", kinds, statuses, severities, force, since)
    write_output(render_flags(rows, fmt), out)


@main.group()
def review() -> None:
    """The analysts' queue: look at the evidence, then confirm, dismiss or escalate."""


@review.command("queue")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(FLAG_KINDS), help="Repeatable.")
@click.option("--severity", "severities", multiple=True, type=click.Choice(SEVERITIES))
@click.option(
    "--status", "statuses", multiple=True, type=click.Choice(FLAG_STATUSES), help="Default: open."
)
@click.option("--force", help="Managing force, exactly as in the register.")
@click.option("--assigned", metavar="NAME", help="Only flags assigned to this person.")
@click.option("--escalated", is_flag=True, help="Only the supervisors' queue of escalations.")
@click.option("--page", default=1, show_default=True, type=PAGE)
@click.option("--page-size", default=50, show_default=True, type=click.IntRange(1, 10_000))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "xlsx"]),
    default="table",
    show_default=True,
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (required for xlsx).",
)
@pass_app
def review_queue(
    app: AppContext,
    kinds,
    severities,
    statuses,
    force,
    assigned,
    escalated,
    page,
    page_size,
    fmt,
    out,
) -> None:
    """Open flags, most severe first and then the most urgent (earliest due), with filters
    and paging. Analysts and supervisors; --escalated is the supervisors' queue."""
    from tracker.audit import record_event
    from tracker.review.queue import QueueFilter
    from tracker.review.queue import review_queue as load_queue
    from tracker.review.render import render_queue

    if fmt == "xlsx" and out is None:
        raise click.UsageError("--format xlsx needs --out FILE.xlsx")
    with transaction(app.sessions()) as session:
        actor = _acting(app, session, "review.escalations" if escalated else "review.queue")
        filters = QueueFilter(
            kinds=kinds,
            severities=severities,
            statuses=statuses or ("open",),
            force=force,
            assigned_to=assigned,
            escalated_only=escalated,
        )
        result = load_queue(session, filters, page=page, page_size=page_size)
        record_event(
            session,
            actor=actor.name,
            action="consultation",
            object_type="review_queue",
            justification="review queue listed",
            details={"page": page, "rows": len(result.rows), "total": result.total},
        )
    rendered = render_queue(result, fmt)
    if isinstance(rendered, bytes):
        out.write_bytes(rendered)
        click.echo(f"wrote {out}", err=True)
    else:
        write_output(rendered, out)


@review.command("show")
@click.argument("flag_id", type=ROW_ID)
@pass_app
def review_show(app: AppContext, flag_id: int) -> None:
    """The register entry and the travel record side by side, each field's comparison level
    and weight with the total and the probability, the notification timeline, the rule that
    fired and its deadline, and earlier decisions. Opening it is logged as a consultation."""
    from tracker.review.evidence import FlagNotFound, load_evidence, render_evidence

    with transaction(app.sessions()) as session:
        actor = _acting(app, session, "review.show")
        try:
            evidence = load_evidence(session, flag_id, actor)
        except FlagNotFound as exc:
            raise click.ClickException(str(exc)) from exc
        text = render_evidence(evidence)
    click.echo(text)


@review.command("decide")
@click.argument("flag_id", type=ROW_ID)
@click.option("--decision", type=click.Choice(["confirm", "dismiss", "escalate"]), required=True)
@click.option("--reason", required=True, help="Why: required, kept in the audit trail.")
@pass_app
def review_decide(app: AppContext, flag_id: int, decision: str, reason: str) -> None:
    """Record a decision on an open flag (analysts and supervisors). Escalate puts it on the
    supervisors' queue; dismissing a travel flag means that travel record is never linked to
    that offender again."""
    from tracker.review.decisions import DecisionError, decide_flag
    from tracker.review.evidence import FlagNotFound

    with transaction(app.sessions()) as session:
        actor = _acting(app, session, "review.decide")
        try:
            decide_flag(session, actor, flag_id, decision, reason)
        except (DecisionError, FlagNotFound) as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"flag {flag_id}: {decision} recorded by {actor.name}")


@main.group()
def users() -> None:
    """People and their roles (analyst, supervisor, liaison, admin)."""


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@pass_app
def users_add(app: AppContext, name: str, role: str) -> None:
    """Add a person. While nobody exists the first user needs no acting person; after that
    only an admin adds users (--user or TRACKER_USER)."""
    from tracker.review.permissions import PermissionDenied
    from tracker.review.users import UserError, add_user

    with transaction(app.sessions()) as session:
        try:
            add_user(session, app.settings.user, name, role)
        except (PermissionDenied, UserError) as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"added {name} as {role}")


@users.command("list")
@pass_app
def users_list(app: AppContext) -> None:
    """Everyone with access and their role (admins and supervisors); admins also see the
    sign-in throttles in force (`tracker users clear-throttle` lifts one)."""
    from tracker.review.users import list_users

    with transaction(app.sessions()) as session:
        actor = _acting(app, session, "users.list")
        people = list_users(session)
        for person in people:
            state = "" if person.active else " (deactivated)"
            click.echo(
                f"{person.name:<24} {person.role:<11} added {person.created_at:%Y-%m-%d}"
                f" by {person.created_by or '-'}{state}"
            )
        echo_throttles(session, actor)


@users.command("set-password")
@click.argument("name")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (for scripts).",
)
@pass_app
def users_set_password(app: AppContext, name: str, password_stdin: bool) -> None:
    """Set NAME's password for signing in to the web application (admins only; --user or
    TRACKER_USER). Prompts twice with hidden input. Ends NAME's open web sessions."""
    from tracker.review.passwords import PasswordError, set_password
    from tracker.review.permissions import PermissionDenied

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            "New password", hide_input=True, confirmation_prompt="Type it again"
        )
    with transaction(app.sessions()) as session:
        try:
            set_password(session, app.settings.user, name, password)
        except (PermissionDenied, PasswordError) as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"password set for {name}")


for _command in (
    users_deactivate_command,
    users_activate_command,
    users_set_role_command,
    users_clear_throttle_command,
):
    users.add_command(_command)


@main.group()
def audit() -> None:
    """The append-only, hash-chained audit trail."""


audit.add_command(audit_verify_command)
audit.add_command(audit_checkpoint_command)
audit.add_command(audit_log_command)


def _aware(value):
    """Dates typed without an offset are read as UTC."""
    from datetime import UTC

    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# --- outputs --------------------------------------------------------------------------------


@main.group()
def package() -> None:
    """Intelligence packages for overseas forces: minimal, graded, signed, logged."""


@package.command("build")
@click.argument("flag_id", type=ROW_ID)
@click.option(
    "--country",
    required=True,
    metavar="ISO3",
    help="Destination country, ISO 3166-1 alpha-3 (normally where the travel "
    "arrived; a different one is allowed with a warning).",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder under which PACKAGE_ID/ and PACKAGE_ID.zip are written.",
)
@click.option(
    "--reason",
    required=True,
    help="Why this transfer is necessary (DPA 2018 ss.72-78). Kept in the audit "
    "trail and the disclosure log; not sent.",
)
@click.option(
    "--agency", metavar="TEXT", help="Receiving agency (default: INTERPOL NCB <country name>)."
)
@click.option(
    "--grading",
    default="1B",
    show_default=True,
    metavar="SOURCE+INTEL",
    help="3x5x2 grading: source 1 reliable, 2 untested, 3 not reliable; then "
    "intelligence A-E. 1B: official passenger data, identity corroborated by "
    "an analyst's review.",
)
@click.option(
    "--handling",
    metavar="P|C",
    default="P",
    show_default=True,
    help="P: lawful sharing permitted; C: permitted with conditions (--conditions).",
)
@click.option("--conditions", metavar="TEXT", help="The conditions that travel with handling C.")
@pass_app
def package_build(
    app: AppContext,
    flag_id: int,
    country: str,
    out: Path,
    reason: str,
    agency: str | None,
    grading: str,
    handling: str,
    conditions: str | None,
) -> None:
    """Build, sign and log the package for a confirmed travel flag (liaison officers only).

    Writes OUT/PACKAGE_ID/ (package.json, summary.html, manifest.json) and OUT/PACKAGE_ID.zip,
    records the disclosure, and marks the flag actioned. The unit's key must exist
    (`tracker keys init`).
    """
    from tracker.reports.packages import (
        PackageOptionError,
        PackageRefused,
        build_package,
        discard_package,
        make_request,
    )

    try:
        request = make_request(
            flag_id=flag_id,
            country=country,
            out_dir=out,
            reason=reason,
            agency=agency,
            grading=grading,
            handling=handling,
            conditions=conditions,
            home_country=app.settings.home_country,
        )
    except PackageOptionError as exc:
        raise click.BadParameter(str(exc), param_hint=exc.option) from exc
    built = None
    try:
        with transaction(app.sessions()) as session:
            actor = _acting(app, session, "package.build")
            try:
                built = build_package(session, actor, request, app.settings)
            except PackageRefused as exc:
                raise click.ClickException(str(exc)) from exc
    except BaseException:
        if built is not None:
            discard_package(built)
        raise
    for warning in built.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"package {built.package_id} for flag {built.flag_id} to {built.agency} "
        f"({built.country}), signed with key {built.key_id}\n"
        f"  folder {built.folder}\n  zip    {built.zip_path} (sha256 {built.zip_sha256})\n"
        f"flag {built.flag_id} is now actioned; the disclosure is in the audit "
        "trail"
    )


@package.command("verify")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--public-key",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="PEM public key of the signer (default: the unit's own keys, current and replaced).",
)
@pass_app
def package_verify(app: AppContext, path: Path, public_key: Path | None) -> None:
    """Check every hash and the signature of a package folder or zip; name each failure.

    Exit 0 only for an intact, correctly signed package. Needs no database.
    """
    from tracker.reports import signing
    from tracker.reports.packages import trusting, verify_package

    try:
        if public_key is not None:
            trusted = trusting(signing.load_public_key(public_key))
        else:
            trusted = signing.trusted_unit_keys(app.settings.keys_dir)
    except signing.SigningKeyError as exc:
        if public_key is not None:
            raise click.BadParameter(str(exc), param_hint="--public-key") from exc
        raise click.ClickException(str(exc)) from exc
    report = verify_package(path, trusted)
    if report.intact:
        click.echo(
            f"{path}: intact. Package {report.package_id}: {len(report.files)} files, "
            f"every hash matches, signature valid (key {report.key_id})"
        )
        return
    click.echo(
        f"{path}: NOT intact ({len(report.problems)} problem"
        f"{'s' if len(report.problems) != 1 else ''}):",
        err=True,
    )
    for problem in report.problems:
        click.echo(f"  - {problem}", err=True)
    sys.exit(1)


@package.command("list")
@click.option("--flag", "flag_id", type=ROW_ID, help="Only packages for this flag.")
@click.option("--country", metavar="ISO3", help="Only packages sent to this country.")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@pass_app
def package_list(app: AppContext, flag_id: int | None, country: str | None, fmt: str) -> None:
    """Packages built, newest first: id, flag, country, agency, grading, by, when, where
    (liaison, supervisors and admins; listing is logged)."""
    from tracker.audit import record_event
    from tracker.reports.packages import list_packages, render_package_rows

    with transaction(app.sessions()) as session:
        actor = _acting(app, session, "package.list")
        rows = list_packages(session, flag_id=flag_id, country=country)
        record_event(
            session,
            actor=actor.name,
            action="consultation",
            object_type="packages",
            justification="packages listed",
            details={"rows": len(rows), "flag_id": flag_id, "country": country},
        )
    click.echo(render_package_rows(rows, fmt))


@main.group()
def keys() -> None:
    """The unit's signing key pair for packages."""


@keys.command("init")
@click.option(
    "--force",
    is_flag=True,
    help="Replace an existing key pair. The old public key is kept, so packages it "
    "signed still verify here; give partners the new one.",
)
@pass_app
def keys_init(app: AppContext, force: bool) -> None:
    """Make the unit's Ed25519 key pair under the data folder's keys/ (folder 0700, private key
    0600: outside the database), and the audit trail's anchor key beside it if there is none.
    Admins and liaison officers; logged."""
    from tracker import audit_anchor
    from tracker.audit import record_event
    from tracker.reports import signing

    keys_dir = app.settings.keys_dir
    with transaction(app.sessions()) as session:
        actor = _acting(app, session, "keys.manage")
        previous = signing.current_key_id(keys_dir)
        try:
            info = signing.init_keys(keys_dir, force=force)
        except signing.SigningKeyError as exc:
            raise click.ClickException(str(exc)) from exc
        try:  # never replaced, even with --force; not remade once checkpoints need it
            anchor = (
                "created"
                if audit_anchor.ensure_key(session, keys_dir, app.settings.data_dir, actor.name)
                else "kept"
            )
        except audit_anchor.AnchorError:  # the signing key is still made and logged
            anchor = audit_anchor.KEY_GONE
        record_event(
            session,
            actor=actor.name,
            action="alteration",
            object_type="signing_key",
            object_id=info.key_id,
            justification="package signing key "
            + ("replaced" if force and previous else "created"),
            details={
                "key_id": info.key_id,
                "previous_key_id": previous,
                "public_key": str(info.public_path),
                "audit_anchor_key": anchor,
            },
        )
    click.echo(
        f"signing key {info.key_id} created\n  private {info.private_path} (owner only)\n"
        f"  public  {info.public_path}\n"
        f"  audit anchor key {audit_anchor.key_path(keys_dir)} (owner only, "
        f"{anchor})\n"
        "give partners the public key: tracker keys export-public"
    )


@keys.command("export-public")
@pass_app
def keys_export_public(app: AppContext) -> None:
    """Print the unit's public key (PEM) for partners to verify packages with; its key id goes
    to standard error."""
    from tracker.reports import signing

    try:
        key = signing.unit_public_key(app.settings.keys_dir)
    except signing.SigningKeyError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"key id {signing.key_id(key)}", err=True)
    click.echo(signing.public_pem(key), nl=False)


@main.group()
def feed() -> None:
    """The public most-wanted feed."""


@feed.command("most-wanted")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "atom"]), default="json", show_default=True
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout)."
)
@click.option("--page", default=1, show_default=True, type=PAGE)
@click.option(
    "--page-size",
    type=click.IntRange(1, 10_000),
    help="People per page (default: everyone on one page).",
)
@pass_app
def feed_most_wanted(
    app: AppContext, fmt: str, out: Path | None, page: int, page_size: int | None
) -> None:
    """The feed: approved wanted offenders, safe fields only (JSON or Atom 1.0).

    Only offenders whose status is `wanted` and whose publication a supervisor approved, with
    only the fields that are safe to publish; Atom has one entry per person. The nightly job
    writes both formats to its outbox. Each run is logged as a disclosure to the public.

    Set the public site with TRACKER_FEED_BASE_URL and the reporting lines with
    TRACKER_FEED_POLICE_LINE and TRACKER_FEED_ANONYMOUS_LINE."""
    from datetime import UTC, datetime

    from pydantic import ValidationError

    from tracker.reports.feed import (
        FeedSettings,
        build_feed,
        record_disclosure,
        render_atom,
        render_json,
    )

    if page > 1 and page_size is None:
        raise click.UsageError("--page needs --page-size")
    try:
        settings = FeedSettings()
    except ValidationError as exc:
        raise click.ClickException(exc.errors()[0]["msg"].removeprefix("Value error, ")) from exc
    with transaction(app.sessions()) as session:
        doc = build_feed(
            session,
            datetime.now(UTC),
            settings.base_url,
            page=page,
            page_size=page_size,
            settings=settings,
        )
        record_disclosure(session, doc, str(out) if out else "standard output")
    text = render_json(doc) if fmt == "json" else render_atom(doc, settings.publisher)
    write_output(text, out)


@feed.command("approve")
@click.argument("offender_id")
@click.option(
    "--reason",
    required=True,
    help="Why publishing is necessary and proportionate: kept in the audit trail.",
)
@click.option(
    "--public-description",
    help="The description the public will read (at most "
    "500 characters); the register's own description is never published.",
)
@click.option(
    "--public-area",
    help="The town or district the public will read (at most 100 characters), never an address.",
)
@click.option(
    "--use-register-text",
    is_flag=True,
    help="Approve the register's description and last known area as the public text "
    "where the options above give none (screened like any text; printed).",
)
@pass_app
def feed_approve(
    app: AppContext,
    offender_id: str,
    reason: str,
    public_description: str | None,
    public_area: str | None,
    use_register_text: bool,
) -> None:
    """Approve publication of a wanted offender (supervisors only). OFFENDER_ID is the
    register reference, e.g. VR-0001234. The person leaves the feed by themselves when their
    status stops being `wanted`; a new disappearance needs a new approval. Text that gives
    away a restricted fact (address, date of birth, offence, risk, ...) is refused."""
    from tracker.reports.feed import FeedError, approve_publication
    from tracker.review.permissions import PermissionDenied

    with transaction(app.sessions()) as session:
        actor = _acting(app, session, "feed.approve")
        try:
            approval = approve_publication(
                session,
                actor,
                offender_id,
                reason,
                public_description=public_description,
                public_area=public_area,
                use_register_text=use_register_text,
            )
        except (FeedError, PermissionDenied) as exc:
            raise click.ClickException(str(exc)) from exc
        published = (approval.publication.public_description, approval.publication.public_area)
    when = f"{approval.publication.approved_at:%Y-%m-%d %H:%M} UTC"
    if not approval.changed:
        click.echo(
            f"{offender_id} is already on the feed (approved by {approval.approved_by} "
            f"on {when}); nothing changed"
        )
        return
    click.echo(
        f"{offender_id}: publication approved by {actor.name} on {when}; "
        "on the feed from its next build"
    )
    for label, value in zip(("description", "area"), published, strict=True):
        click.echo(f"  public {label}: {value if value else '(none)'}")


@feed.command("withdraw")
@click.argument("offender_id")
@click.option("--reason", required=True, help="Why: kept in the audit trail.")
@pass_app
def feed_withdraw(app: AppContext, offender_id: str, reason: str) -> None:
    """Take an offender off the feed (supervisors only).

    The person is off the feed from its next build. OFFENDER_ID is the register reference."""
    from tracker.reports.feed import FeedError, withdraw_publication
    from tracker.review.permissions import PermissionDenied

    with transaction(app.sessions()) as session:
        actor = _acting(app, session, "feed.withdraw")
        try:
            withdraw_publication(session, actor, offender_id, reason)
        except (FeedError, PermissionDenied) as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(
        f"{offender_id}: publication withdrawn by {actor.name}; off the feed from its next build"
    )


@feed.command("list")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@pass_app
def feed_list(app: AppContext, fmt: str) -> None:
    """Approvals and withdrawals: who, when and why (supervisors only).

    Those in force first. Reading the list is logged; it is internal: never publish it."""
    from dataclasses import asdict

    from tracker.reports.feed import list_publications

    with transaction(app.sessions()) as session:
        actor = _acting(app, session, "feed.preview")
        rows = list_publications(session, actor)
    if fmt == "json":
        click.echo(json.dumps([asdict(r) for r in rows], indent=2, default=str, ensure_ascii=False))
        return
    if not rows:
        click.echo("no publications approved yet")
        return
    for r in rows:
        if r.in_force:
            state = "on the feed"
        elif r.state == "approved":
            state = f"approved, not in force (status {r.status})"
        else:
            state = (
                f"withdrawn {r.withdrawn_at:%Y-%m-%d} by {r.withdrawn_by}: {r.withdrawal_reason}"
            )
        click.echo(
            f"{r.offender_id:<14} {r.names:<32} {state}\n{'':<14} approved "
            f"{r.approved_at:%Y-%m-%d} by {r.approved_by}: {r.approval_reason}"
        )


@main.group()
def report() -> None:
    """Reports for managers."""


@report.command("daily")
@click.option("--run", "run_id", type=ROW_ID, help="Run id (default: the latest run).")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@pass_app
def report_daily(app: AppContext, run_id: int | None, out: Path) -> None:
    """The daily summary for managers: a self-contained HTML page with charts (new and open
    flags by kind and severity, the trend over the last 30 runs, open flags by force, links by
    band and probability, rejects by reason, retention, stage timings). Counts only."""
    from tracker.reports.daily import ReportError, write_daily_report

    with transaction(app.sessions()) as session:
        _acting(app, session, "report.read")
        try:
            path = write_daily_report(session, out, run_id)
        except ReportError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {path}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=PORT)
@pass_app
def serve(app: AppContext, host: str, port: int) -> None:
    """The analysts' web application on the unit's intranet (sign in with a password set by
    `tracker users set-password`). Put it behind the unit's TLS proxy for Secure cookies."""
    import uvicorn

    from tracker.web import create_app
    from tracker.web.clients import TrustedProxiesError
    from tracker.web.settings import SecretKeyError

    app.sessions()  # refuses plainly when the schema is missing or out of date
    try:
        web = create_app(app.settings)
    except (SecretKeyError, TrustedProxiesError) as exc:
        raise click.ClickException(str(exc)) from exc
    proxies = [str(network) for network in web.state.settings.trusted_proxies]
    click.echo(f"tracker web application on http://{host}:{port}/ (Ctrl+C stops it)")
    # Forwarded headers only from TRACKER_TRUSTED_PROXIES (none by default).
    uvicorn.run(
        web,
        host=host,
        port=port,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
        server_header=False,
        log_level="info",
    )


if __name__ == "__main__":  # pragma: no cover
    main()
