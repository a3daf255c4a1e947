"""`tracker nightly`: the night's run over an inbox, as the operator schedules it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tracker.cli.app import AppContext, pass_app
from tracker.cli.options import DATE, RETENTION_DAYS


def _probability_option(name: str, help_text: str):
    """An option taking a probability strictly between 0 and 1; unset, the setting's."""
    return click.option(
        name,
        type=click.FloatRange(min=0, max=1, min_open=True, max_open=True),
        help=help_text,
    )


@click.command()
@click.option(
    "--inbox",
    required=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder of offenders*, aliases*, documents*, notifications*, travel* (.csv/.jsonl) and "
    "*.edi/*.paxlst/*.pnr files. Processed files move to the run's archive folder.",
)
@click.option(
    "--as-of",
    type=DATE,
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
    type=RETENTION_DAYS,
    help="Erase travel records that matched no one after this many days "
    "(default: $TRACKER_RETENTION_DAYS, else 30).",
)
@_probability_option(
    "--match-threshold",
    "Links at or above this probability are in band `match`. Probabilities are calibrated: "
    "of links at 0.95, about 95 in 100 are the right person "
    "(default: $TRACKER_MATCH_THRESHOLD, else 0.95).",
)
@_probability_option(
    "--review-threshold",
    "Links at or above this probability (and below the match threshold) are in band "
    "`review`; below it a travel record is linked to no one "
    "(default: $TRACKER_REVIEW_THRESHOLD, else 0.5).",
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
    retention_days: int | None,
    match_threshold: float | None,
    review_threshold: float | None,
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

    from tracker.matching.settings import LinkSettings
    from tracker.pipeline import NightlyOptions, progress_echo, run_nightly
    from tracker.services.locks import LockHeld

    configured = app.settings.matching
    retention_days = configured.retention_days if retention_days is None else retention_days
    match_threshold = configured.match_threshold if match_threshold is None else match_threshold
    if review_threshold is None:
        review_threshold = configured.review_threshold
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
